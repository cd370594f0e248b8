export { type RobertaBuildOptions } from './options.js';
export { initRobertaWeights } from './init.js';
export { RobertaEmbeddings, robertaPositionIds } from './embeddings.js';
export { RobertaSelfAttention, RobertaSelfOutput, RobertaAttention } from './attention.js';
export { RobertaIntermediate, RobertaOutput, RobertaLayer, RobertaEncoder } from './layer.js';
export { RobertaModel, additiveAttentionMask, MASK_VALUE, type RobertaInputs, type RobertaModelOutput, type RobertaOutputOptions } from './model.js';
export { RobertaClassificationHead, RobertaForSequenceClassification } from './sequence-classification.js';
export { RobertaLMHead, RobertaForMaskedLM } from './masked-lm.js';
export { ROBERTA_ADAPTER_TARGETS, ROBERTA_HEAD, headAndAdapterGroups, sequenceClassifierOf, type TokenBatch } from './fine-tuning.js';
