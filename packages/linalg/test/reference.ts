// Independent references for the tests: test matrices with known singular values, built from
// ml-matrix's QR (not ours), and error measures evaluated with ml-matrix in float64.
import { Matrix, QrDecomposition, SingularValueDecomposition } from 'ml-matrix';
import type { HostMatrix } from '../src/host/matrix.js';

/** Deterministic standard normals (Park–Miller + Box–Muller): test data only, independent of the code under test. */
export function gaussian(rows: number, cols: number, seed: number): HostMatrix {
  let s = (seed % 2147483646) + 1;
  const next = () => {
    s = (s * 16807) % 2147483647;
    return s / 2147483647;
  };
  const data = new Float64Array(rows * cols);
  for (let i = 0; i < data.length; i += 2) {
    const r = Math.sqrt(-2 * Math.log(next()));
    const t = 2 * Math.PI * next();
    data[i] = r * Math.cos(t);
    if (i + 1 < data.length) data[i + 1] = r * Math.sin(t);
  }
  return { rows, cols, data };
}

export function toMl(a: HostMatrix): Matrix {
  const m = new Matrix(a.rows, a.cols);
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < a.cols; j++) m.set(i, j, a.data[i * a.cols + j]!);
  return m;
}

export function fromMl(m: Matrix): HostMatrix {
  return { rows: m.rows, cols: m.columns, data: Float64Array.from(m.to1DArray()) };
}

/** Rounds every entry to float32, as a float32 tensor would hold it. */
export function roundF32(a: HostMatrix): HostMatrix {
  return { rows: a.rows, cols: a.cols, data: Float64Array.from(Float32Array.from(a.data)) };
}

/** An m×k matrix with orthonormal columns (ml-matrix QR of a Gaussian). */
export function randomOrthonormal(m: number, k: number, seed: number): Matrix {
  const q = new QrDecomposition(toMl(gaussian(m, k, seed))).orthogonalMatrix;
  return q.subMatrix(0, m - 1, 0, k - 1);
}

/** U diag(s) Vᵀ with random orthonormal U (m×k) and V (n×k), k = s.length: singular values known exactly. */
export function withSingularValues(m: number, n: number, s: readonly number[], seed: number): HostMatrix {
  const k = s.length;
  const U = randomOrthonormal(m, k, seed);
  const V = randomOrthonormal(n, k, seed + 1000);
  const US = U.clone();
  for (let j = 0; j < k; j++) for (let i = 0; i < m; i++) US.set(i, j, US.get(i, j) * s[j]!);
  return fromMl(US.mmul(V.transpose()));
}

/** max |XᵀX − I| for the columns of X (pass Vt transposed for rows). */
export function orthogonalityError(x: HostMatrix): number {
  const X = toMl(x);
  const g = X.transpose().mmul(X);
  let e = 0;
  for (let i = 0; i < g.rows; i++) for (let j = 0; j < g.columns; j++) e = Math.max(e, Math.abs(g.get(i, j) - (i === j ? 1 : 0)));
  return e;
}

export function transposeHost(a: HostMatrix): HostMatrix {
  return fromMl(toMl(a).transpose());
}

/** ‖A − U diag(S) Vt‖_F, in float64 with ml-matrix. */
export function reconstructionError(a: HostMatrix, U: HostMatrix, S: ArrayLike<number>, Vt: HostMatrix): number {
  const US = toMl(U);
  for (let j = 0; j < US.columns; j++) for (let i = 0; i < US.rows; i++) US.set(i, j, US.get(i, j) * S[j]!);
  return toMl(a).sub(US.mmul(toMl(Vt))).norm('frobenius');
}

/** Exact singular values (descending) from ml-matrix. */
export function exactSingularValues(a: HostMatrix): number[] {
  if (a.rows === 0 || a.cols === 0) return [];
  const d = new SingularValueDecomposition(toMl(a), { autoTranspose: true }).diagonal;
  return [...d].sort((x, y) => y - x).slice(0, Math.min(a.rows, a.cols));
}

/** Eckart–Young: the optimal rank-k error is sqrt(Σ_{i>k} σ_i²). */
export function optimalRankKError(sigma: readonly number[], k: number): number {
  let s = 0;
  for (let i = k; i < sigma.length; i++) s += sigma[i]! * sigma[i]!;
  return Math.sqrt(s);
}

/**
 * Cosines of the principal angles between span(X) and span(Y) (orthonormal columns): the
 * singular values of XᵀY. All near 1 means the subspaces agree.
 */
export function principalCosines(x: HostMatrix, y: HostMatrix): number[] {
  const m = toMl(x).transpose().mmul(toMl(y));
  return [...new SingularValueDecomposition(m, { autoTranspose: true }).diagonal];
}

/** Top-k left singular vectors of A from ml-matrix's full SVD (the exact subspace). */
export function exactTopLeft(a: HostMatrix, k: number): HostMatrix {
  const d = new SingularValueDecomposition(toMl(a), { autoTranspose: true });
  const order = [...d.diagonal.keys()].sort((i, j) => d.diagonal[j]! - d.diagonal[i]!).slice(0, k);
  const U = d.leftSingularVectors;
  const out = new Matrix(a.rows, k);
  order.forEach((src, j) => {
    for (let i = 0; i < a.rows; i++) out.set(i, j, U.get(i, src));
  });
  return fromMl(out);
}

/**
 * max_i |got_i − want_i| / max(want_i, floor): relative error per singular value. Pass floor =
 * σ_max·tol for spectra with (near-)zero values, whose relative error is meaningless.
 */
export function singularValueError(got: ArrayLike<number>, want: readonly number[], floor = 0): number {
  let e = 0;
  for (let i = 0; i < want.length; i++) e = Math.max(e, Math.abs(got[i]! - want[i]!) / Math.max(want[i]!, floor));
  return e;
}

/** Entry of largest magnitude (the first on ties) of each vector, taken as columns of U or rows of Vt. */
export function dominantEntries(x: HostMatrix, along: 'columns' | 'rows'): number[] {
  const count = along === 'columns' ? x.cols : x.rows;
  const len = along === 'columns' ? x.rows : x.cols;
  const out: number[] = [];
  for (let j = 0; j < count; j++) {
    let best = 0;
    for (let i = 0; i < len; i++) {
      const v = along === 'columns' ? x.data[i * x.cols + j]! : x.data[j * x.cols + i]!;
      if (Math.abs(v) > Math.abs(best)) best = v;
    }
    out.push(best);
  }
  return out;
}
