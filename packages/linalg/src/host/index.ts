// The float64 host algorithms on row-major HostMatrix values, for callers that hold plain arrays.
export { hostMatrix, identity, transpose, matmul, matmulTN, matmulNT, frobeniusNorm, type HostMatrix } from './matrix.js';
export { qr, type QR } from './qr.js';
export { cholesky } from './cholesky.js';
export { solveTriangular, type TriangularSolveOptions } from './triangular.js';
export { eigh, type SymmetricEigen } from './eigh.js';
export { svd, flipSigns, type HostSVD } from './svd.js';
export { normalize, normalizeRows, luNormalize, luNormalizeRows, cholQR2, NORMALIZERS, type Normalizer } from './normalize.js';
export { randomizedSvd, type RandomizedSvdOptions } from './randomized.js';
export type { LinearOperator } from './linear-operator.js';
export { matrixOperator } from './matrix-operator.js';
