import { ArgumentError, ShapeError } from '@edora/tensor';
import { NonFiniteError } from '../errors.js';

/**
 * A dense float64 matrix in row-major order: element (i, j) is `data[i * cols + j]`.
 * The host algorithms in this folder take and return these; they never alias their inputs.
 */
export interface HostMatrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float64Array;
}

export function hostMatrix(rows: number, cols: number, data?: ArrayLike<number>): HostMatrix {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 0) {
    throw new ArgumentError(`matrix size must be two non-negative integers, got ${rows}×${cols}`);
  }
  if (data === undefined) return { rows, cols, data: new Float64Array(rows * cols) };
  if (data.length !== rows * cols) {
    throw new ShapeError(`a ${rows}×${cols} matrix needs ${rows * cols} values, got ${data.length}`);
  }
  return { rows, cols, data: Float64Array.from(data) };
}

export function identity(n: number): HostMatrix {
  const m = hostMatrix(n, n);
  for (let i = 0; i < n; i++) m.data[i * n + i] = 1;
  return m;
}

export function transpose(a: HostMatrix): HostMatrix {
  const { rows, cols, data } = a;
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    const row = i * cols;
    for (let j = 0; j < cols; j++) out[j * rows + i] = data[row + j]!;
  }
  return { rows: cols, cols: rows, data: out };
}

/** Rows [start, end) of `a` as a new matrix. */
export function sliceRows(a: HostMatrix, start: number, end: number): HostMatrix {
  return { rows: end - start, cols: a.cols, data: a.data.slice(start * a.cols, end * a.cols) };
}

function checkInner(op: string, k1: number, k2: number, a: HostMatrix, b: HostMatrix): void {
  if (k1 !== k2) {
    throw new ShapeError(`${op}: inner dimensions differ: ${a.rows}×${a.cols} and ${b.rows}×${b.cols}`);
  }
}

/**
 * a · b. Loop order i-k-j so the innermost loop streams rows of b and of the result; four rows of
 * the result at a time share each load of b's row (every entry still sums its terms in order).
 */
export function matmul(a: HostMatrix, b: HostMatrix): HostMatrix {
  checkInner('matmul(a, b)', a.cols, b.rows, a, b);
  const m = a.rows;
  const k = a.cols;
  const n = b.cols;
  const out = new Float64Array(m * n);
  const A = a.data;
  const B = b.data;
  let i = 0;
  for (; i + 3 < m; i += 4) {
    const c0 = i * n;
    const c1 = c0 + n;
    const c2 = c1 + n;
    const c3 = c2 + n;
    for (let p = 0; p < k; p++) {
      const s0 = A[i * k + p]!;
      const s1 = A[(i + 1) * k + p]!;
      const s2 = A[(i + 2) * k + p]!;
      const s3 = A[(i + 3) * k + p]!;
      const brow = p * n;
      if (s0 !== 0 && s1 !== 0 && s2 !== 0 && s3 !== 0) {
        for (let j = 0; j < n; j++) {
          const v = B[brow + j]!;
          out[c0 + j] = out[c0 + j]! + s0 * v;
          out[c1 + j] = out[c1 + j]! + s1 * v;
          out[c2 + j] = out[c2 + j]! + s2 * v;
          out[c3 + j] = out[c3 + j]! + s3 * v;
        }
      } else {
        addScaledRow(out, c0, s0, B, brow, n);
        addScaledRow(out, c1, s1, B, brow, n);
        addScaledRow(out, c2, s2, B, brow, n);
        addScaledRow(out, c3, s3, B, brow, n);
      }
    }
  }
  for (; i < m; i++) for (let p = 0; p < k; p++) addScaledRow(out, i * n, A[i * k + p]!, B, p * n, n);
  return { rows: m, cols: n, data: out };
}

/** out[at + j] += s · B[from + j] for j < n; nothing when s is 0 (so a zero skips NaN and Inf entries). */
function addScaledRow(out: Float64Array, at: number, s: number, B: Float64Array, from: number, n: number): void {
  if (s === 0) return;
  for (let j = 0; j < n; j++) out[at + j] = out[at + j]! + s * B[from + j]!;
}

/** aᵀ · b, without forming aᵀ: row p of a scatters into every row of the result. */
export function matmulTN(a: HostMatrix, b: HostMatrix): HostMatrix {
  checkInner('matmul(aᵀ, b)', a.rows, b.rows, a, b);
  const m = a.cols;
  const k = a.rows;
  const n = b.cols;
  const out = new Float64Array(m * n);
  const A = a.data;
  const B = b.data;
  for (let p = 0; p < k; p++) {
    const brow = p * n;
    for (let i = 0; i < m; i++) {
      const s = A[p * m + i]!;
      if (s === 0) continue;
      const crow = i * n;
      for (let j = 0; j < n; j++) out[crow + j]! += s * B[brow + j]!;
    }
  }
  return { rows: m, cols: n, data: out };
}

/** a · bᵀ: every entry is a dot product of two contiguous rows. */
export function matmulNT(a: HostMatrix, b: HostMatrix): HostMatrix {
  checkInner('matmul(a, bᵀ)', a.cols, b.cols, a, b);
  const m = a.rows;
  const n = b.rows;
  const k = a.cols;
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    const ai = a.data.subarray(i * k, (i + 1) * k);
    for (let j = 0; j < n; j++) out[i * n + j] = dot(ai, b.data.subarray(j * k, (j + 1) * k));
  }
  return { rows: m, cols: n, data: out };
}

/** a aᵀ, symmetric: only the lower triangle is computed (dot products of contiguous rows) and mirrored. */
export function rowGram(a: HostMatrix): HostMatrix {
  const n = a.rows;
  const m = a.cols;
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const ri = a.data.subarray(i * m, (i + 1) * m);
    for (let j = 0; j <= i; j++) {
      const v = dot(ri, a.data.subarray(j * m, (j + 1) * m));
      out[i * n + j] = v;
      out[j * n + i] = v;
    }
  }
  return { rows: n, cols: n, data: out };
}

/** Dot product with four accumulators (shorter dependency chains; also slightly more accurate). */
export function dot(x: Float64Array, y: Float64Array): number {
  const n = x.length;
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let i = 0;
  for (; i + 3 < n; i += 4) {
    s0 += x[i]! * y[i]!;
    s1 += x[i + 1]! * y[i + 1]!;
    s2 += x[i + 2]! * y[i + 2]!;
    s3 += x[i + 3]! * y[i + 3]!;
  }
  for (; i < n; i++) s0 += x[i]! * y[i]!;
  return s0 + s1 + (s2 + s3);
}

/** Frobenius norm, scaled so that huge or tiny entries neither overflow nor underflow. */
export function frobeniusNorm(a: HostMatrix): number {
  let scale = 0;
  for (const v of a.data) scale = Math.max(scale, Math.abs(v));
  if (scale === 0 || !Number.isFinite(scale)) return scale;
  let s = 0;
  for (const v of a.data) {
    const x = v / scale;
    s += x * x;
  }
  return scale * Math.sqrt(s);
}

/** Throws NonFiniteError naming the first NaN/Inf entry. `what` names the input in the message. */
export function assertFinite(a: HostMatrix, what: string): void {
  const { data, cols } = a;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (!Number.isFinite(v)) {
      const r = Math.floor(i / cols);
      throw new NonFiniteError(
        `${what}: expected finite values, found ${v} at (${r}, ${i - r * cols}) of a ${a.rows}×${a.cols} matrix`,
      );
    }
  }
}

export function assertSquare(a: HostMatrix, what: string): void {
  if (a.rows !== a.cols) throw new ShapeError(`${what}: expected a square matrix, got ${a.rows}×${a.cols}`);
}
