import { EdoraError } from '@edora/tensor';

/** A command line that does not fit the command: unknown option or value, missing value. The message lists the valid choices. */
export class UsageError extends EdoraError {
  constructor(message: string) {
    super('E_USAGE', message);
  }
}

export type OptionType = 'string' | 'number' | 'int' | 'boolean' | 'list';

export interface OptionSpec {
  type: OptionType;
  help: string;
  /** Allowed values (for 'string' and each element of 'list'). */
  choices?: readonly string[];
  default?: string | number | boolean | readonly (string | number)[];
  /** For 'list': elements are numbers. */
  numeric?: boolean;
  /** For a numeric 'list': elements are integers. */
  integer?: boolean;
  /** Shown in help instead of the type. */
  placeholder?: string;
  /** For numbers (and numeric lists' elements): the smallest value allowed. */
  min?: number;
  /** The smallest value is excluded: values must be > `min` (a learning rate). */
  minExclusive?: boolean;
  max?: number;
}

/** Largest seed: the random stream's seeds are 32-bit. */
export const MAX_SEED = 0xffffffff;

/** The range a numeric option accepts, for messages: `≥ 1`, `> 0`, `in [0, 1]`; empty when any number goes. */
export function rangeText(spec: OptionSpec): string {
  const { min, max, minExclusive } = spec;
  if (min !== undefined && max !== undefined) return `in ${minExclusive ? '(' : '['}${min}, ${max}]`;
  if (min !== undefined) return `${minExclusive ? '>' : '≥'} ${min}`;
  if (max !== undefined) return `≤ ${max}`;
  return '';
}

/** Whether `n` lies in the option's range. */
export function inRange(spec: OptionSpec, n: number): boolean {
  if (spec.min !== undefined && (spec.minExclusive ? n <= spec.min : n < spec.min)) return false;
  return spec.max === undefined || n <= spec.max;
}

export type OptionSpecs = Record<string, OptionSpec>;

export interface CommandSpec {
  name: string;
  summary: string;
  usage?: string;
  options: OptionSpecs;
  /** Names of positional arguments accepted, for help. */
  positionals?: string;
}

export type ParsedValue = string | number | boolean | (string | number)[] | undefined;
/**
 * `given`: the camelCase keys set on the command line (the rest hold their defaults); `argv`: the
 * arguments as given (after the command name), e.g. to print the command that resumes a run.
 */
export type Parsed = { values: Record<string, ParsedValue>; positionals: string[]; help: boolean; given?: ReadonlySet<string>; argv?: readonly string[] };

/** Options every command takes. */
export const COMMON_OPTIONS: OptionSpecs = {
  json: { type: 'boolean', help: 'print machine-readable JSON instead of tables and progress', default: false },
  help: { type: 'boolean', help: 'show this help', default: false },
};

export function camel(name: string): string {
  return name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

function convert(spec: OptionSpec, name: string, raw: string): ParsedValue {
  const checkChoice = (v: string): string => {
    if (spec.choices && !spec.choices.includes(v)) {
      throw new UsageError(`--${name}: invalid value ${JSON.stringify(v)}; valid choices: ${spec.choices.join(', ')}`);
    }
    return v;
  };
  const num = (v: string, int: boolean): number => {
    const n = Number(v);
    const list = spec.type === 'list';
    const what = `${list ? (int ? 'integers' : 'numbers') : int ? 'an integer' : 'a number'}${rangeText(spec) ? ` ${rangeText(spec)}` : ''}`;
    if (v.trim() === '' || !Number.isFinite(n) || (int && !Number.isInteger(n))) {
      throw new UsageError(`--${name}: expected ${what}; found ${JSON.stringify(v)}`);
    }
    if (!inRange(spec, n)) throw new UsageError(`--${name}: expected ${what}; found ${n}`);
    return n;
  };
  switch (spec.type) {
    case 'string': return checkChoice(raw);
    case 'number': return num(raw, false);
    case 'int': return num(raw, true);
    case 'list': return raw.split(',').filter((s) => s !== '').map((s) => (spec.numeric ? num(s, spec.integer === true) : checkChoice(s)));
    case 'boolean': {
      if (['true', '1', 'yes'].includes(raw)) return true;
      if (['false', '0', 'no'].includes(raw)) return false;
      throw new UsageError(`--${name}: expected true or false; found ${JSON.stringify(raw)}`);
    }
  }
}

/**
 * Parses `--name value`, `--name=value`, boolean `--flag` / `--no-flag`, and positionals. Unknown
 * options are an error listing the valid ones; values are checked against their type, choices and
 * range (`min`/`max`); an option given twice is an error (a later value silently winning hides typos
 * in long command lines).
 * Keys of `values` are camelCase (`--batch-size` → batchSize).
 */
export function parseArgs(argv: readonly string[], command: CommandSpec): Parsed {
  const specs: OptionSpecs = { ...command.options, ...COMMON_OPTIONS };
  const values: Record<string, ParsedValue> = {};
  const positionals: string[] = [];
  const given = new Set<string>();
  const raws = new Map<string, string>();
  for (const [name, spec] of Object.entries(specs)) {
    const d = spec.default;
    values[camel(name)] = Array.isArray(d) ? [...d] : (d as ParsedValue);
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '-h') {
      values.help = true;
      continue;
    }
    if (!arg.startsWith('--')) {
      if (arg.startsWith('-') && arg.length > 1 && !/^-\d/.test(arg)) {
        throw new UsageError(`${command.name}: unknown option ${arg}; valid options: ${Object.keys(specs).map((n) => `--${n}`).join(', ')}`);
      }
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    let name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
    let inline: string | undefined = eq < 0 ? undefined : arg.slice(eq + 1);
    let spec = specs[name];
    if (!spec && name.startsWith('no-') && specs[name.slice(3)]?.type === 'boolean' && inline === undefined) {
      name = name.slice(3);
      spec = specs[name]!;
      inline = 'false';
    }
    if (!spec) {
      throw new UsageError(`${command.name}: unknown option --${name}; valid options: ${Object.keys(specs).map((n) => `--${n}`).join(', ')}`);
    }
    if (spec.type === 'boolean' && inline === undefined) inline = 'true';
    if (inline === undefined) {
      inline = argv[++i];
      if (inline === undefined) {
        throw new UsageError(`--${name}: expected a value${spec.choices ? ` (one of ${spec.choices.join(', ')})` : ''}; found the end of the command line`);
      }
    }
    const key = camel(name);
    if (given.has(key)) throw new UsageError(`--${name}: given twice (${raws.get(key)!}, then ${inline}); give it once`);
    given.add(key);
    raws.set(key, inline);
    values[key] = convert(spec, name, inline);
  }
  return { values, positionals, help: values.help === true, given, argv: [...argv] };
}

/** The `--help` text of a command. */
export function helpText(command: CommandSpec): string {
  const specs: OptionSpecs = { ...command.options, ...COMMON_OPTIONS };
  const rows = Object.entries(specs).map(([name, s]) => {
    const value = s.type === 'boolean' ? '' : ` <${s.placeholder ?? (s.choices ? s.choices.join('|') : s.type)}>`;
    const def = s.default === undefined || s.default === false ? '' : ` (default ${Array.isArray(s.default) ? s.default.join(',') : String(s.default)})`;
    return [`  --${name}${value}`, `${s.help}${def}`] as const;
  });
  const width = Math.min(40, Math.max(...rows.map(([l]) => l.length)) + 2);
  const lines = [
    `edora ${command.name}${command.positionals ? ` ${command.positionals}` : ''} [options]`,
    '',
    command.summary,
    ...(command.usage ? ['', command.usage] : []),
    '',
    'Options:',
    ...rows.map(([l, r]) => (l.length >= width ? `${l}\n${' '.repeat(width)}${r}` : l.padEnd(width) + r)),
  ];
  return lines.join('\n') + '\n';
}
