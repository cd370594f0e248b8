/**
 * A sweep spec: a JSON or YAML file of `edora train` options, where the grid keys (task, methods,
 * ranks, sigmas, lrs, cls-lrs, seeds) take lists. It is checked key by key against the command's
 * option specs, so a typo or a wrong type is an error naming the file, the line and the key.
 */
import { readFile } from 'node:fs/promises';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import { EdoraError } from '@edora/tensor';
import { TASK_NAMES } from '@edora/glue';
import { MAX_SEED, camel, inRange, rangeText, type OptionSpec, type OptionSpecs, type ParsedValue } from '../args.js';
import { METHODS } from '../setup.js';

/** A sweep spec that does not parse or does not fit the options: the message names the file, line and key. */
export class SweepSpecError extends EdoraError {
  constructor(message: string) {
    super('E_SWEEP_SPEC', message);
  }
}

/** The authors' learning rates, for the adapter and the head alike (SEMANTICS.md). */
const PAPER_LRS = [1e-3, 5e-4, 1e-4, 5e-3, 6e-4];

/** The options that span the grid; a spec may give each a list or a single value. */
export const GRID_OPTIONS: OptionSpecs = {
  methods: { type: 'list', choices: METHODS, default: ['edora'], help: 'methods' },
  ranks: { type: 'list', numeric: true, integer: true, min: 1, default: [4, 8, 12, 16, 20, 25, 32], help: 'ranks' },
  sigmas: { type: 'list', numeric: true, min: 0, default: [1e-5, 5e-6], help: 'σ of R at init (EDoRA, LoRA-XS)' },
  lrs: { type: 'list', numeric: true, min: 0, minExclusive: true, default: PAPER_LRS, help: 'adapter learning rates' },
  'cls-lrs': { type: 'list', numeric: true, min: 0, minExclusive: true, default: PAPER_LRS, help: 'head learning rates' },
  seeds: { type: 'list', numeric: true, integer: true, min: 0, max: MAX_SEED, default: [1, 2, 3, 4, 5], help: 'seeds' },
};

/** `edora train`'s single-valued names, accepted in a spec for the grid key they stand for. */
const SINGULAR: Record<string, string> = { method: 'methods', rank: 'ranks', lr: 'lrs', 'cls-lr': 'cls-lrs', seed: 'seeds' };

/** `task` is a grid key in a spec (one task or a list), a single value on the command line. */
const SPEC_TASK: OptionSpec = { type: 'list', choices: TASK_NAMES, help: 'GLUE tasks' };

/**
 * Named grids for `--grid` (or `grid:` in a spec). `edora-paper` is the EDoRA authors' GLUE grid
 * per task (scripts/run_glue.py, SEMANTICS.md): 7 ranks × 2 σ × 5 lrs × 5 head lrs × 5 seeds =
 * 1,750 runs, 50 epochs, batch 32, length 128 padded to max length. `smoke` is a grid of seconds on
 * the embedded task, for trying a cluster setup (and for the tests).
 */
export const GRIDS: Record<string, Record<string, ParsedValue>> = {
  'edora-paper': {
    methods: ['edora'], ranks: [4, 8, 12, 16, 20, 25, 32], sigmas: [1e-5, 5e-6], lrs: PAPER_LRS, clsLrs: PAPER_LRS, seeds: [1, 2, 3, 4, 5],
    epochs: 50, batchSize: 32, maxSeqLength: 128, padding: 'max_length', alpha: 16, warmupRatio: 0.06, weightDecay: 0.01, maxGradNorm: 1, init: 'svd',
  },
  smoke: {
    tasks: ['synthetic'], model: 'tiny', methods: ['edora', 'lora'], ranks: [2], sigmas: [1e-5], lrs: [1e-2], clsLrs: [1e-2], seeds: [1, 2],
    epochs: 1, batchSize: 16, maxTrainSamples: 32, maxEvalSamples: 16, maxSeqLength: 40, padding: 'longest',
  },
};
export const GRID_NAMES = Object.keys(GRIDS);

/** What a scalar option expects, for messages. */
function expected(spec: OptionSpec): string {
  const range = rangeText(spec) ? ` ${rangeText(spec)}` : '';
  switch (spec.type) {
    case 'string': return spec.choices ? `one of ${spec.choices.join(', ')}` : 'a string';
    case 'number': return `a number${range}`;
    case 'int': return `an integer${range}`;
    case 'boolean': return 'true or false';
    case 'list': {
      const element = spec.numeric ? `${spec.integer ? 'integers' : 'numbers'}${range}` : spec.choices ? `values from ${spec.choices.join(', ')}` : 'strings';
      return `a non-empty list of ${element} (or one value)`;
    }
  }
}

/** The value as the option's type, or undefined when it does not fit. */
function fit(spec: OptionSpec, v: unknown): ParsedValue | undefined {
  const isNumber = (x: unknown, int: boolean): x is number => typeof x === 'number' && Number.isFinite(x) && (!int || Number.isInteger(x)) && inRange(spec, x);
  const isChoice = (x: unknown): x is string => typeof x === 'string' && (!spec.choices || spec.choices.includes(x));
  switch (spec.type) {
    case 'string': return isChoice(v) ? v : undefined;
    case 'number': return isNumber(v, false) ? v : undefined;
    case 'int': return isNumber(v, true) ? v : undefined;
    case 'boolean': return typeof v === 'boolean' ? v : undefined;
    case 'list': {
      const xs = Array.isArray(v) ? v : [v];
      const ok = xs.length > 0 && xs.every((x) => (spec.numeric ? isNumber(x, spec.integer === true) : isChoice(x)));
      return ok ? (xs as (string | number)[]) : undefined;
    }
  }
}

/**
 * Reads and checks a spec file. Keys are the command-line option names without `--`
 * (`batch-size`, `cls-lrs`; `edora train`'s `method`, `rank`, `lr`, `cls-lr`, `seed` stand for the grid
 * key); `grid` names a preset the file's keys are laid over. Returns the
 * values keyed as parsed options are (camelCase), `task` as the list `tasks`.
 */
export async function readSweepSpec(path: string, options: OptionSpecs): Promise<Record<string, ParsedValue>> {
  const text = await readFile(path, 'utf8').catch((e: NodeJS.ErrnoException) => {
    throw new SweepSpecError(`sweep spec ${path}: cannot read it (${e.code ?? e.message})`);
  });
  return parseSweepSpec(text, path, options);
}

/** `readSweepSpec` on text (JSON is YAML, so one parser gives line numbers for both). */
export function parseSweepSpec(text: string, path: string, options: OptionSpecs): Record<string, ParsedValue> {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true });
  const at = (node: Node | null | undefined): string => (node?.range ? `${path}:${lines.linePos(node.range[0]).line}` : path);
  const syntax = doc.errors[0];
  if (syntax) throw new SweepSpecError(`${path}:${syntax.linePos?.[0].line ?? '?'}: not valid ${/\.json$/i.test(path) ? 'JSON' : 'YAML'}: ${syntax.message.split('\n')[0]}`);
  if (!isMap(doc.contents)) throw new SweepSpecError(`${path}: expected a mapping of option names to values; found ${doc.contents === null ? 'an empty file' : 'a ' + (isSeq(doc.contents) ? 'list' : 'single value')}`);
  const specs: OptionSpecs = { grid: { type: 'string', choices: GRID_NAMES, help: 'preset' }, ...options, task: SPEC_TASK };
  for (const [one, many] of Object.entries(SINGULAR)) if (specs[many]) specs[one] = specs[many];
  const out: Record<string, ParsedValue> = {};
  const seen = new Map<string, string>();
  for (const item of doc.contents.items) {
    const keyNode = item.key as Node;
    const key = isScalar(keyNode) ? String(keyNode.value) : String(keyNode);
    const canonical = SINGULAR[key] ?? key;
    if (seen.has(canonical)) throw new SweepSpecError(`${at(keyNode)}: key ${JSON.stringify(key)}: ${JSON.stringify(seen.get(canonical))} already gives ${canonical}; give one of them`);
    seen.set(canonical, key);
    const spec = specs[key];
    if (!spec) throw new SweepSpecError(`${at(keyNode)}: unknown key ${JSON.stringify(key)}; valid keys: ${Object.keys(specs).join(', ')}`);
    const raw: unknown = item.value == null ? null : (item.value as Node).toJSON();
    const value = fit(spec, raw);
    if (value === undefined) throw new SweepSpecError(`${at((item.value as Node | null) ?? keyNode)}: key ${JSON.stringify(key)}: expected ${expected(spec)}; found ${JSON.stringify(raw)}`);
    out[key === 'task' ? 'tasks' : camel(canonical)] = value;
  }
  return out;
}
