import { formatValue } from '@edora/tensor';
import { AdapterFileError } from '../errors.js';
import { METHOD_TRAITS, checkMethod, type AdapterMethod } from '../adapters/methods.js';
import { resolveAdapterOptions, type AdapterConfig } from '../adapters/apply.js';
import { parseReconstrConfig, type ReconstrSettings } from './reconstr-config.js';

export interface AdapterConfigJsonOptions {
  /** `base_model_name_or_path` (e.g. "roberta-base"); default null. */
  baseModelNameOrPath?: string | null;
  /** PEFT task type, default "SEQ_CLS". */
  taskType?: string;
}

/**
 * `adapter_config.json` as PEFT 0.10.0 writes it (`LoraConfig.save_pretrained`: every dataclass
 * field, keys sorted), so `LoraConfig(**json)` — which PEFT and the EDoRA authors' loader both
 * call — accepts it: an unknown key is a TypeError there. EDoRA and LoRA-XS have no PEFT type;
 * their files are LoRA configs (`use_dora: true` for EDoRA's magnitude vector) and what PEFT
 * cannot say goes to the authors' side file, `reconstr_config.json` (see reconstr-config.ts).
 */
export function adapterConfigJson(config: AdapterConfig, options: AdapterConfigJsonOptions = {}): Record<string, unknown> {
  return {
    alpha_pattern: {},
    auto_mapping: null,
    base_model_name_or_path: options.baseModelNameOrPath ?? null,
    bias: 'none',
    fan_in_fan_out: false,
    inference_mode: true,
    init_lora_weights: true,
    layer_replication: null,
    layers_pattern: null,
    layers_to_transform: null,
    loftq_config: {},
    lora_alpha: config.alpha,
    lora_dropout: config.dropout,
    megatron_config: null,
    megatron_core: 'megatron.core',
    modules_to_save: config.modulesToSave.length ? config.modulesToSave : null,
    peft_type: 'LORA',
    r: config.r,
    rank_pattern: {},
    revision: null,
    target_modules: config.targetModules,
    task_type: options.taskType ?? 'SEQ_CLS',
    use_dora: METHOD_TRAITS[config.method].hasMagnitude,
    use_rslora: false,
  };
}

export interface ParseAdapterConfigOptions {
  /** The method, when the caller knows it; it must agree with the file's `use_dora`. */
  method?: AdapterMethod;
  /**
   * The weights hold r×r latent matrices (`…_lora_latent_mapping.weight`): the mark of an EDoRA or
   * LoRA-XS file written by the authors' code, whose config says only `use_dora`.
   */
  hasLatent?: boolean;
  /** The authors' side file `reconstr_config.json`, when there is one. */
  reconstrConfig?: { text: string; source: string };
}

/** What an `adapter_config.json` says: our AdapterConfig, plus PEFT's task type. */
export interface PeftAdapterConfig {
  config: AdapterConfig;
  /** `task_type` (PEFT adds `classifier` and `score` to the modules to save for "SEQ_CLS"). */
  taskType: string | null;
}

/**
 * Reads `adapter_config.json` (ours, PEFT's or the authors') into an AdapterConfig and rejects
 * what we cannot reproduce. The method is, in this order: `options.method`; the `edora` field of
 * files written by earlier versions of this project; EDoRA (use_dora) or LoRA-XS when the
 * weights hold latent matrices or a side file says `r_squared`; else DoRA (use_dora) or LoRA.
 */
export function readPeftAdapterConfig(text: string, source = 'adapter_config.json', options: ParseAdapterConfigOptions = {}): PeftAdapterConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new AdapterFileError(`${source}: not valid JSON (${(e as Error).message})`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new AdapterFileError(`${source}: expected a JSON object`);
  const c = raw as Record<string, unknown>;
  const problems: string[] = [];
  if (c.peft_type !== 'LORA') problems.push(`peft_type must be "LORA", got ${formatValue(c.peft_type)}`);
  if (c.use_rslora === true) problems.push('use_rslora = true is not supported (scaling alpha/√r)');
  if (c.fan_in_fan_out === true) problems.push('fan_in_fan_out = true is not supported (Conv1D weights)');
  for (const k of ['rank_pattern', 'alpha_pattern'] as const) {
    if (c[k] && typeof c[k] === 'object' && Object.keys(c[k] as object).length) problems.push(`${k} is not supported (per-module ranks/alphas)`);
  }
  if (c.layers_to_transform != null) problems.push('layers_to_transform is not supported');
  if (c.layer_replication != null) problems.push('layer_replication is not supported (it stacks copies of layers)');
  if (c.bias !== undefined && c.bias !== 'none') problems.push(`bias must be "none", got ${formatValue(c.bias)}`);
  problems.push(...fieldTypeProblems(c));
  if (problems.length) throw new AdapterFileError(`${source}: ${problems.join('; ')}`, problems);

  const useDora = c.use_dora === true;
  const legacy = c.edora as Record<string, unknown> | undefined;
  const side: ReconstrSettings | undefined = options.reconstrConfig
    ? parseReconstrConfig(options.reconstrConfig.text, options.reconstrConfig.source, c.r as number)
    : undefined;
  let method: AdapterMethod;
  if (options.method !== undefined) {
    method = checkMethod(options.method);
    const has = METHOD_TRAITS[method].hasMagnitude;
    if (has !== useDora) {
      throw new AdapterFileError(`${source}: method ${method} ${has ? 'has a magnitude vector, but the file says use_dora: false' : 'has no magnitude vector, but the file says use_dora: true'}`);
    }
  } else if (legacy) {
    method = checkMethod(legacy.method);
  } else if (options.hasLatent || side?.rSquared) {
    method = useDora ? 'edora' : 'lora-xs';
  } else {
    method = useDora ? 'dora' : 'lora';
  }
  const init = METHOD_TRAITS[method].hasR ? (legacy ?? side) : undefined;
  try {
    const config = resolveAdapterOptions({
      method,
      r: c.r as number,
      alpha: c.lora_alpha as number,
      dropout: (c.lora_dropout as number | undefined) ?? 0,
      targetModules: c.target_modules as string[],
      modulesToSave: (c.modules_to_save as string[] | null) ?? [],
      ...(init ? { init: init.init as 'svd' | 'random', sigma: init.sigma as number | undefined } : {}),
    });
    return { config, taskType: typeof c.task_type === 'string' ? c.task_type : null };
  } catch (e) {
    throw new AdapterFileError(`${source}: ${(e as Error).message}`, [], { cause: e });
  }
}

const isStringList = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string' && s.length > 0);

/**
 * The fields read from the file, checked for their JSON type first, so a wrong type is reported
 * as what was expected and found (`modules_to_save: 5` used to surface as "(o.modulesToSave ?? [])
 * is not iterable").
 */
function fieldTypeProblems(c: Record<string, unknown>): string[] {
  const checks: [string, boolean, string][] = [
    ['r', Number.isInteger(c.r) && (c.r as number) > 0, 'a positive integer'],
    ['lora_alpha', typeof c.lora_alpha === 'number' && Number.isFinite(c.lora_alpha) && c.lora_alpha > 0, 'a positive number'],
    ['lora_dropout', c.lora_dropout === undefined || (typeof c.lora_dropout === 'number' && c.lora_dropout >= 0 && c.lora_dropout < 1), 'a number in [0, 1)'],
    ['target_modules', (typeof c.target_modules === 'string' && c.target_modules !== '') || (isStringList(c.target_modules) && c.target_modules.length > 0), 'a list of module names or a regular expression'],
    ['modules_to_save', c.modules_to_save === undefined || c.modules_to_save === null || isStringList(c.modules_to_save), 'null or a list of module names'],
  ];
  return checks.filter(([, ok]) => !ok).map(([key, , expected]) => `${key}: expected ${expected}; found ${key in c ? formatValue(c[key]) : 'no such field'}`);
}

/** Reads `adapter_config.json` into an AdapterConfig (see `readPeftAdapterConfig`). */
export function parseAdapterConfig(text: string, source = 'adapter_config.json', options: ParseAdapterConfigOptions = {}): AdapterConfig {
  return readPeftAdapterConfig(text, source, options).config;
}
