import { ArgumentError, assign, embedding, noGrad, type Tensor } from '@edora/tensor';
import { Module } from './module.js';
import { normal, type InitOptions } from './init.js';

export interface EmbeddingOptions extends Omit<InitOptions, 'offset'> {
  /** Row kept at zero at init (torch's padding_idx). */
  paddingIdx?: number;
}

/**
 * A lookup table [num, dim] initialized N(0, 1) as torch.nn.Embedding, the padding row zeroed.
 * Note: unlike torch, the padding row still receives gradient if the table is trained; encoders
 * here keep embeddings frozen, and a loaded checkpoint sets the row anyway.
 */
export class Embedding extends Module {
  readonly numEmbeddings: number;
  readonly embeddingDim: number;
  readonly paddingIdx: number | undefined;
  weight: Tensor;

  constructor(numEmbeddings: number, embeddingDim: number, options: EmbeddingOptions = {}) {
    super();
    const { paddingIdx, ...init } = options;
    if (paddingIdx !== undefined && !(Number.isInteger(paddingIdx) && paddingIdx >= 0 && paddingIdx < numEmbeddings)) {
      throw new ArgumentError(`Embedding: paddingIdx must be an integer in [0, ${numEmbeddings}), got ${paddingIdx}`);
    }
    this.numEmbeddings = numEmbeddings;
    this.embeddingDim = embeddingDim;
    this.paddingIdx = paddingIdx;
    const w = normal([numEmbeddings, embeddingDim], 1, init);
    if (paddingIdx !== undefined) noGrad(() => assign(w.slice(0, paddingIdx, paddingIdx + 1), 0));
    this.weight = this.registerParameter('weight', w.requiresGrad_());
  }

  /** ids: int32 of any shape → [...ids.shape, dim]. */
  forward(ids: Tensor): Tensor {
    return embedding(this.weight, ids);
  }
}
