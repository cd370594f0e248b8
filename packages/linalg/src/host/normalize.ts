import { ArgumentError } from '@edora/tensor';
import { NotPositiveDefiniteError } from '../errors.js';
import { cholesky } from './cholesky.js';
import { matmulTN, type HostMatrix } from './matrix.js';
import { qr } from './qr.js';
import { solveTriangular } from './triangular.js';

/**
 * How the power iterations of the randomized range finder keep their block well conditioned.
 * - `qr`: Householder QR, orthonormal to working precision, the safe default.
 * - `lu`: the permuted unit-lower factor P·L of a partially pivoted LU, as scikit-learn's
 *   randomized_range_finder does (cheaper, not orthonormal, only prevents the columns from
 *   collapsing onto the top singular vector).
 * - `cholqr2`: CholeskyQR applied twice (Gram matrix, Cholesky, triangular solve — all products, so
 *   it suits accelerators); falls back to Householder QR when the block is too ill-conditioned.
 */
export type Normalizer = 'qr' | 'lu' | 'cholqr2';
export const NORMALIZERS: readonly Normalizer[] = ['qr', 'lu', 'cholqr2'];

export function normalize(y: HostMatrix, normalizer: Normalizer): HostMatrix {
  switch (normalizer) {
    case 'qr':
      return qr(y).Q;
    case 'lu':
      return luNormalize(y);
    case 'cholqr2':
      return cholQR2(y) ?? qr(y).Q;
    default:
      throw new ArgumentError(`normalizer must be one of ${NORMALIZERS.join(', ')}, got ${String(normalizer)}`);
  }
}

/**
 * P·L from Gaussian elimination with partial pivoting on the m×l block Y (m ≥ l): the unit-lower
 * factor with its rows in Y's original order (scipy.linalg.lu(Y, permute_l=True)). Rows are never
 * swapped physically: the rows not yet used as pivots are kept in a compact list, and each pivot
 * row simply leaves it.
 */
export function luNormalize(y: HostMatrix): HostMatrix {
  const m = y.rows;
  const l = y.cols;
  const k = Math.min(m, l);
  const W = y.data.slice();
  const L = new Float64Array(m * k);
  const rest = new Int32Array(m);
  for (let i = 0; i < m; i++) rest[i] = i;
  let count = m;
  for (let j = 0; j < k; j++) {
    let at = 0;
    let best = -1;
    for (let t = 0; t < count; t++) {
      const v = Math.abs(W[rest[t]! * l + j]!);
      if (v > best) {
        best = v;
        at = t;
      }
    }
    const p = rest[at]!;
    rest[at] = rest[--count]!;
    L[p * k + j] = 1;
    const pb = p * l;
    const piv = W[pb + j]!;
    if (piv === 0) continue; // the remaining column is zero: nothing to eliminate (LAPACK does the same)
    for (let t = 0; t < count; t++) {
      const rb = rest[t]! * l;
      const f = W[rb + j]! / piv;
      L[rest[t]! * k + j] = f;
      if (f === 0) continue;
      for (let c = j + 1; c < l; c++) W[rb + c]! -= f * W[pb + c]!;
    }
  }
  return { rows: m, cols: k, data: L };
}

/** Smallest ratio min(diag L)/max(diag L) accepted; below it CholeskyQR loses too much orthogonality. */
const CHOLQR_MIN_PIVOT_RATIO = 1e-7;

/** Q from CholeskyQR2, or undefined when the Gram matrix is too ill-conditioned for it. */
export function cholQR2(y: HostMatrix): HostMatrix | undefined {
  let q = y;
  for (let pass = 0; pass < 2; pass++) {
    let L: HostMatrix;
    try {
      L = cholesky(matmulTN(q, q));
    } catch (err) {
      if (err instanceof NotPositiveDefiniteError) return undefined;
      throw err;
    }
    let lo = Infinity;
    let hi = 0;
    for (let i = 0; i < L.rows; i++) {
      const d = L.data[i * L.cols + i]!;
      lo = Math.min(lo, d);
      hi = Math.max(hi, d);
    }
    if (!(lo >= CHOLQR_MIN_PIVOT_RATIO * hi)) return undefined;
    // Q = Y R⁻¹ with R = Lᵀ upper: solve X Lᵀ = Y.
    q = solveTriangular(L, q, { lower: true, transpose: true, side: 'right' });
  }
  return q;
}
