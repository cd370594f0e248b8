import { layerNorm, ones, zeros, type BackendV1, type DType, type Tensor } from '@edora/tensor';
import { Module } from './module.js';
import { parameterInit, type LayerInitOptions } from './init.js';

export interface LayerNormOptions extends LayerInitOptions {
  /** Default 1e-5 (torch and RoBERTa's config). */
  eps?: number;
  dtype?: DType;
  backend?: BackendV1 | string;
}

/**
 * LayerNorm over the last dimension with weight (ones) and bias (zeros), as torch.nn.LayerNorm
 * (`init: 'none'`: both zero, to be written by the caller).
 */
export class LayerNorm extends Module {
  readonly normalizedShape: number;
  readonly eps: number;
  weight: Tensor;
  bias: Tensor;

  constructor(dim: number, options: LayerNormOptions = {}) {
    super();
    this.normalizedShape = dim;
    this.eps = options.eps ?? 1e-5;
    const o = { dtype: options.dtype, backend: options.backend };
    const weight = parameterInit('LayerNorm', options) === 'none' ? zeros([dim], o) : ones([dim], o);
    this.weight = this.registerParameter('weight', weight.requiresGrad_());
    this.bias = this.registerParameter('bias', zeros([dim], o).requiresGrad_());
  }

  forward(x: Tensor): Tensor {
    return layerNorm(x, this.weight, this.bias, this.eps);
  }
}
