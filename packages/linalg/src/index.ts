/**
 * @edora/linalg — SVD (randomized truncated and full), QR, symmetric eigen, Cholesky and triangular
 * solves. Big products run on the tensor's backend; small factorizations on the host in float64.
 * Browser-safe: no Node APIs anywhere.
 */
export { svdLowRank, type SVDResult, type RandomizedSvdOptions } from './svd-low-rank.js';
export { svd, qr, eigh, cholesky, solveTriangular } from './decompositions.js';
export { topLeftSingularVectors, topLeftSingularVectorsBatch } from './top-singular-vectors.js';
export { TensorOperator } from './tensor-operator.js';
export { NonFiniteError, NotPositiveDefiniteError, SingularMatrixError, ConvergenceError } from './errors.js';
export type { TriangularSolveOptions } from './host/triangular.js';
export type { Normalizer } from './host/normalize.js';
export * as host from './host/index.js';
