import type { Activation, BinaryFn, RandomDist, ReduceFn, UnaryFn } from '@edora/tensor';

// The integer codes the kernels switch on; each table mirrors an enum in csrc/ (named beside it),
// and the tables are exhaustive over the contract's unions, so a new function fails to typecheck here.

/** csrc/elementwise.cu: enum U_* */
export const UNARY_CODES: Record<UnaryFn, number> = {
  neg: 0, abs: 1, sign: 2, exp: 3, log: 4, sqrt: 5, rsqrt: 6, reciprocal: 7, square: 8, tanh: 9, erf: 10, sigmoid: 11,
  relu: 12, gelu: 13,
};

/** csrc/elementwise.cu: enum B_* */
export const BINARY_CODES: Record<BinaryFn, number> = {
  add: 0, sub: 1, mul: 2, div: 3, pow: 4, max: 5, min: 6, eq: 7, ne: 8, lt: 9, le: 10, gt: 11, ge: 12,
};

/** csrc/reduce.cu: enum R_* */
export const REDUCE_CODES: Record<ReduceFn, number> = { sum: 0, max: 1, argmax: 2 };

/** csrc/random.cu: enum DIST_* */
export const DIST_CODES: Record<RandomDist, number> = { uniform: 0, normal: 1, bernoulli: 2 };

/** csrc/gemm.cu: enum ACT_* */
export const ACTIVATION_CODES: Record<Activation, number> = { none: 0, relu: 1, gelu: 2, tanh: 3 };

/** csrc/rows.cu: enum FAULT_* */
export const FAULT_OPS = ['none', 'gatherRows', 'scatterAddRows'] as const;
