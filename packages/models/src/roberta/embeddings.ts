import { add, cast, matmul, mul, ne, tensor, tidy, zeros, type Tensor } from '@edora/tensor';
import { Dropout, Embedding, LayerNorm, Module } from '@edora/layers';
import type { RobertaConfig } from '../config/roberta-config.js';
import type { LayerOptions } from './options.js';

/**
 * RoBERTa's position ids, on the device: padding_idx + the running count of non-pad tokens, and
 * padding_idx itself at pad tokens (HF `create_position_ids_from_input_ids`). The running count is
 * a product with an upper-triangular matrix of ones, exact in float32 for any realistic length.
 */
export function robertaPositionIds(inputIds: Tensor, padTokenId: number): Tensor {
  return tidy(() => {
    const T = inputIds.shape[1]!;
    const tri = new Float32Array(T * T);
    for (let j = 0; j < T; j++) for (let t = j; t < T; t++) tri[j * T + t] = 1;
    const real = ne(inputIds, padTokenId); // float32 1/0
    const count = matmul(real, tensor(tri, [T, T], { backend: inputIds.backend }));
    return cast(add(mul(count, real), padTokenId), 'int32');
  });
}

/** word + position + token-type (type 0) embeddings, then LayerNorm and dropout. */
export class RobertaEmbeddings extends Module {
  readonly padTokenId: number;
  readonly word_embeddings: Embedding;
  readonly position_embeddings: Embedding;
  readonly token_type_embeddings: Embedding;
  readonly LayerNorm: LayerNorm;
  readonly dropout: Dropout;

  constructor(config: RobertaConfig, o: LayerOptions) {
    super();
    this.padTokenId = config.padTokenId;
    const h = config.hiddenSize;
    this.word_embeddings = this.registerModule('word_embeddings', new Embedding(config.vocabSize, h, { ...o, paddingIdx: config.padTokenId }));
    this.position_embeddings = this.registerModule(
      'position_embeddings',
      new Embedding(config.maxPositionEmbeddings, h, { ...o, paddingIdx: config.padTokenId }),
    );
    this.token_type_embeddings = this.registerModule('token_type_embeddings', new Embedding(config.typeVocabSize, h, o));
    this.LayerNorm = this.registerModule('LayerNorm', new LayerNorm(h, { ...o, eps: config.layerNormEps }));
    this.dropout = this.registerModule('dropout', new Dropout(config.hiddenDropoutProb));
  }

  /** inputIds: int32 [B, T] → [B, T, hidden]. */
  forward(inputIds: Tensor): Tensor {
    return tidy(() => {
      const positions = robertaPositionIds(inputIds, this.padTokenId);
      const types = zeros(inputIds.shape, { dtype: 'int32', backend: inputIds.backend });
      const sum = add(add(this.word_embeddings.forward(inputIds), this.token_type_embeddings.forward(types)), this.position_embeddings.forward(positions));
      return this.dropout.forward(this.LayerNorm.forward(sum));
    });
  }
}
