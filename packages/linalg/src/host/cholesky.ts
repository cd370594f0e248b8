import { NotPositiveDefiniteError } from '../errors.js';
import { assertFinite, assertSquare, type HostMatrix } from './matrix.js';

/**
 * Cholesky factor L (lower triangular, positive diagonal) with A = L Lᵀ. Only the lower triangle
 * of A is read, as in LAPACK's potrf; symmetry is the caller's promise.
 */
export function cholesky(a: HostMatrix): HostMatrix {
  assertSquare(a, 'cholesky');
  assertFinite(a, 'cholesky');
  const n = a.rows;
  const A = a.data;
  const L = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    const lj = L.subarray(j * n, j * n + j);
    let d = A[j * n + j]!;
    for (let p = 0; p < j; p++) d -= lj[p]! * lj[p]!;
    if (!(d > 0)) {
      throw new NotPositiveDefiniteError(
        `cholesky: expected a symmetric positive definite ${n}×${n} matrix, but pivot ${j} is ${d}`,
      );
    }
    const ljj = Math.sqrt(d);
    L[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      const li = L.subarray(i * n, i * n + j);
      let s = A[i * n + j]!;
      for (let p = 0; p < j; p++) s -= li[p]! * lj[p]!;
      L[i * n + j] = s / ljj;
    }
  }
  return { rows: n, cols: n, data: L };
}
