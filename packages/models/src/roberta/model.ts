import { cast, mul, ones, ShapeError, sub, tidy, type Tensor } from '@edora/tensor';
import { Module } from '@edora/layers';
import { maxSequenceLength, type RobertaConfig } from '../config/roberta-config.js';
import { RobertaEmbeddings } from './embeddings.js';
import { initRobertaWeights } from './init.js';
import { RobertaEncoder } from './layer.js';
import { layerOptions, type RobertaBuildOptions } from './options.js';

/** A padded batch. */
export interface RobertaInputs {
  /** int32 [B, T]. */
  inputIds: Tensor;
  /** [B, T], 1 for tokens to attend to and 0 for padding (int32 or float); default all ones, as HF. */
  attentionMask?: Tensor;
}

export interface RobertaModelOutput {
  /** [B, T, hidden]. */
  lastHiddenState: Tensor;
  /** With `outputHiddenStates`: the embeddings' output, then each layer's ([B, T, hidden] each). */
  hiddenStates?: Tensor[];
  /**
   * With `outputAttentions` (HF's `output_attentions`): each layer's attention probabilities,
   * [B, heads, T, T], row t the weights token t gives every token (0 on padding), after the
   * attention dropout as HF returns them (the softmax itself in eval mode).
   */
  attentions?: Tensor[];
}

/** What `RobertaModel.forward` returns beyond the last hidden state. */
export interface RobertaOutputOptions {
  outputHiddenStates?: boolean;
  outputAttentions?: boolean;
}

/** float32's lowest value, the additive mask HF uses for float32 models. */
export const MASK_VALUE = -3.4028234663852886e38;

/** [B, 1, 1, T] additive mask: 0 where attention_mask is 1, finfo(f32).min where it is 0. */
export function additiveAttentionMask(mask: Tensor, dtype: Tensor['dtype']): Tensor {
  return tidy(() => {
    const [B, T] = mask.shape as [number, number];
    return mul(sub(1, cast(mask, dtype)), MASK_VALUE).reshape([B, 1, 1, T]);
  });
}

export function checkInputs(inputs: RobertaInputs, config: RobertaConfig): void {
  const { inputIds, attentionMask } = inputs;
  if (inputIds.rank !== 2 || inputIds.dtype !== 'int32') {
    throw new ShapeError(`RoBERTa: inputIds must be int32 [batch, tokens], got ${inputIds.dtype} [${inputIds.shape.join(', ')}]`);
  }
  const limit = maxSequenceLength(config);
  if (inputIds.shape[1]! > limit) {
    throw new ShapeError(
      `RoBERTa: inputIds [${inputIds.shape.join(', ')}] has ${inputIds.shape[1]} tokens; max_position_embeddings ${config.maxPositionEmbeddings} allows at most ${limit}`,
    );
  }
  if (attentionMask && (attentionMask.rank !== 2 || attentionMask.shape[0] !== inputIds.shape[0] || attentionMask.shape[1] !== inputIds.shape[1])) {
    throw new ShapeError(`RoBERTa: attentionMask [${attentionMask.shape.join(', ')}] must have inputIds' shape [${inputIds.shape.join(', ')}]`);
  }
}

/**
 * The RoBERTa encoder (HF `RobertaModel` without the pooler, as task models use it): embeddings
 * then `encoder.layer.{i}`. Module paths equal HF's, so `encoder.layer.3.attention.self.query` is
 * a Linear an adapter can replace.
 */
export class RobertaModel extends Module {
  readonly config: RobertaConfig;
  readonly embeddings: RobertaEmbeddings;
  readonly encoder: RobertaEncoder;

  constructor(config: RobertaConfig, options: RobertaBuildOptions = {}) {
    super();
    this.config = config;
    const o = layerOptions(options);
    this.embeddings = this.registerModule('embeddings', new RobertaEmbeddings(config, o));
    this.encoder = this.registerModule('encoder', new RobertaEncoder(config, o));
    if (options.initWeights !== false) this.initWeights(options.seed);
  }

  /**
   * HF's init of every parameter, or of only those in `only` (each gets the value the full init
   * with that seed gives it): what the constructor runs unless `initWeights: false`, and what
   * `loadPretrainedRoberta` runs on the parameters a checkpoint lacks.
   */
  initWeights(seed?: number, only?: ReadonlySet<Tensor>): void {
    initRobertaWeights(this, this.config.initializerRange, seed, only);
  }

  forward(inputs: RobertaInputs, options: RobertaOutputOptions = {}): RobertaModelOutput {
    checkInputs(inputs, this.config);
    return tidy(() => {
      const emb = this.embeddings.forward(inputs.inputIds);
      const mask = inputs.attentionMask ?? ones(inputs.inputIds.shape, { dtype: 'int32', backend: inputs.inputIds.backend });
      const additive = additiveAttentionMask(mask, emb.dtype);
      const { states, attentions } = options.outputAttentions
        ? this.encoder.forwardWithProbs(emb, additive)
        : { states: this.encoder.forward(emb, additive), attentions: undefined };
      const lastHiddenState = states.length ? states[states.length - 1]! : emb;
      return {
        lastHiddenState,
        ...(options.outputHiddenStates ? { hiddenStates: [emb, ...states] } : {}),
        ...(attentions ? { attentions } : {}),
      };
    });
  }
}
