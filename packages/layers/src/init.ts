import { ArgumentError, rand, randn, zeros, type BackendV1, type DType, type Tensor } from '@edora/tensor';

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

/**
 * How a layer fills its parameters when it is constructed. 'default': as torch.nn initializes that
 * layer. 'none': no random number is drawn and every parameter is left zero, for parameters that
 * are written next anyway (a checkpoint streamed in, or a model-wide init such as HF's): nothing
 * is drawn twice, and no temporary tensor is made.
 */
export type ParameterInit = 'default' | 'none';

/** The `init` option of Linear, Embedding and LayerNorm. */
export interface LayerInitOptions {
  /** Default 'default'; see `ParameterInit`. */
  init?: ParameterInit;
}

const PARAMETER_INITS: readonly ParameterInit[] = ['default', 'none'];

/** The `init` option of a layer, checked (an unknown value would silently mean 'default'). */
export function parameterInit(layer: string, options: LayerInitOptions): ParameterInit {
  const init = options.init ?? 'default';
  if (!PARAMETER_INITS.includes(init)) {
    throw new ArgumentError(`${layer}: init must be one of ${PARAMETER_INITS.map((c) => `'${c}'`).join(', ')}, got ${JSON.stringify(init)}`);
  }
  return init;
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
