import { crossEntropy, gelu, matmulBiasAct, ShapeError, tidy, zeros, type Tensor } from '@edora/tensor';
import { LayerNorm, Linear, Module, type LinearLike } from '@edora/layers';
import type { RobertaConfig } from '../config/roberta-config.js';
import { headSeed, initRobertaWeights } from './init.js';
import { RobertaModel, type RobertaInputs } from './model.js';
import { layerOptions, type RobertaBuildOptions } from './options.js';

/**
 * `lm_head`: dense, GELU, layer_norm, then the decoder, whose weight is the word-embedding table
 * (tied, as in HF) plus its own bias `lm_head.bias`. The tied decoder has no parameter of its own,
 * so checkpoints hold it once, under `roberta.embeddings.word_embeddings.weight`.
 */
export class RobertaLMHead extends Module {
  dense: LinearLike;
  readonly layer_norm: LayerNorm;
  bias: Tensor;

  constructor(config: RobertaConfig, o: RobertaBuildOptions) {
    super();
    const lo = layerOptions(o);
    this.dense = this.registerModule('dense', new Linear(config.hiddenSize, config.hiddenSize, lo));
    this.layer_norm = this.registerModule('layer_norm', new LayerNorm(config.hiddenSize, { ...lo, eps: config.layerNormEps }));
    this.bias = this.registerParameter('bias', zeros([config.vocabSize], lo).requiresGrad_());
  }

  /** features [B, T, hidden], decoder [vocab, hidden] → logits [B, T, vocab]. */
  forward(features: Tensor, decoder: Tensor): Tensor {
    return tidy(() => {
      const x = this.layer_norm.forward(gelu(this.dense.forward(features)));
      return matmulBiasAct(x, decoder, this.bias, 'none', { transB: true });
    });
  }
}

/** RoBERTa with its masked-LM head (`roberta.*`, `lm_head.*`), for continued pretraining. */
export class RobertaForMaskedLM extends Module {
  readonly config: RobertaConfig;
  readonly roberta: RobertaModel;
  readonly lm_head: RobertaLMHead;

  constructor(config: RobertaConfig, options: RobertaBuildOptions = {}) {
    super();
    this.config = config;
    this.roberta = this.registerModule('roberta', new RobertaModel(config, { ...options, initWeights: false }));
    this.lm_head = this.registerModule('lm_head', new RobertaLMHead(config, options));
    if (options.initWeights !== false) this.initWeights(options.seed);
  }

  /** HF's init of the encoder then the head, or of only the parameters in `only` (see `RobertaModel.initWeights`). */
  initWeights(seed?: number, only?: ReadonlySet<Tensor>): void {
    this.roberta.initWeights(seed, only);
    initRobertaWeights(this.lm_head, this.config.initializerRange, headSeed(seed), only);
  }

  /** Logits [B, T, vocab]. */
  forward(inputs: RobertaInputs): Tensor {
    return tidy(() => this.lm_head.forward(this.roberta.forward(inputs).lastHiddenState, this.roberta.embeddings.word_embeddings.weight));
  }

  /** Mean cross-entropy over positions whose int32 label is not -100 (HF's MLM loss). */
  loss(logits: Tensor, labels: Tensor): Tensor {
    const [B, T, V] = logits.shape as [number, number, number];
    if (labels.rank !== 2 || labels.shape[0] !== B || labels.shape[1] !== T) {
      throw new ShapeError(`loss: labels must be [${B}, ${T}] for logits [${logits.shape.join(', ')}], got [${labels.shape.join(', ')}]`);
    }
    return tidy(() => crossEntropy(logits.reshape([B * T, V]), labels.reshape([B * T]), { ignoreIndex: -100 }));
  }
}
