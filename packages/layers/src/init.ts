import { rand, randn, zeros, type BackendV1, type DType, type Tensor } from '@edora/tensor';

/**
 * Weight initializers, as torch.nn.init computes them, drawn from the seeded counter-based RNG:
 * with a `seed` the numbers are the same on every backend; `offset` selects a later part of the
 * same stream (so one seed can serve a weight and its bias without overlap). Without a seed the
 * default stream (`manualSeed`) is used.
 */
export interface InitOptions {
  seed?: number;
  offset?: number;
  dtype?: DType;
  backend?: BackendV1 | string;
}

/** U(−bound, bound) with bound = gain·√(3 / fanIn), gain = √(2 / (1 + a²)) (leaky-ReLU gain). */
export function kaimingUniform(shape: readonly number[], options: InitOptions & { a?: number; fanIn?: number } = {}): Tensor {
  const a = options.a ?? Math.sqrt(5);
  const fanIn = options.fanIn ?? shape[shape.length - 1] ?? 1;
  const gain = Math.sqrt(2 / (1 + a * a));
  const bound = gain * Math.sqrt(3 / fanIn);
  return uniform(shape, -bound, bound, options);
}

/** U(low, high). */
export function uniform(shape: readonly number[], low: number, high: number, options: InitOptions = {}): Tensor {
  return rand(shape, { ...options, low, high });
}

/** N(mean, std²). */
export function normal(shape: readonly number[], std: number, options: InitOptions & { mean?: number } = {}): Tensor {
  return randn(shape, { ...options, std });
}

export function zerosInit(shape: readonly number[], options: InitOptions = {}): Tensor {
  return zeros(shape, { dtype: options.dtype, backend: options.backend });
}
