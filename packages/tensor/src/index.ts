/**
 * @edora/tensor — tensors, autograd, the BackendV1 contract and registry, the pure-TypeScript
 * cpu backend, the counter-based RNG and safetensors. Browser-safe; Node file helpers live in
 * `@edora/tensor/node`, what a backend author builds on in `@edora/tensor/backend-kit`, the
 * backend test suite in `@edora/tensor/conformance`.
 */
export * from './errors.js';
export { formatValue, type FormatValueOptions } from '@edora/errors';
export * from './dtype.js';
export * from './shape.js';
export * from './backend/contract.js';
export {
  registerBackend, registeredBackends, initBackend, findBackend, setBackend, useBackend, getBackend, disposeBackend,
} from './backend/registry.js';
export { backendStats, type BackendStats } from './backend/stats.js';
export type { FallbackCounts } from './backend/kit/fallback-stats.js';
export { CpuBackend } from './backend/cpu/index.js';
export { Tensor, Storage, tensorStats } from './tensor.js';
export { tidy, keep } from './scope.js';
export { noGrad, enableGrad, isGradEnabled } from './autograd/grad-mode.js';
export { backward } from './autograd/backward.js';
export { manualSeed, getRngState, setRngState, type RngState } from './rng/generator.js';
export {
  tensor, scalar, full, zeros, ones, zerosLike, onesLike, arange, rand, randn, bernoulli,
  type CreateOptions, type RandomOptions,
} from './ops/creation.js';
export {
  reshape, flatten, permute, transpose, slice, expand, squeeze, unsqueeze, contiguous, clone, cast,
} from './ops/views.js';
export {
  add, sub, mul, div, pow, maximum, minimum, eq, ne, lt, le, gt, ge, neg, abs, sign, exp, log, sqrt, rsqrt,
  reciprocal, square, tanh, erf, sigmoid, relu, gelu, geluBackward, where, clamp, type Operand,
} from './ops/elementwise.js';
export { sum, mean, max, argmax, norm, sumToShape } from './ops/reduce.js';
export { matmul, matmulBiasAct, type MatmulOptions } from './ops/matmul.js';
export {
  softmax, logSoftmax, softmaxDropout, layerNorm, dropout, embedding, crossEntropy, mse, rowNorm,
  type DropoutOptions, type CrossEntropyOptions, type EmbeddingOptions,
} from './ops/nn.js';
export { concat, stack } from './ops/combine.js';
export { assign, adamwStep } from './ops/inplace.js';
export { moveTo } from './ops/move.js';
export { disableFusedOps } from './ops/dispatch.js';
export * from './io/index.js';
