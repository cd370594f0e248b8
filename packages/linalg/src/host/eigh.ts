import { ConvergenceError } from '../errors.js';
import { householder } from './householder.js';
import { assertFinite, assertSquare, transpose, type HostMatrix } from './matrix.js';

export interface SymmetricEigen {
  /** Eigenvalues in ascending order (as LAPACK's syevd and numpy.linalg.eigh return them). */
  readonly values: Float64Array;
  /** n×n orthogonal; column i is the unit eigenvector of values[i]. */
  readonly vectors: HostMatrix;
}

/**
 * Symmetric eigendecomposition A = V diag(λ) Vᵀ: Householder reduction to tridiagonal form, then
 * the implicit QL iteration with Wilkinson-type shifts. O(n³), orthogonal to working precision.
 * Only the lower triangle of A is read (the upper one is assumed to mirror it).
 */
export function eigh(a: HostMatrix): SymmetricEigen {
  const { values, rows } = eighRows(a);
  return { values, vectors: transpose(rows) };
}

/**
 * Same as `eigh`, but the eigenvectors come back as the ROWS of the matrix. This is the layout the
 * QL rotations work in (each rotation mixes two contiguous rows) and the one the SVD wants (Vᵀ).
 */
export function eighRows(a: HostMatrix): { values: Float64Array; rows: HostMatrix } {
  assertSquare(a, 'eigh');
  assertFinite(a, 'eigh');
  const n = a.rows;
  const S = a.data.slice();
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  const Zt = new Float64Array(n * n);
  for (let i = 0; i < n; i++) Zt[i * n + i] = 1;

  tridiagonalize(S, n, d, e, Zt);
  tridiagonalQL(d, e, Zt, n);

  // Sort ascending, carrying the eigenvector rows along.
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => d[x]! - d[y]!);
  const values = new Float64Array(n);
  const rows = new Float64Array(n * n);
  order.forEach((src, dst) => {
    values[dst] = d[src]!;
    rows.set(Zt.subarray(src * n, (src + 1) * n), dst * n);
  });
  return { values, rows: { rows: n, cols: n, data: rows } };
}

/**
 * S (symmetric, row-major, only the lower triangle is read and updated; destroyed) → tridiagonal
 * T = Qᵀ S Q with diagonal d and off-diagonal e (e[i] couples i and i+1, e[n-1] = 0).
 * Zt (identity on entry) becomes Qᵀ. Working on one triangle halves the memory traffic of the
 * rank-2 updates, and accumulating Q backwards (each reflector only meets the trailing block
 * already formed) costs n³/3 instead of n³.
 */
function tridiagonalize(S: Float64Array, n: number, d: Float64Array, e: Float64Array, Zt: Float64Array): void {
  const p = new Float64Array(n);
  const w = new Float64Array(n);
  const reflectors: { v: Float64Array; tau: number }[] = [];
  for (let k = 0; k < n - 2; k++) {
    const len = n - k - 1;
    const base = k + 1; // the reflector acts on indices base..n-1
    let tailNorm = 0;
    for (let i = 1; i < len; i++) tailNorm = Math.max(tailNorm, Math.abs(S[(base + i) * n + k]!));
    if (tailNorm === 0) {
      reflectors.push({ v: new Float64Array(0), tau: 0 }); // column already tridiagonal
      continue;
    }
    const v = new Float64Array(len);
    const { tau, head } = householder(S, base * n + k, n, v)!; // non-null: the tail is non-zero
    reflectors.push({ v, tau });

    S[base * n + k] = head;
    for (let i = 1; i < len; i++) S[(base + i) * n + k] = 0;

    // Trailing block B ← H B H with H = I − tau v vᵀ, as the symmetric rank-2 update
    // B − v wᵀ − w vᵀ where p = tau B v and w = p − (tau/2)(pᵀv) v. B v from the lower triangle:
    // each stored B[i][j] (j < i) contributes to p[i] and to p[j].
    p.fill(0, 0, len);
    for (let i = 0; i < len; i++) {
      const row = (base + i) * n + base;
      const vi = v[i]!;
      let acc = 0;
      for (let j = 0; j < i; j++) {
        const b = S[row + j]!;
        acc += b * v[j]!;
        p[j]! += b * vi;
      }
      p[i]! += acc + S[row + i]! * vi;
    }
    let pv = 0;
    for (let i = 0; i < len; i++) {
      p[i]! *= tau;
      pv += p[i]! * v[i]!;
    }
    const K = 0.5 * tau * pv;
    for (let i = 0; i < len; i++) w[i] = p[i]! - K * v[i]!;
    for (let i = 0; i < len; i++) {
      const row = (base + i) * n + base;
      const vi = v[i]!;
      const wi = w[i]!;
      for (let j = 0; j <= i; j++) S[row + j]! -= vi * w[j]! + wi * v[j]!;
    }
  }
  for (let i = 0; i < n; i++) d[i] = S[i * n + i]!;
  for (let i = 0; i < n - 1; i++) e[i] = S[(i + 1) * n + i]!;
  e[n - 1] = 0;

  // Q = H_0 H_1 … H_{n-3}, formed right to left: Q ← H_k Q touches only rows/columns ≥ k+1.
  // Zt holds Q during the loop and is transposed in place at the end.
  for (let k = reflectors.length - 1; k >= 0; k--) {
    const { v, tau } = reflectors[k]!;
    if (tau === 0) continue;
    const base = k + 1;
    const len = n - base;
    w.fill(0, 0, len);
    for (let i = 0; i < len; i++) {
      const row = (base + i) * n + base;
      const vi = v[i]!;
      for (let c = 0; c < len; c++) w[c]! += vi * Zt[row + c]!;
    }
    for (let i = 0; i < len; i++) {
      const f = tau * v[i]!;
      const row = (base + i) * n + base;
      for (let c = 0; c < len; c++) Zt[row + c]! -= f * w[c]!;
    }
  }
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const t = Zt[i * n + j]!;
      Zt[i * n + j] = Zt[j * n + i]!;
      Zt[j * n + i] = t;
    }
  }
}

const EPS = 2 ** -52;
const MAX_ITERATIONS_PER_EIGENVALUE = 60;

/**
 * Implicit QL on the tridiagonal (d, e): d becomes the eigenvalues; each Givens rotation is also
 * applied to two rows of Zt so Zt's rows become the eigenvectors of the original matrix.
 */
function tridiagonalQL(d: Float64Array, e: Float64Array, Zt: Float64Array, n: number): void {
  for (let l = 0; l < n; l++) {
    let iterations = 0;
    for (;;) {
      // Smallest m ≥ l where the matrix splits (e[m] negligible next to its diagonal neighbours).
      let m = l;
      while (m < n - 1 && Math.abs(e[m]!) > EPS * (Math.abs(d[m]!) + Math.abs(d[m + 1]!))) m++;
      if (m === l) break;
      if (++iterations > MAX_ITERATIONS_PER_EIGENVALUE) {
        throw new ConvergenceError(`eigh: the QL iteration did not converge for eigenvalue ${l} of a ${n}×${n} matrix after ${MAX_ITERATIONS_PER_EIGENVALUE} iterations`);
      }
      // Shift: the eigenvalue of the leading 2×2 block at l nearer to d[l].
      let g = (d[l + 1]! - d[l]!) / (2 * e[l]!);
      let r = Math.hypot(g, 1);
      g = d[m]! - d[l]! + e[l]! / (g + (g >= 0 ? r : -r));
      let s = 1;
      let c = 1;
      let p = 0;
      let i = m - 1;
      let underflow = false;
      for (; i >= l; i--) {
        const f = s * e[i]!;
        const b = c * e[i]!;
        r = Math.hypot(f, g);
        e[i + 1] = r;
        if (r === 0) {
          // The rotation underflowed: deflate here and restart the sweep.
          d[i + 1]! -= p;
          e[m] = 0;
          underflow = true;
          break;
        }
        s = f / r;
        c = g / r;
        g = d[i + 1]! - p;
        r = (d[i]! - g) * s + 2 * c * b;
        p = s * r;
        d[i + 1] = g + p;
        g = c * r - b;
        const ri = i * n;
        const rj = (i + 1) * n;
        for (let k = 0; k < n; k++) {
          const zi = Zt[ri + k]!;
          const zj = Zt[rj + k]!;
          Zt[rj + k] = s * zi + c * zj;
          Zt[ri + k] = c * zi - s * zj;
        }
      }
      if (underflow) continue;
      d[l]! -= p;
      e[l] = g;
      e[m] = 0;
    }
  }
}
