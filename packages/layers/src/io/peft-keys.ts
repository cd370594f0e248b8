import type { Module, Parameter } from '../module.js';
import { adapterConfigOf } from '../adapters/apply.js';

/**
 * PEFT's names (SEMANTICS.md, "Adapter files"). In files PEFT prefixes the model's own paths with
 * `base_model.model.` and drops the adapter name (`.default`). That drop is why the EDoRA
 * authors' R, registered as `<module>.default_lora_latent_mapping`, is saved as
 * `<module>_lora_latent_mapping.weight`; loading accepts both spellings. In memory
 * (`PeftModel.named_parameters()`) the adapter name stays: `….lora_A.default.weight`.
 */
export const PEFT_PREFIX = 'base_model.model.';

/** PEFT's adapter name when none is given. */
export const PEFT_ADAPTER_NAME = 'default';

/** Our parameter names on AdaptedLinear and their file-key spelling after the module path. */
export const ADAPTER_KEY_SUFFIX: Readonly<Record<string, string>> = {
  lora_A: '.lora_A.weight',
  lora_B: '.lora_B.weight',
  lora_magnitude_vector: '.lora_magnitude_vector',
  lora_latent_mapping: '_lora_latent_mapping.weight',
};

/** …and their in-memory spelling in a PeftModel (the authors' R is an attribute `default_lora_latent_mapping`). */
const PEFT_MEMORY_SUFFIX: Readonly<Record<string, string>> = {
  lora_A: `.lora_A.${PEFT_ADAPTER_NAME}.weight`,
  lora_B: `.lora_B.${PEFT_ADAPTER_NAME}.weight`,
  lora_magnitude_vector: `.lora_magnitude_vector.${PEFT_ADAPTER_NAME}`,
  lora_latent_mapping: `.${PEFT_ADAPTER_NAME}_lora_latent_mapping.weight`,
};

const LATENT_ALT = '.default_lora_latent_mapping.weight';

/**
 * PEFT's `PeftModelForSequenceClassification` adds these to the modules to save (`{"classifier",
 * "score"}`) whatever the config lists, and saves them, while `adapter_config.json` keeps
 * `modules_to_save: null`.
 */
export const PEFT_SEQ_CLS_MODULES = ['classifier', 'score'] as const;

/** The modules PEFT saves for a task type beyond those listed. */
export function peftImplicitModulesToSave(taskType: string | null, listed: readonly string[]): string[] {
  return taskType === 'SEQ_CLS' ? PEFT_SEQ_CLS_MODULES.filter((m) => !listed.includes(m)) : [];
}

/** The file key of an adapter parameter of the AdaptedLinear at `modulePath`. */
export function adapterFileKey(modulePath: string, param: string): string {
  const suffix = ADAPTER_KEY_SUFFIX[param];
  if (!suffix) throw new Error(`adapterFileKey: unknown adapter parameter ${param}`);
  return PEFT_PREFIX + modulePath + suffix;
}

/** The file key of a parameter saved whole (modulesToSave: the classification head). */
export function savedModuleFileKey(paramPath: string): string {
  return PEFT_PREFIX + paramPath;
}

/** Maps the alternative spellings a file may use onto the ones we write. */
export function canonicalFileKey(key: string): string {
  return key.endsWith(LATENT_ALT) ? key.slice(0, -LATENT_ALT.length) + ADAPTER_KEY_SUFFIX.lora_latent_mapping : key;
}

function splitLast(path: string): [string, string] {
  const dot = path.lastIndexOf('.');
  return dot < 0 ? ['', path] : [path.slice(0, dot), path.slice(dot + 1)];
}

/** The first module on the way to `paramPath` that `modulesToSave` names (PEFT wraps that one). */
function savedAncestor(paramPath: string, modulesToSave: readonly string[]): string | undefined {
  const parts = paramPath.split('.');
  for (let i = 1; i < parts.length; i++) {
    const module = parts.slice(0, i).join('.');
    if (modulesToSave.some((t) => module === t || module.endsWith(`.${t}`))) return module;
  }
  return undefined;
}

/**
 * The name PEFT gives one of our parameters in memory (`peft_model.named_parameters()`, adapter
 * "default"): `….query.lora_A` → `base_model.model.….query.lora_A.default.weight`, m →
 * `….lora_magnitude_vector.default`, R → `….default_lora_latent_mapping.weight` (the authors'
 * attribute), the frozen `….query.base_layer.weight` keeps its name, and a parameter of a module
 * to save is PEFT's trainable copy `classifier.modules_to_save.default.dense.weight`.
 * `modulesToSave` defaults to what PEFT uses for SEQ_CLS.
 */
export function peftParameterName(paramPath: string, modulesToSave: readonly string[] = PEFT_SEQ_CLS_MODULES): string {
  const [module, name] = splitLast(paramPath);
  const suffix = PEFT_MEMORY_SUFFIX[name];
  if (suffix && module) return PEFT_PREFIX + module + suffix;
  const saved = savedAncestor(paramPath, modulesToSave);
  if (saved) return `${PEFT_PREFIX}${saved}.modules_to_save.${PEFT_ADAPTER_NAME}${paramPath.slice(saved.length)}`;
  return PEFT_PREFIX + paramPath;
}

/**
 * Our parameter path for a PEFT in-memory name or file key (the inverse of `peftParameterName`
 * and of the file keys): prefix, adapter name and `modules_to_save.default` are dropped, and
 * `classifier.original_module.*` (PEFT's frozen copy of a module to save) maps to the module too.
 */
export function parameterNameFromPeft(peftName: string): string {
  let p = peftName.startsWith(PEFT_PREFIX) ? peftName.slice(PEFT_PREFIX.length) : peftName;
  p = p.replace(`.modules_to_save.${PEFT_ADAPTER_NAME}.`, '.').replace('.original_module.', '.');
  for (const [ours, suffix] of Object.entries(PEFT_MEMORY_SUFFIX)) {
    if (p.endsWith(suffix)) return `${p.slice(0, -suffix.length)}.${ours}`;
  }
  for (const [ours, suffix] of Object.entries(ADAPTER_KEY_SUFFIX)) {
    if (p.endsWith(suffix)) return `${p.slice(0, -suffix.length)}.${ours}`;
  }
  return p;
}

/**
 * Every parameter of a model under the name PEFT gives it in memory (see `peftParameterName`),
 * as `peft_model.named_parameters()` lists them, with the model's modules to save plus PEFT's
 * SEQ_CLS ones. PEFT also holds a frozen `original_module` copy of each module to save; we hold
 * one tensor, listed under the trainable copy's name.
 */
export function peftNamedParameters(model: Module): [string, Parameter][] {
  const saved = [...new Set([...(adapterConfigOf(model)?.modulesToSave ?? []), ...PEFT_SEQ_CLS_MODULES])];
  return model.namedParameters().map(([name, p]) => [peftParameterName(name, saved), p]);
}
