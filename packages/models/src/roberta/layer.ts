import { add, gelu, tidy, type Tensor } from '@edora/tensor';
import { Dropout, LayerNorm, Linear, Module, ModuleList, type LinearLike } from '@edora/layers';
import type { RobertaConfig } from '../config/roberta-config.js';
import { RobertaAttention } from './attention.js';
import type { LayerOptions } from './options.js';

/** intermediate: dense then exact (erf) GELU. */
export class RobertaIntermediate extends Module {
  dense: LinearLike;

  constructor(config: RobertaConfig, o: LayerOptions) {
    super();
    this.dense = this.registerModule('dense', new Linear(config.hiddenSize, config.intermediateSize, o));
  }

  forward(x: Tensor): Tensor {
    return tidy(() => gelu(this.dense.forward(x)));
  }
}

/** output: dense back to hidden, dropout, residual add, LayerNorm. */
export class RobertaOutput extends Module {
  dense: LinearLike;
  readonly LayerNorm: LayerNorm;
  readonly dropout: Dropout;

  constructor(config: RobertaConfig, o: LayerOptions) {
    super();
    this.dense = this.registerModule('dense', new Linear(config.intermediateSize, config.hiddenSize, o));
    this.LayerNorm = this.registerModule('LayerNorm', new LayerNorm(config.hiddenSize, { ...o, eps: config.layerNormEps }));
    this.dropout = this.registerModule('dropout', new Dropout(config.hiddenDropoutProb));
  }

  forward(hidden: Tensor, residual: Tensor): Tensor {
    return tidy(() => this.LayerNorm.forward(add(this.dropout.forward(this.dense.forward(hidden)), residual)));
  }
}

/** One encoder layer: attention, then the feed-forward block. */
export class RobertaLayer extends Module {
  readonly attention: RobertaAttention;
  readonly intermediate: RobertaIntermediate;
  readonly output: RobertaOutput;

  constructor(config: RobertaConfig, o: LayerOptions) {
    super();
    this.attention = this.registerModule('attention', new RobertaAttention(config, o));
    this.intermediate = this.registerModule('intermediate', new RobertaIntermediate(config, o));
    this.output = this.registerModule('output', new RobertaOutput(config, o));
  }

  forward(x: Tensor, additiveMask: Tensor): Tensor {
    return tidy(() => this.forwardWithProbs(x, additiveMask).output);
  }

  /** The layer's output and its attention probabilities [B, heads, T, T]. */
  forwardWithProbs(x: Tensor, additiveMask: Tensor): { output: Tensor; probs: Tensor } {
    return tidy(() => {
      const { output: a, probs } = this.attention.forwardWithProbs(x, additiveMask);
      return { output: this.output.forward(this.intermediate.forward(a), a), probs };
    });
  }
}

/** `encoder.layer.{i}`. */
export class RobertaEncoder extends Module {
  readonly layer: ModuleList<RobertaLayer>;

  constructor(config: RobertaConfig, o: LayerOptions) {
    super();
    this.layer = this.registerModule('layer', new ModuleList(Array.from({ length: config.numHiddenLayers }, () => new RobertaLayer(config, o))));
  }

  /** Returns the output of every layer, in order. */
  forward(x: Tensor, additiveMask: Tensor): Tensor[] {
    const states: Tensor[] = [];
    let h = x;
    for (const layer of this.layer) {
      h = layer.forward(h, additiveMask);
      states.push(h);
    }
    return states;
  }

  /** Every layer's output and attention probabilities ([B, heads, T, T] each), in order. */
  forwardWithProbs(x: Tensor, additiveMask: Tensor): { states: Tensor[]; attentions: Tensor[] } {
    const states: Tensor[] = [];
    const attentions: Tensor[] = [];
    let h = x;
    for (const layer of this.layer) {
      const out = layer.forwardWithProbs(h, additiveMask);
      h = out.output;
      states.push(h);
      attentions.push(out.probs);
    }
    return { states, attentions };
  }
}
