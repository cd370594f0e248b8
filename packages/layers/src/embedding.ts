import { ArgumentError, assign, embedding, noGrad, type Tensor } from '@edora/tensor';
import { Module } from './module.js';
import { normal, parameterInit, zerosInit, type InitOptions, type LayerInitOptions } from './init.js';

export interface EmbeddingOptions extends Omit<InitOptions, 'offset'>, LayerInitOptions {
  /** Row zeroed at init that never receives a gradient (torch's padding_idx). */
  paddingIdx?: number;
}

/**
 * A lookup table [num, dim] as torch.nn.Embedding: initialized N(0, 1) with the padding row zeroed
 * (`init: 'none'`: all zero), and the padding row's gradient is zero however often it is looked
 * up, so training never moves it (HF RoBERTa's word and position embeddings rely on this).
 */
export class Embedding extends Module {
  readonly numEmbeddings: number;
  readonly embeddingDim: number;
  readonly paddingIdx: number | undefined;
  weight: Tensor;

  constructor(numEmbeddings: number, embeddingDim: number, options: EmbeddingOptions = {}) {
    super();
    const { paddingIdx, ...draw } = options;
    if (paddingIdx !== undefined && !(Number.isInteger(paddingIdx) && paddingIdx >= 0 && paddingIdx < numEmbeddings)) {
      throw new ArgumentError(`Embedding: paddingIdx must be an integer in [0, ${numEmbeddings}), got ${paddingIdx}`);
    }
    this.numEmbeddings = numEmbeddings;
    this.embeddingDim = embeddingDim;
    this.paddingIdx = paddingIdx;
    const shape = [numEmbeddings, embeddingDim];
    if (parameterInit('Embedding', options) === 'none') {
      this.weight = this.registerParameter('weight', zerosInit(shape, draw).requiresGrad_());
      return;
    }
    const w = normal(shape, 1, draw);
    if (paddingIdx !== undefined) noGrad(() => assign(w.slice(0, paddingIdx, paddingIdx + 1), 0));
    this.weight = this.registerParameter('weight', w.requiresGrad_());
  }

  /** ids: int32 of any shape → [...ids.shape, dim]. */
  forward(ids: Tensor): Tensor {
    return embedding(this.weight, ids, { paddingIdx: this.paddingIdx });
  }
}
