/**
 * Independent float64 host references for the adapter tests: plain loops over row-major
 * Float64Arrays, written from SEMANTICS.md's formulas, sharing no code with src/.
 */
export type Mat = { data: Float64Array; rows: number; cols: number };

export function mat(rows: number, cols: number, data?: ArrayLike<number>): Mat {
  return { rows, cols, data: data ? Float64Array.from(data) : new Float64Array(rows * cols) };
}

/** C = A·B */
export function mm(a: Mat, b: Mat): Mat {
  if (a.cols !== b.rows) throw new Error(`mm: ${a.rows}x${a.cols} @ ${b.rows}x${b.cols}`);
  const c = mat(a.rows, b.cols);
  for (let i = 0; i < a.rows; i++) {
    for (let k = 0; k < a.cols; k++) {
      const v = a.data[i * a.cols + k]!;
      for (let j = 0; j < b.cols; j++) c.data[i * b.cols + j]! += v * b.data[k * b.cols + j]!;
    }
  }
  return c;
}

export function tr(a: Mat): Mat {
  const t = mat(a.cols, a.rows);
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < a.cols; j++) t.data[j * a.rows + i] = a.data[i * a.cols + j]!;
  return t;
}

export function axpy(a: Mat, s: number, b: Mat): Mat {
  return mat(a.rows, a.cols, a.data.map((v, i) => v + s * b.data[i]!));
}

export function rowNorms(a: Mat): Float64Array {
  const n = new Float64Array(a.rows);
  for (let i = 0; i < a.rows; i++) {
    let s = 0;
    for (let j = 0; j < a.cols; j++) s += a.data[i * a.cols + j]! ** 2;
    n[i] = Math.sqrt(s);
  }
  return n;
}

export interface RefParams {
  W: Mat;
  b: Float64Array | null;
  A: Mat;
  B: Mat;
  R: Mat | null;
  m: Float64Array | null;
  s: number;
}

/** W + s·B(R)A */
export function adaptedWeight(p: RefParams): Mat {
  const BR = p.R ? mm(p.B, p.R) : p.B;
  return axpy(p.W, p.s, mm(BR, p.A));
}

/**
 * The adapted layer's output for x [N, in]. With a magnitude, `norm` is the row norm to divide
 * by: pass the norm of the base point to evaluate the detached semantics (n a constant).
 */
export function adaptedForward(x: Mat, p: RefParams, norm?: Float64Array): Mat {
  const Wf = adaptedWeight(p);
  const y = mm(x, tr(Wf));
  const n = norm ?? rowNorms(Wf);
  for (let i = 0; i < y.rows; i++) {
    for (let o = 0; o < y.cols; o++) {
      const g = p.m ? p.m[o]! / n[o]! : 1;
      y.data[i * y.cols + o] = g * y.data[i * y.cols + o]! + (p.b ? p.b[o]! : 0);
    }
  }
  return y;
}

/** Central differences of f at every entry of `v` (mutated and restored). */
export function finiteDiff(f: () => number, v: Float64Array, h = 1e-6): Float64Array {
  const g = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const old = v[i]!;
    v[i] = old + h;
    const fp = f();
    v[i] = old - h;
    const fm = f();
    v[i] = old;
    g[i] = (fp - fm) / (2 * h);
  }
  return g;
}

/** Deterministic pseudo-random numbers in (−1, 1) for test data (xorshift; independent of the library's RNG). */
export function noise(count: number, seed: number): Float64Array {
  let s = (seed * 2654435761) >>> 0 || 1;
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    out[i] = (s / 4294967296) * 2 - 1;
  }
  return out;
}

export function maxRelErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let scale = 0;
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]!));
  let err = 0;
  for (let i = 0; i < a.length; i++) err = Math.max(err, Math.abs(a[i]! - b[i]!));
  return err / (scale || 1);
}
