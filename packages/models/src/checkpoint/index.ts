export { CheckpointError, MissingWeightsError, WeightShapeError, ModelNotFoundError } from './errors.js';
export { safetensorsBytesSource, mergeSources, type TensorSource, type StoredTensor } from './source.js';
export { matchCheckpointKeys, HEAD_PREFIXES, type KeyMatch } from './keys.js';
export { checkCheckpointFits, loadWeights, type LoadReport, type LoadWeightsOptions } from './load.js';
export { robertaParameterCount, robertaParameterShapes } from './parameter-shapes.js';
export { DEFAULT_MAX_NEW_PARAMETERS, preflightLoad, type PreflightOptions } from './preflight.js';
export { INDEX_FILE, parseShardIndex, type ShardIndex } from './shard-index.js';
export { SINGLE_FILE, modelConfigText, modelToFiles, planShards, safetensorsEntries, SAFETENSORS_METADATA, type ShardPlan } from './save.js';
export { blobFolder, bytesFolder, checkpointSourceOf, safetensorsBlobSource, type ModelFolder } from './folder.js';
export { CONFIG_FILE, pretrainedFromFolder } from './folder-pretrained.js';
export {
  loadPretrainedRoberta, architectureOf, type RobertaTask, type RobertaModelFor, type PretrainedOptions, type Pretrained,
} from './pretrained.js';
