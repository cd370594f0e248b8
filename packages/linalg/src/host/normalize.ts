import { ArgumentError } from '@edora/tensor';
import { NotPositiveDefiniteError } from '../errors.js';
import { cholesky } from './cholesky.js';
import { matmulTN, transpose, type HostMatrix } from './matrix.js';
import { qr, qrQRows } from './qr.js';
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
 * `normalize` for a block stored as rows (l×m, the transpose of the m×l block, as a
 * LinearOperator passes blocks): returns the normalized block as rows too. LU works on the rows
 * directly; QR and CholeskyQR2 transpose around their row-major factorizations.
 */
export function normalizeRows(yt: HostMatrix, normalizer: Normalizer): HostMatrix {
  switch (normalizer) {
    case 'lu':
      return luNormalizeRows(yt);
    case 'qr':
      return orthonormalRows(yt);
    case 'cholqr2': {
      const y = transpose(yt);
      return transpose(cholQR2(y) ?? qr(y).Q);
    }
    default:
      throw new ArgumentError(`normalizer must be one of ${NORMALIZERS.join(', ')}, got ${String(normalizer)}`);
  }
}

/** Qᵀ of the thin QR of Y, from and to the block's rows (Yᵀ, l×m): an orthonormal basis of span(Y) as rows. */
export function orthonormalRows(yt: HostMatrix): HostMatrix {
  return qrQRows(yt);
}

/**
 * P·L from Gaussian elimination with partial pivoting on the m×l block Y (m ≥ l): the unit-lower
 * factor with its rows in Y's original order (scipy.linalg.lu(Y, permute_l=True)).
 */
export function luNormalize(y: HostMatrix): HostMatrix {
  return transpose(luNormalizeRows(transpose(y)));
}

/**
 * `luNormalize` on the block's transpose: takes Yᵀ (l×m) and returns (P·L)ᵀ (min(m, l)×m).
 *
 * The elimination works on the columns of Y, which are the rows here (contiguous), with physical
 * row swaps as LAPACK's getrf does: every update is a contiguous axpy over the m − j entries below
 * the pivot instead of a ≤ l-long row update reached through a row list. Each entry sees the same
 * operations in the same order as in the textbook row-oriented elimination; only the choice
 * between exactly equal pivot candidates could differ (the first in the current row order wins,
 * as in LAPACK).
 */
export function luNormalizeRows(yt: HostMatrix): HostMatrix {
  const k = Math.min(yt.rows, yt.cols);
  return luRowsInPlace({ rows: yt.rows, cols: yt.cols, data: yt.data.slice() }, new Float64Array(k * yt.cols));
}

/**
 * The normalizations of one randomized SVD's power iterations, reusing their buffers (at ~1000
 * blocks of 20–80k entries per model init, fresh arrays kept V8's collector busy): `apply` may
 * overwrite the block it is given — a product's fresh result that nobody else holds — and its
 * result stays valid until the next `apply` of a block as wide, by which time the product that
 * read it has settled (a LinearOperator does not keep its argument).
 */
export class BlockNormalizer {
  private readonly outs = new Map<number, Float64Array>();

  constructor(readonly normalizer: Normalizer) {}

  apply(yt: HostMatrix): HostMatrix {
    if (this.normalizer !== 'lu') return normalizeRows(yt, this.normalizer);
    const size = Math.min(yt.rows, yt.cols) * yt.cols;
    let out = this.outs.get(yt.cols);
    if (out?.length !== size) this.outs.set(yt.cols, (out = new Float64Array(size)));
    return luRowsInPlace(yt, out);
  }
}

/** `luNormalizeRows` destroying `yt` and writing (P·L)ᵀ into `out` (min(l, m)·m entries). */
function luRowsInPlace(yt: HostMatrix, out: Float64Array): HostMatrix {
  const l = yt.rows;
  const m = yt.cols;
  const k = Math.min(m, l);
  const W = yt.data; // column c of Y at W[c·m, c·m + m); rows swapped as pivots are chosen
  const perm = new Int32Array(m); // perm[i]: the row of Y now at position i
  for (let i = 0; i < m; i++) perm[i] = i;
  // Two pivots per pass over the trailing columns (each entry's updates keep their order): half
  // the loads and stores of one pivot at a time.
  let j = 0;
  for (; j + 1 < k; j += 2) {
    const ok0 = pivotColumn(W, l, m, j, perm);
    if (ok0) {
      const a = -W[(j + 1) * m + j]!; // column j + 1 by pivot j, so that it can choose its pivot
      if (a !== 0) axpy(W, (j + 1) * m, j * m, a, j + 1, m);
    }
    const ok1 = pivotColumn(W, l, m, j + 1, perm);
    eliminateTwo(W, m, j, ok0, ok1, j + 2, l);
  }
  if (j < k && pivotColumn(W, l, m, j, perm)) eliminate(W, m, j, j + 1, l);
  // Row j of (P·L)ᵀ: L's column j, each entry back at its row of Y (zeros above the diagonal).
  for (let j = 0; j < k; j++) {
    const cj = j * m;
    for (let i = 0; i < j; i++) out[cj + perm[i]!] = 0;
    out[cj + perm[j]!] = 1;
    for (let i = j + 1; i < m; i++) out[cj + perm[i]!] = W[cj + i]!;
  }
  return { rows: k, cols: m, data: out };
}

/**
 * Step j's pivot: the largest |entry| of column j at or below row j (the first of equals) is
 * swapped into row j across all l columns, and column j below it divided by it (L's column j).
 * Returns false when the column is zero there: nothing to eliminate (LAPACK does the same).
 */
function pivotColumn(W: Float64Array, l: number, m: number, j: number, perm: Int32Array): boolean {
  const cj = j * m;
  let p = j;
  let best = Math.abs(W[cj + j]!);
  for (let i = j + 1; i < m; i++) {
    const v = Math.abs(W[cj + i]!);
    if (v > best) {
      best = v;
      p = i;
    }
  }
  if (p !== j) {
    for (let c = 0; c < l; c++) {
      const t = W[c * m + j]!;
      W[c * m + j] = W[c * m + p]!;
      W[c * m + p] = t;
    }
    const t = perm[j]!;
    perm[j] = perm[p]!;
    perm[p] = t;
  }
  const piv = W[cj + j]!;
  if (piv === 0) return false;
  for (let i = j + 1; i < m; i++) W[cj + i]! /= piv;
  return true;
}

/**
 * Columns [from, to) minus L's columns j and j + 1 times their rows j and j + 1 (pivot j's update,
 * then pivot j + 1's, each skipped when its column was zero), in one pass per four columns.
 */
function eliminateTwo(W: Float64Array, m: number, j: number, ok0: boolean, ok1: boolean, from: number, to: number): void {
  const x0 = j * m;
  const x1 = x0 + m;
  const r = j + 1;
  const l0 = W[x0 + r]!; // L[j + 1, j]
  let c = from;
  for (; c + 3 < to; c += 4) {
    const y0 = c * m;
    const y1 = y0 + m;
    const y2 = y1 + m;
    const y3 = y2 + m;
    const a0 = ok0 ? -W[y0 + j]! : 0;
    const a1 = ok0 ? -W[y1 + j]! : 0;
    const a2 = ok0 ? -W[y2 + j]! : 0;
    const a3 = ok0 ? -W[y3 + j]! : 0;
    W[y0 + r] = W[y0 + r]! + l0 * a0;
    W[y1 + r] = W[y1 + r]! + l0 * a1;
    W[y2 + r] = W[y2 + r]! + l0 * a2;
    W[y3 + r] = W[y3 + r]! + l0 * a3;
    const b0 = ok1 ? -W[y0 + r]! : 0;
    const b1 = ok1 ? -W[y1 + r]! : 0;
    const b2 = ok1 ? -W[y2 + r]! : 0;
    const b3 = ok1 ? -W[y3 + r]! : 0;
    for (let i = j + 2; i < m; i++) {
      const u = W[x0 + i]!;
      const v = W[x1 + i]!;
      W[y0 + i] = W[y0 + i]! + u * a0 + v * b0;
      W[y1 + i] = W[y1 + i]! + u * a1 + v * b1;
      W[y2 + i] = W[y2 + i]! + u * a2 + v * b2;
      W[y3 + i] = W[y3 + i]! + u * a3 + v * b3;
    }
  }
  for (; c < to; c++) {
    const y = c * m;
    const a = ok0 ? -W[y + j]! : 0;
    W[y + r] = W[y + r]! + l0 * a;
    const b = ok1 ? -W[y + r]! : 0;
    for (let i = j + 2; i < m; i++) W[y + i] = W[y + i]! + W[x0 + i]! * a + W[x1 + i]! * b;
  }
}

/**
 * Columns [from, to) of the column-major W (columns of length m) minus L's column j times their
 * row j, below row j: four columns per pass, so each entry of L's column is loaded once per four
 * updates. Every entry still sees its updates in the same order.
 */
function eliminate(W: Float64Array, m: number, j: number, from: number, to: number): void {
  const x = j * m;
  let c = from;
  for (; c + 3 < to; c += 4) {
    const y0 = c * m;
    const y1 = y0 + m;
    const y2 = y1 + m;
    const y3 = y2 + m;
    const a0 = -W[y0 + j]!;
    const a1 = -W[y1 + j]!;
    const a2 = -W[y2 + j]!;
    const a3 = -W[y3 + j]!;
    for (let i = j + 1; i < m; i++) {
      const xi = W[x + i]!;
      W[y0 + i] = W[y0 + i]! + xi * a0;
      W[y1 + i] = W[y1 + i]! + xi * a1;
      W[y2 + i] = W[y2 + i]! + xi * a2;
      W[y3 + i] = W[y3 + i]! + xi * a3;
    }
  }
  for (; c < to; c++) {
    const y = c * m;
    const a = -W[y + j]!;
    if (a !== 0) axpy(W, y, x, a, j + 1, m);
  }
}

/** W[y + i] += a · W[x + i] for i in [from, to): the elimination's inner loop, unrolled by four. */
function axpy(W: Float64Array, y: number, x: number, a: number, from: number, to: number): void {
  let i = from;
  for (; i + 3 < to; i += 4) {
    W[y + i] = W[y + i]! + W[x + i]! * a;
    W[y + i + 1] = W[y + i + 1]! + W[x + i + 1]! * a;
    W[y + i + 2] = W[y + i + 2]! + W[x + i + 2]! * a;
    W[y + i + 3] = W[y + i + 3]! + W[x + i + 3]! * a;
  }
  for (; i < to; i++) W[y + i] = W[y + i]! + W[x + i]! * a;
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
