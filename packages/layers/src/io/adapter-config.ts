import { AdapterFileError } from '../errors.js';
import { METHOD_TRAITS, checkMethod } from '../adapters/methods.js';
import { resolveAdapterOptions, type AdapterConfig } from '../adapters/apply.js';

export interface AdapterConfigJsonOptions {
  /** `base_model_name_or_path` (e.g. "roberta-base"); default null. */
  baseModelNameOrPath?: string | null;
  /** PEFT task type, default "SEQ_CLS". */
  taskType?: string;
}

/**
 * PEFT's LoraConfig as `adapter_config.json`. LoRA and DoRA files are plain PEFT files. EDoRA and
 * LoRA-XS have no PEFT type, so their files add an `edora` object (method, init, sigma) that
 * PEFT does not know; `use_dora` is true for EDoRA since it carries DoRA's magnitude vector.
 */
export function adapterConfigJson(config: AdapterConfig, options: AdapterConfigJsonOptions = {}): Record<string, unknown> {
  const traits = METHOD_TRAITS[config.method];
  const json: Record<string, unknown> = {
    alpha_pattern: {},
    auto_mapping: null,
    base_model_name_or_path: options.baseModelNameOrPath ?? null,
    bias: 'none',
    fan_in_fan_out: false,
    inference_mode: true,
    init_lora_weights: true,
    layers_pattern: null,
    layers_to_transform: null,
    lora_alpha: config.alpha,
    lora_dropout: config.dropout,
    modules_to_save: config.modulesToSave.length ? config.modulesToSave : null,
    peft_type: 'LORA',
    r: config.r,
    rank_pattern: {},
    revision: null,
    target_modules: config.targetModules,
    task_type: options.taskType ?? 'SEQ_CLS',
    use_dora: traits.hasMagnitude,
    use_rslora: false,
  };
  if (traits.hasR) json.edora = { method: config.method, init: config.init, sigma: config.sigma };
  return json;
}

/** Reads `adapter_config.json` (ours or PEFT's) into an AdapterConfig; rejects what we cannot reproduce. */
export function parseAdapterConfig(text: string, source = 'adapter_config.json'): AdapterConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new AdapterFileError(`${source}: not valid JSON (${(e as Error).message})`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new AdapterFileError(`${source}: expected a JSON object`);
  const c = raw as Record<string, unknown>;
  const problems: string[] = [];
  if (c.peft_type !== 'LORA') problems.push(`peft_type must be "LORA", got ${JSON.stringify(c.peft_type)}`);
  if (c.use_rslora === true) problems.push('use_rslora = true is not supported (scaling alpha/√r)');
  if (c.fan_in_fan_out === true) problems.push('fan_in_fan_out = true is not supported (Conv1D weights)');
  for (const k of ['rank_pattern', 'alpha_pattern'] as const) {
    if (c[k] && typeof c[k] === 'object' && Object.keys(c[k] as object).length) problems.push(`${k} is not supported (per-module ranks/alphas)`);
  }
  if (c.layers_to_transform != null) problems.push('layers_to_transform is not supported');
  if (c.bias !== undefined && c.bias !== 'none') problems.push(`bias must be "none", got ${JSON.stringify(c.bias)}`);
  const ed = c.edora as Record<string, unknown> | undefined;
  if (problems.length) throw new AdapterFileError(`${source}: ${problems.join('; ')}`, problems);
  const method = ed ? checkMethod(ed.method) : c.use_dora === true ? 'dora' : 'lora';
  try {
    return resolveAdapterOptions({
      method,
      r: c.r as number,
      alpha: c.lora_alpha as number,
      dropout: (c.lora_dropout as number | undefined) ?? 0,
      targetModules: c.target_modules as string[],
      modulesToSave: (c.modules_to_save as string[] | null) ?? [],
      ...(ed ? { init: ed.init as 'svd' | 'random', sigma: ed.sigma as number } : {}),
    });
  } catch (e) {
    throw new AdapterFileError(`${source}: ${(e as Error).message}`);
  }
}
