import { matmulBiasAct, type Tensor } from '@edora/tensor';
import { ArgumentError } from '@edora/tensor';
import { Module } from './module.js';
import { kaimingUniform, uniform, type InitOptions } from './init.js';

export interface LinearOptions extends Omit<InitOptions, 'offset'> {
  /** Default true. */
  bias?: boolean;
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
 * takes the numbers after the weight's in the same stream.
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
    const { bias = true, ...init } = options;
    this.weight = this.registerParameter('weight', kaimingUniform([outFeatures, inFeatures], init).requiresGrad_());
    const bound = 1 / Math.sqrt(inFeatures);
    const biasInit = init.seed === undefined ? init : { ...init, offset: outFeatures * inFeatures };
    this.bias = this.registerParameter('bias', bias ? uniform([outFeatures], -bound, bound, biasInit).requiresGrad_() : null);
  }

  forward(x: Tensor): Tensor {
    return matmulBiasAct(x, this.weight, this.bias, 'none', { transB: true });
  }
}
