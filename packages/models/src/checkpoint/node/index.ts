export { safetensorsFileSource } from './file-source.js';
export { checkpointFolderSource, directoryFolder } from './folder-source.js';
export { fromPretrained, saveModel, type SaveModelOptions } from './pretrained.js';
