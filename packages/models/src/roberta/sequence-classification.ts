import { crossEntropy, mse, ShapeError, tanh, tidy, type Tensor } from '@edora/tensor';
import { Dropout, Linear, Module, type LinearLike } from '@edora/layers';
import type { RobertaConfig } from '../config/roberta-config.js';
import { headSeed, initRobertaWeights } from './init.js';
import { RobertaModel, type RobertaInputs, type RobertaModelOutput, type RobertaOutputOptions } from './model.js';
import { layerOptions, type RobertaBuildOptions } from './options.js';

/** `classifier`: the `<s>` token's features → dropout, dense, tanh, dropout, out_proj. */
export class RobertaClassificationHead extends Module {
  dense: LinearLike;
  readonly dropout: Dropout;
  out_proj: LinearLike;

  constructor(config: RobertaConfig, o: RobertaBuildOptions) {
    super();
    const lo = layerOptions(o);
    this.dense = this.registerModule('dense', new Linear(config.hiddenSize, config.hiddenSize, lo));
    this.dropout = this.registerModule('dropout', new Dropout(config.classifierDropout ?? config.hiddenDropoutProb));
    this.out_proj = this.registerModule('out_proj', new Linear(config.hiddenSize, config.numLabels, lo));
  }

  /** features: [B, T, hidden] → logits [B, numLabels]. */
  forward(features: Tensor): Tensor {
    return tidy(() => {
      const [B, , H] = features.shape as [number, number, number];
      const first = features.slice(1, 0, 1).reshape([B, H]);
      const x = tanh(this.dense.forward(this.dropout.forward(first)));
      return this.out_proj.forward(this.dropout.forward(x));
    });
  }
}

/**
 * RoBERTa with a sequence-classification head (`roberta.*`, `classifier.*`): classification for
 * numLabels > 1, regression (STS-B) for numLabels = 1. The head is initialized as HF does
 * (N(0, initializer_range²), biases zero).
 */
export class RobertaForSequenceClassification extends Module {
  readonly config: RobertaConfig;
  readonly roberta: RobertaModel;
  readonly classifier: RobertaClassificationHead;

  constructor(config: RobertaConfig, options: RobertaBuildOptions = {}) {
    super();
    this.config = config;
    this.roberta = this.registerModule('roberta', new RobertaModel(config, { ...options, initWeights: false }));
    this.classifier = this.registerModule('classifier', new RobertaClassificationHead(config, options));
    if (options.initWeights !== false) this.initWeights(options.seed);
  }

  /** HF's init of the encoder then the head, or of only the parameters in `only` (see `RobertaModel.initWeights`). */
  initWeights(seed?: number, only?: ReadonlySet<Tensor>): void {
    this.roberta.initWeights(seed, only);
    initRobertaWeights(this.classifier, this.config.initializerRange, headSeed(seed), only);
  }

  /** Logits [B, numLabels]. */
  forward(inputs: RobertaInputs): Tensor {
    return tidy(() => this.classifier.forward(this.roberta.forward(inputs).lastHiddenState));
  }

  /**
   * Logits with what HF's `output_hidden_states` / `output_attentions` add: the encoder's hidden
   * states and each layer's attention probabilities [B, heads, T, T] (see `RobertaModelOutput`).
   */
  forwardWithOutputs(inputs: RobertaInputs, options: RobertaOutputOptions = {}): { logits: Tensor } & Omit<RobertaModelOutput, 'lastHiddenState'> {
    return tidy(() => {
      const { lastHiddenState, ...rest } = this.roberta.forward(inputs, options);
      return { logits: this.classifier.forward(lastHiddenState), ...rest };
    });
  }

  /**
   * HF's loss: cross-entropy against int32 class labels [B] when numLabels > 1, mean squared
   * error against float labels [B] when numLabels = 1.
   */
  loss(logits: Tensor, labels: Tensor): Tensor {
    const n = logits.shape[0]!;
    if (labels.rank !== 1 || labels.shape[0] !== n) {
      throw new ShapeError(`loss: labels must be [${n}] for logits [${logits.shape.join(', ')}], got [${labels.shape.join(', ')}]`);
    }
    if (this.config.numLabels === 1) {
      if (labels.dtype === 'int32') throw new ShapeError('loss: regression (numLabels = 1) takes float labels, got int32');
      return tidy(() => mse(logits.reshape([n]), labels));
    }
    return crossEntropy(logits, labels);
  }
}
