import { add, div, matmul, softmaxDropout, tidy, type Tensor } from '@edora/tensor';
import { Dropout, LayerNorm, Linear, Module, type LinearLike } from '@edora/layers';
import type { RobertaConfig } from '../config/roberta-config.js';
import type { LayerOptions } from './options.js';

/**
 * Multi-head self-attention (HF `RobertaSelfAttention`, eager): q, k, v projections split into
 * heads, scores q·kᵀ/√d plus the additive mask, softmax, dropout on the probabilities, context.
 * The projections are ordinary sub-modules at `query`, `key`, `value`, so adapters replace them
 * by path.
 */
export class RobertaSelfAttention extends Module {
  readonly numHeads: number;
  readonly headSize: number;
  query: LinearLike;
  key: LinearLike;
  value: LinearLike;
  readonly dropout: Dropout;

  constructor(config: RobertaConfig, o: LayerOptions) {
    super();
    const h = config.hiddenSize;
    this.numHeads = config.numAttentionHeads;
    this.headSize = h / config.numAttentionHeads;
    this.query = this.registerModule('query', new Linear(h, h, o));
    this.key = this.registerModule('key', new Linear(h, h, o));
    this.value = this.registerModule('value', new Linear(h, h, o));
    this.dropout = this.registerModule('dropout', new Dropout(config.attentionProbsDropoutProb));
  }

  /** x: [B, T, H]; additiveMask: [B, 1, 1, T] (0 where attended, finfo(f32).min where masked). */
  forward(x: Tensor, additiveMask: Tensor): Tensor {
    return tidy(() => this.forwardWithProbs(x, additiveMask).context);
  }

  /**
   * The context and the attention probabilities [B, heads, T, T] (after attention dropout, as HF's
   * eager attention returns them for `output_attentions`; in eval mode, exactly the softmax).
   */
  forwardWithProbs(x: Tensor, additiveMask: Tensor): { context: Tensor; probs: Tensor } {
    return tidy(() => {
      const [B, T, H] = x.shape as [number, number, number];
      const heads = (t: Tensor): Tensor => t.reshape([B, T, this.numHeads, this.headSize]).permute([0, 2, 1, 3]);
      const q = heads(this.query.forward(x));
      const k = heads(this.key.forward(x));
      const v = heads(this.value.forward(x));
      const scores = add(scaledScores(q, k, this.headSize), additiveMask);
      // the softmax and the dropout as one op, whose backward draws no mask a second time
      const probs = softmaxDropout(scores, this.dropout.p, { training: this.dropout.training });
      return { context: matmul(probs, v).permute([0, 2, 1, 3]).reshape([B, T, H]), probs };
    });
  }
}

/**
 * q·kᵀ/√d, rounded as HF's division rounds: when √d is a power of two (head sizes 16, 64, …) the
 * product's own alpha scales by 1/√d exactly, in the same pass; otherwise it is divided after.
 */
function scaledScores(q: Tensor, k: Tensor, headSize: number): Tensor {
  const root = Math.sqrt(headSize);
  if (Number.isInteger(Math.log2(root))) return matmul(q, k, { transB: true, alpha: 1 / root });
  return div(matmul(q, k, { transB: true }), root);
}

/** attention.output: dense, dropout, residual add, LayerNorm (HF `RobertaSelfOutput`). */
export class RobertaSelfOutput extends Module {
  dense: LinearLike;
  readonly LayerNorm: LayerNorm;
  readonly dropout: Dropout;

  constructor(config: RobertaConfig, o: LayerOptions) {
    super();
    this.dense = this.registerModule('dense', new Linear(config.hiddenSize, config.hiddenSize, o));
    this.LayerNorm = this.registerModule('LayerNorm', new LayerNorm(config.hiddenSize, { ...o, eps: config.layerNormEps }));
    this.dropout = this.registerModule('dropout', new Dropout(config.hiddenDropoutProb));
  }

  forward(hidden: Tensor, residual: Tensor): Tensor {
    return tidy(() => this.LayerNorm.forward(add(this.dropout.forward(this.dense.forward(hidden)), residual)));
  }
}

/** `attention` = `self` then `output` (HF `RobertaAttention`). */
export class RobertaAttention extends Module {
  readonly self: RobertaSelfAttention;
  readonly output: RobertaSelfOutput;

  constructor(config: RobertaConfig, o: LayerOptions) {
    super();
    this.self = this.registerModule('self', new RobertaSelfAttention(config, o));
    this.output = this.registerModule('output', new RobertaSelfOutput(config, o));
  }

  forward(x: Tensor, additiveMask: Tensor): Tensor {
    return tidy(() => this.forwardWithProbs(x, additiveMask).output);
  }

  /** The output and the self-attention's probabilities (see `RobertaSelfAttention.forwardWithProbs`). */
  forwardWithProbs(x: Tensor, additiveMask: Tensor): { output: Tensor; probs: Tensor } {
    return tidy(() => {
      const { context, probs } = this.self.forwardWithProbs(x, additiveMask);
      return { output: this.output.forward(context, x), probs };
    });
  }
}
