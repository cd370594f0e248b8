import type { RobertaConfig } from '../config/roberta-config.js';
import type { RobertaTask } from './pretrained.js';

/**
 * The parameters a RoBERTa of `config` builds for `task` — names, shapes and order as
 * `model.namedParameters()` gives them — computed without building anything, so a loader can
 * check a config against a checkpoint's header before allocating (a 750-byte config.json saying
 * `num_hidden_layers: 4194304` must not build 4 million layers first). A test holds this list
 * equal to what the models build.
 */
export function* robertaParameterShapes(config: RobertaConfig, task: RobertaTask): Generator<[string, number[]]> {
  const h = config.hiddenSize;
  const enc = task === 'encoder' ? '' : 'roberta.';
  const linear = function* (name: string, out: number, inF: number): Generator<[string, number[]]> {
    yield [`${name}.weight`, [out, inF]];
    yield [`${name}.bias`, [out]];
  };
  const norm = function* (name: string): Generator<[string, number[]]> {
    yield [`${name}.weight`, [h]];
    yield [`${name}.bias`, [h]];
  };
  yield [`${enc}embeddings.word_embeddings.weight`, [config.vocabSize, h]];
  yield [`${enc}embeddings.position_embeddings.weight`, [config.maxPositionEmbeddings, h]];
  yield [`${enc}embeddings.token_type_embeddings.weight`, [config.typeVocabSize, h]];
  yield* norm(`${enc}embeddings.LayerNorm`);
  for (let i = 0; i < config.numHiddenLayers; i++) {
    const layer = `${enc}encoder.layer.${i}`;
    for (const p of ['query', 'key', 'value']) yield* linear(`${layer}.attention.self.${p}`, h, h);
    yield* linear(`${layer}.attention.output.dense`, h, h);
    yield* norm(`${layer}.attention.output.LayerNorm`);
    yield* linear(`${layer}.intermediate.dense`, config.intermediateSize, h);
    yield* linear(`${layer}.output.dense`, h, config.intermediateSize);
    yield* norm(`${layer}.output.LayerNorm`);
  }
  if (task === 'sequence-classification') {
    yield* linear('classifier.dense', h, h);
    yield* linear('classifier.out_proj', config.numLabels, h);
  } else if (task === 'masked-lm') {
    // lm_head.decoder.weight is tied to the word embeddings: not a parameter of its own
    yield ['lm_head.bias', [config.vocabSize]];
    yield* linear('lm_head.dense', h, h);
    yield* norm('lm_head.layer_norm');
  }
}

/** Parameter tensors and elements of that model, in closed form (no enumeration of layers). */
export function robertaParameterCount(config: RobertaConfig, task: RobertaTask): { tensors: number; elements: number } {
  const h = config.hiddenSize;
  const i = config.intermediateSize;
  const perLayer = 4 * (h * h + h) + 2 * h + (i * h + i) + (h * i + h) + 2 * h;
  let tensors = 5 + 16 * config.numHiddenLayers;
  let elements = (config.vocabSize + config.maxPositionEmbeddings + config.typeVocabSize) * h + 2 * h + config.numHiddenLayers * perLayer;
  if (task === 'sequence-classification') {
    tensors += 4;
    elements += h * h + h + config.numLabels * h + config.numLabels;
  } else if (task === 'masked-lm') {
    tensors += 5;
    elements += config.vocabSize + h * h + h + 2 * h;
  }
  return { tensors, elements };
}
