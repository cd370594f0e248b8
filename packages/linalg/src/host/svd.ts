import { ConvergenceError } from '../errors.js';
import { eighRows } from './eigh.js';
import { assertFinite, dot, matmul, rowGram, transpose, type HostMatrix } from './matrix.js';

export interface HostSVD {
  /** m×k, orthonormal columns (k = min(m, n), or the requested rank for truncated SVDs). */
  readonly U: HostMatrix;
  /** k singular values, descending, ≥ 0. */
  readonly S: Float64Array;
  /** k×n, orthonormal rows. */
  readonly Vt: HostMatrix;
}

const EPS = 2 ** -52;
const MAX_SWEEPS = 40;

/**
 * Economy SVD A = U diag(S) Vᵀ in float64, for any shape.
 *
 * Method: one-sided (Hestenes) Jacobi, preconditioned by the eigenvectors V₀ of AᵀA. Jacobi alone
 * is accurate (every singular value to high relative accuracy, however ill-conditioned A is) but
 * needs 6–10 sweeps of O(mn²); the Gram eigenvectors are only accurate to ε·κ², but they rotate A
 * so close to orthogonal columns that the Jacobi polish on A V₀ converges in 1–3 sweeps.
 * Orthogonality of U holds to working precision for every non-zero singular value; columns for
 * exactly zero singular values are completed to an orthonormal basis.
 *
 * Signs are not normalized here; see `flipSigns`.
 */
export function svd(a: HostMatrix): HostSVD {
  assertFinite(a, 'svd');
  if (a.rows < a.cols) {
    // a = (aᵀ)ᵀ with aᵀ tall, whose columns are a's rows: a = V Σ Uᵀ for aᵀ = U Σ Vᵀ
    const t = svdOfColumns(a.data, a.rows, a.cols);
    return { U: transpose(t.Vt), S: t.S, Vt: t.Ut };
  }
  const t = svdOfColumns(transpose(a).data, a.cols, a.rows);
  return { U: transpose(t.Ut), S: t.S, Vt: t.Vt };
}

/**
 * The SVD of a tall m×n matrix A (m ≥ n) given by its columns: row i of `cols` (n×m) is column i
 * of A. Returns Uᵀ (n×m), S and Vᵀ (n×n). Every step reads and writes contiguous columns.
 */
function svdOfColumns(cols: Float64Array, n: number, m: number): { Ut: HostMatrix; S: Float64Array; Vt: HostMatrix } {
  if (n === 0) return { Ut: { rows: 0, cols: m, data: new Float64Array(0) }, S: new Float64Array(0), Vt: { rows: 0, cols: 0, data: new Float64Array(0) } };

  // Scale to max |a| = 1 so the Gram matrix neither overflows nor underflows.
  let scale = 0;
  for (let i = 0; i < cols.length; i++) scale = Math.max(scale, Math.abs(cols[i]!));
  let As = cols;
  if (scale !== 0 && scale !== 1) {
    As = new Float64Array(cols.length);
    for (let i = 0; i < cols.length; i++) As[i] = cols[i]! / scale;
  }
  const At: HostMatrix = { rows: n, cols: m, data: As };

  // Preconditioner: eigenvectors of AᵀA, largest first (rows of V₀ᵀ).
  const { rows: eigRows } = eighRows(rowGram(At));
  const Vt = new Float64Array(n * n);
  for (let i = 0; i < n; i++) Vt.set(eigRows.data.subarray((n - 1 - i) * n, (n - i) * n), i * n);

  // Work on Bᵀ = (A V₀)ᵀ = V₀ᵀ Aᵀ so each column of B is a contiguous row.
  const Bt = matmul({ rows: n, cols: n, data: Vt }, At).data;
  jacobiSweeps(Bt, n, m, Vt);

  // Singular values = column norms; sort descending.
  const norms = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const bi = Bt.subarray(i * m, (i + 1) * m);
    norms[i] = Math.sqrt(dot(bi, bi));
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => norms[y]! - norms[x]!);
  const S = new Float64Array(n);
  const Ut = new Float64Array(n * m); // rows of Uᵀ
  const VtSorted = new Float64Array(n * n);
  const zeroRows: number[] = [];
  order.forEach((src, dst) => {
    const s = norms[src]!;
    S[dst] = s * (scale === 0 ? 0 : scale);
    VtSorted.set(Vt.subarray(src * n, (src + 1) * n), dst * n);
    if (s === 0) {
      zeroRows.push(dst);
      return;
    }
    const from = src * m;
    const to = dst * m;
    for (let k = 0; k < m; k++) Ut[to + k] = Bt[from + k]! / s;
  });
  completeOrthonormalRows(Ut, m, zeroRows);
  return { Ut: { rows: n, cols: m, data: Ut }, S, Vt: { rows: n, cols: n, data: VtSorted } };
}

/**
 * Cyclic one-sided Jacobi on the n rows (length m) of Bt until every pair is orthogonal to
 * working precision relative to the pair's norms (the criterion that gives relative accuracy).
 * Every rotation is mirrored on the rows of Vt. Squared norms are updated in closed form within a
 * sweep and recomputed exactly at the start of the next.
 */
function jacobiSweeps(Bt: Float64Array, n: number, m: number, Vt: Float64Array): void {
  const tol = EPS * Math.sqrt(m);
  const sq = new Float64Array(n);
  for (let sweep = 0; sweep < MAX_SWEEPS; sweep++) {
    for (let i = 0; i < n; i++) {
      const bi = Bt.subarray(i * m, (i + 1) * m);
      sq[i] = dot(bi, bi);
    }
    let rotated = false;
    for (let i = 0; i < n - 1; i++) {
      const bi = Bt.subarray(i * m, (i + 1) * m);
      for (let j = i + 1; j < n; j++) {
        const alpha = sq[i]!;
        const beta = sq[j]!;
        if (alpha === 0 || beta === 0) continue;
        const bj = Bt.subarray(j * m, (j + 1) * m);
        const gamma = dot(bi, bj);
        if (Math.abs(gamma) <= tol * Math.sqrt(alpha) * Math.sqrt(beta)) continue;
        rotated = true;
        // Rotation that zeroes the (i, j) entry of the 2×2 Gram block [[α, γ], [γ, β]].
        const zeta = (beta - alpha) / (2 * gamma);
        const t = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = c * t;
        rotateRows(bi, bj, c, s);
        rotateRows(Vt.subarray(i * n, (i + 1) * n), Vt.subarray(j * n, (j + 1) * n), c, s);
        sq[i] = alpha - t * gamma;
        sq[j] = beta + t * gamma;
      }
    }
    if (!rotated) return;
  }
  throw new ConvergenceError(`svd: one-sided Jacobi did not converge in ${MAX_SWEEPS} sweeps on a ${m}×${n} matrix`);
}

function rotateRows(x: Float64Array, y: Float64Array, c: number, s: number): void {
  for (let k = 0; k < x.length; k++) {
    const xk = x[k]!;
    const yk = y[k]!;
    x[k] = c * xk - s * yk;
    y[k] = s * xk + c * yk;
  }
}

/**
 * Fills the listed rows of R (rows of length m, the others already orthonormal) with unit vectors
 * orthogonal to every other row: candidates are the standard basis vectors, orthogonalized twice
 * by Gram–Schmidt ("twice is enough"), accepted when enough of them survives.
 */
export function completeOrthonormalRows(R: Float64Array, m: number, rows: readonly number[]): void {
  if (rows.length === 0) return;
  const filled = new Set<number>();
  const total = R.length / m;
  for (let i = 0; i < total; i++) if (!rows.includes(i)) filled.add(i);
  let candidate = 0;
  for (const r of rows) {
    const x = R.subarray(r * m, (r + 1) * m);
    for (;;) {
      if (candidate >= m) throw new ConvergenceError(`svd: could not complete an orthonormal basis of dimension ${m}`);
      x.fill(0);
      x[candidate++] = 1;
      for (let pass = 0; pass < 2; pass++) {
        for (const f of filled) {
          const y = R.subarray(f * m, (f + 1) * m);
          const proj = dot(x, y);
          for (let k = 0; k < m; k++) x[k]! -= proj * y[k]!;
        }
      }
      const norm = Math.sqrt(dot(x, x));
      if (norm > 0.5) {
        for (let k = 0; k < m; k++) x[k]! /= norm;
        filled.add(r);
        break;
      }
    }
  }
}

/**
 * Sign convention, the one the EDoRA reference produces: it runs scikit-learn 0.24's
 * TruncatedSVD on Wᵀ, whose randomized_svd flips signs with svd_flip "u-based" on Wᵀ unless it
 * transposed Wᵀ internally (when Wᵀ has fewer rows than columns). In terms of A (m×n) itself:
 * - n ≥ m (square or wide, e.g. every EDoRA target of RoBERTa): each ROW of Vᵀ has its entry of
 *   largest magnitude positive — so each row of EDoRA's A = Bᵀ W = diag(S) Vᵀ does;
 * - m > n (tall): each COLUMN of U has its entry of largest magnitude positive.
 * The first entry wins ties. The other factor flips with it, so U diag(S) Vᵀ is unchanged.
 */
export function flipSigns(r: HostSVD): HostSVD {
  const { U, Vt } = r;
  const k = U.cols;
  const u = U.data.slice();
  const vt = Vt.data.slice();
  const byRowsOfVt = Vt.cols >= U.rows;
  for (let j = 0; j < k; j++) {
    // Entry i of the deciding vector j.
    const len = byRowsOfVt ? Vt.cols : U.rows;
    const at = byRowsOfVt ? (i: number) => vt[j * Vt.cols + i]! : (i: number) => u[i * k + j]!;
    let best = 0;
    let bestAbs = -1;
    for (let i = 0; i < len; i++) {
      const v = at(i);
      if (Math.abs(v) > bestAbs) {
        bestAbs = Math.abs(v);
        best = v;
      }
    }
    if (best < 0) {
      for (let i = 0; i < U.rows; i++) u[i * k + j] = -u[i * k + j]!;
      for (let c = 0; c < Vt.cols; c++) vt[j * Vt.cols + c] = -vt[j * Vt.cols + c]!;
    }
  }
  return { U: { rows: U.rows, cols: k, data: u }, S: r.S, Vt: { rows: Vt.rows, cols: Vt.cols, data: vt } };
}
