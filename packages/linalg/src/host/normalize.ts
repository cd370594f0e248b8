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
 * swapped physically; each pivot row is simply retired.
 */
export function luNormalize(y: HostMatrix): HostMatrix {
  const m = y.rows;
  const l = y.cols;
  const k = Math.min(m, l);
  const W = y.data.slice();
  const L = new Float64Array(m * k);
  const active = new Uint8Array(m).fill(1);
  for (let j = 0; j < k; j++) {
    let p = -1;
    let best = -1;
    for (let r = 0; r < m; r++) {
      if (active[r] && Math.abs(W[r * l + j]) > best) {
        best = Math.abs(W[r * l + j]);
        p = r;
      }
    }
    active[p] = 0;
    L[p * k + j] = 1;
    const piv = W[p * l + j];
    if (piv === 0) continue; // the remaining column is zero: nothing to eliminate (LAPACK does the same)
    for (let r = 0; r < m; r++) {
      if (!active[r]) continue;
      const f = W[r * l + j] / piv;
      L[r * k + j] = f;
      if (f === 0) continue;
      for (let c = j + 1; c < l; c++) W[r * l + c] -= f * W[p * l + c];
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
      const d = L.data[i * L.cols + i];
      lo = Math.min(lo, d);
      hi = Math.max(hi, d);
    }
    if (!(lo >= CHOLQR_MIN_PIVOT_RATIO * hi)) return undefined;
    // Q = Y R⁻¹ with R = Lᵀ upper: solve X Lᵀ = Y.
    q = solveTriangular(L, q, { lower: true, transpose: true, side: 'right' });
  }
  return q;
}
