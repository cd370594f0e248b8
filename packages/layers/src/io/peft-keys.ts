/**
 * Key names of PEFT adapter files (SEMANTICS.md, "Adapter files"): PEFT prefixes the model's own
 * paths with `base_model.model.` and drops the adapter name (`.default`). That drop is why the
 * EDoRA authors' R, registered as `<module>.default_lora_latent_mapping`, is saved as
 * `<module>_lora_latent_mapping.weight`; loading accepts both spellings.
 */
export const PEFT_PREFIX = 'base_model.model.';

/** Our parameter names on AdaptedLinear and their file-key spelling after the module path. */
export const ADAPTER_KEY_SUFFIX: Readonly<Record<string, string>> = {
  lora_A: '.lora_A.weight',
  lora_B: '.lora_B.weight',
  lora_magnitude_vector: '.lora_magnitude_vector',
  lora_latent_mapping: '_lora_latent_mapping.weight',
};

const LATENT_ALT = '.default_lora_latent_mapping.weight';

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
