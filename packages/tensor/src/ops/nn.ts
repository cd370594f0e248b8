// The nn ops, one file per family (softmax, softmax with dropout, layer norm, dropout, embedding, losses, row norm).
export { softmax, logSoftmax, softmaxForward, softmaxBackward } from './nn/softmax.js';
export { layerNorm, type LayerNormStats } from './nn/layer-norm.js';
export { dropout, type DropoutOptions } from './nn/dropout.js';
export { embedding, type EmbeddingOptions } from './nn/embedding.js';
export { crossEntropy, mse, type CrossEntropyOptions } from './nn/losses.js';
export { rowNorm } from './nn/row-norm.js';
export { softmaxDropout } from './nn/softmax-dropout.js';
