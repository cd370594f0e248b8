/**
 * @edora/models — RoBERTa as HF transformers computes it (encoder, sequence-classification and
 * masked-LM heads), HF config.json and safetensors checkpoints, presets, and the byte-level BPE
 * tokenizer. Browser-safe; folder I/O (fromPretrained, saveModel) lives in `@edora/models/node`.
 */
export * from './config/index.js';
export * from './presets.js';
export * from './roberta/index.js';
export * from './checkpoint/index.js';
export * from './tokenizer/index.js';
