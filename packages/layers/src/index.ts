/**
 * @edora/layers — the module system (Module, ModuleList, Linear, Embedding, LayerNorm, Dropout,
 * initializers) and the parameter-efficient adapters (LoRA, DoRA, EDoRA, LoRA-XS): injection by
 * target-module suffix, merging, parameter accounting and PEFT-format adapter files. Browser-safe;
 * folder I/O lives in `@edora/layers/node`.
 */
export * from './errors.js';
export { Module, ModuleList, type Parameter, type StateDict, type LoadStateDictOptions, type LoadStateDictResult } from './module.js';
export { kaimingUniform, uniform, normal, zerosInit, type InitOptions, type ParameterInit, type LayerInitOptions } from './init.js';
export { Linear, type LinearLike, type LinearOptions } from './linear.js';
export { Embedding, type EmbeddingOptions } from './embedding.js';
export { LayerNorm, type LayerNormOptions } from './layer-norm.js';
export { Dropout } from './dropout.js';
export { countParameters, type ParameterCount, type ParameterTally } from './count.js';
export {
  ADAPTER_METHODS, METHOD_TRAITS, type AdapterMethod, type AdapterInit, type MethodTraits, type NormPath,
} from './adapters/methods.js';
export { AdaptedLinear, type AdapterFactors, type AdaptedLinearOptions } from './adapters/adapted-linear.js';
export { EdoraNormCache, naiveRowNorm } from './adapters/edora-norm.js';
export { magNormScales } from './adapters/mag-norm-scales.js';
export { EDORA_SVD_DEFAULTS, initFactors, type FactorInitOptions } from './adapters/init-factors.js';
export { matchesTarget } from './adapters/targets.js';
export {
  applyAdapters, adapterConfigOf, resolveAdapterOptions,
  type AdapterOptions, type AdapterConfig, type AdapterReport, type AdaptedModuleReport,
} from './adapters/apply.js';
export { merge, unmerge, mergeAndUnload } from './adapters/merge.js';
export {
  adapterToFiles, loadAdapterFiles, ADAPTER_CONFIG_FILE, ADAPTER_WEIGHTS_FILE,
  type AdapterFiles, type LoadAdapterOptions, type LoadAdapterReport,
} from './io/adapter-files.js';
export {
  adapterConfigJson, parseAdapterConfig, readPeftAdapterConfig,
  type AdapterConfigJsonOptions, type ParseAdapterConfigOptions, type PeftAdapterConfig,
} from './io/adapter-config.js';
export { RECONSTR_CONFIG_FILE, parseReconstrConfig, reconstrConfigJson, type ReconstrSettings } from './io/reconstr-config.js';
export {
  PEFT_ADAPTER_NAME, PEFT_PREFIX, PEFT_SEQ_CLS_MODULES, adapterFileKey, canonicalFileKey, parameterNameFromPeft,
  peftImplicitModulesToSave, peftNamedParameters, peftParameterName,
} from './io/peft-keys.js';
