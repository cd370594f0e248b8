import { ArgumentError, ShapeError, matmulBiasAct, shapeStr, type Tensor } from '@edora/tensor';
import { Module } from './module.js';
import { kaimingUniform, parameterInit, uniform, zerosInit, type InitOptions, type LayerInitOptions } from './init.js';

export interface LinearOptions extends Omit<InitOptions, 'offset'>, LayerInitOptions {
  /** Default true. */
  bias?: boolean;
  /**
   * Use these tensors instead of a random init (weights from a checkpoint, or stride-0 views for
   * shape-only trees). weight [out, in], bias [out] or null; their requiresGrad flags are kept.
   */
  tensors?: { weight: Tensor; bias: Tensor | null };
}

/** What every Linear-shaped module offers: a base Linear and the adapters that wrap one. */
export interface LinearLike extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  forward(x: Tensor): Tensor;
}

/**
 * y = x·Wᵀ + b with W [out, in] as torch.nn.Linear stores it, initialized as nn.Linear does:
 * W ~ kaiming-uniform(a = √5) = U(−1/√in, 1/√in), b ~ U(−1/√in, 1/√in). With a seed, the bias
 * takes the numbers after the weight's in the same stream. `init: 'none'` leaves both zero.
 */
export class Linear extends Module implements LinearLike {
  readonly inFeatures: number;
  readonly outFeatures: number;
  weight: Tensor;
  bias: Tensor | null;

  constructor(inFeatures: number, outFeatures: number, options: LinearOptions = {}) {
    super();
    if (!(Number.isInteger(inFeatures) && inFeatures > 0 && Number.isInteger(outFeatures) && outFeatures > 0)) {
      throw new ArgumentError(`Linear: expected positive integer sizes, got in=${inFeatures}, out=${outFeatures}`);
    }
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    const { bias = true, tensors, ...draw } = options;
    const init = parameterInit('Linear', options);
    if (tensors) {
      const { weight: w, bias: b } = tensors;
      if (shapeStr(w.shape) !== shapeStr([outFeatures, inFeatures]) || (b && shapeStr(b.shape) !== shapeStr([outFeatures]))) {
        throw new ShapeError(
          `Linear(${inFeatures}, ${outFeatures}): expected weight [${outFeatures}, ${inFeatures}] and bias [${outFeatures}], got ${shapeStr(w.shape)} and ${b ? shapeStr(b.shape) : 'null'}`,
        );
      }
      this.weight = this.registerParameter('weight', w);
      this.bias = this.registerParameter('bias', b);
      return;
    }
    if (init === 'none') {
      this.weight = this.registerParameter('weight', zerosInit([outFeatures, inFeatures], draw).requiresGrad_());
      this.bias = this.registerParameter('bias', bias ? zerosInit([outFeatures], draw).requiresGrad_() : null);
      return;
    }
    this.weight = this.registerParameter('weight', kaimingUniform([outFeatures, inFeatures], draw).requiresGrad_());
    const bound = 1 / Math.sqrt(inFeatures);
    const biasDraw = draw.seed === undefined ? draw : { ...draw, offset: outFeatures * inFeatures };
    this.bias = this.registerParameter('bias', bias ? uniform([outFeatures], -bound, bound, biasDraw).requiresGrad_() : null);
  }

  /** A Linear around existing tensors (see `LinearOptions.tensors`). */
  static fromTensors(weight: Tensor, bias: Tensor | null): Linear {
    if (weight.rank !== 2) throw new ShapeError(`Linear.fromTensors: expected weight [out, in], got ${shapeStr(weight.shape)}`);
    return new Linear(weight.shape[1]!, weight.shape[0]!, { tensors: { weight, bias } });
  }

  forward(x: Tensor): Tensor {
    return matmulBiasAct(x, this.weight, this.bias, 'none', { transB: true });
  }
}
