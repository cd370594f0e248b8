import { EdoraError } from '@edora/tensor';

// Shape and option errors reuse the core's ShapeError / ArgumentError; the classes below are the
// failures only linear algebra has. Each message names the matrix size and the offending value.

/** An input holds NaN or ±Infinity; the message gives the first bad index (row, column). */
export class NonFiniteError extends EdoraError {
  constructor(message: string) {
    super('E_NONFINITE', message);
  }
}

/** Cholesky met a non-positive pivot: the matrix is not (numerically) symmetric positive definite. */
export class NotPositiveDefiniteError extends EdoraError {
  constructor(message: string) {
    super('E_NOT_POSITIVE_DEFINITE', message);
  }
}

/** A triangular solve met a zero on the diagonal. */
export class SingularMatrixError extends EdoraError {
  constructor(message: string) {
    super('E_SINGULAR', message);
  }
}

/** An iterative method (Jacobi sweeps, QL iterations) did not converge within its iteration cap. */
export class ConvergenceError extends EdoraError {
  constructor(message: string) {
    super('E_CONVERGENCE', message);
  }
}
