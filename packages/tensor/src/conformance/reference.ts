import type { BinaryFn, UnaryFn } from '../backend/contract.js';
import { erf, gelu, geluGrad } from '../math/erf.js';
import { philoxUniforms } from '../rng/philox.js';

/**
 * Float64 reference implementations on dense row-major host arrays, written independently of any
 * backend's kernels: the plainest loops that state each op's definition.
 */
export const refUnary: Record<UnaryFn, (x: number) => number> = {
  neg: (x) => -x,
  abs: Math.abs,
  sign: Math.sign,
  exp: Math.exp,
  log: Math.log,
  sqrt: Math.sqrt,
  rsqrt: (x) => 1 / Math.sqrt(x),
  reciprocal: (x) => 1 / x,
  square: (x) => x * x,
  tanh: Math.tanh,
  erf,
  sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  relu: (x) => Math.max(x, 0),
  gelu,
};

export const refBinary: Record<BinaryFn, (a: number, b: number) => number> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  pow: Math.pow,
  max: Math.max,
  min: Math.min,
  eq: (a, b) => +(a === b),
  ne: (a, b) => +(a !== b),
  lt: (a, b) => +(a < b),
  le: (a, b) => +(a <= b),
  gt: (a, b) => +(a > b),
  ge: (a, b) => +(a >= b),
};

export { gelu as refGelu, geluGrad as refGeluGrad };

/** Index of each element of `shape` into a broadcast source of `src` shape (row-major). */
export function broadcastIndex(shape: readonly number[], src: readonly number[]): Int32Array {
  const n = shape.reduce((a, b) => a * b, 1);
  const out = new Int32Array(n);
  const lead = shape.length - src.length;
  const srcStrides: number[] = [];
  let s = 1;
  for (let i = src.length - 1; i >= 0; i--) {
    srcStrides[i] = s;
    s *= src[i]!;
  }
  for (let i = 0; i < n; i++) {
    let rem = i;
    let idx = 0;
    for (let d = shape.length - 1; d >= 0; d--) {
      const c = rem % shape[d]!;
      rem = Math.floor(rem / shape[d]!);
      const sd = d - lead;
      if (sd >= 0 && src[sd] !== 1) idx += c * srcStrides[sd]!;
    }
    out[i] = idx;
  }
  return out;
}

export function refReduce(x: Float64Array, shape: readonly number[], axis: number, fn: 'sum' | 'max' | 'argmax'): Float64Array {
  const outer = shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const len = shape[axis]!;
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const out = new Float64Array(outer * inner);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let acc = fn === 'sum' ? 0 : -Infinity;
      let arg = 0;
      for (let k = 0; k < len; k++) {
        const v = x[(o * len + k) * inner + i]!;
        if (fn === 'sum') acc += v;
        else if (v > acc) {
          acc = v;
          arg = k;
        }
      }
      out[o * inner + i] = fn === 'argmax' ? arg : acc;
    }
  }
  return out;
}

/** C[b] = alpha·A[b]·B[b] + beta·C0[b] on dense [B,M,K]·[B,K,N]. */
export function refMatmul(a: Float64Array, b: Float64Array, B: number, M: number, K: number, N: number, alpha = 1, beta = 0, c0?: Float64Array): Float64Array {
  const out = new Float64Array(B * M * N);
  for (let bi = 0; bi < B; bi++) {
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) {
        let s = 0;
        for (let k = 0; k < K; k++) s += a[(bi * M + i) * K + k]! * b[(bi * K + k) * N + j]!;
        const p = (bi * M + i) * N + j;
        out[p] = alpha * s + (beta !== 0 && c0 ? beta * c0[p]! : 0);
      }
    }
  }
  return out;
}

export function refSoftmaxRows(x: Float64Array, n: number, d: number, log: boolean): Float64Array {
  const out = new Float64Array(n * d);
  for (let r = 0; r < n; r++) {
    let m = -Infinity;
    for (let k = 0; k < d; k++) m = Math.max(m, x[r * d + k]!);
    let s = 0;
    for (let k = 0; k < d; k++) s += Math.exp(x[r * d + k]! - m);
    for (let k = 0; k < d; k++) out[r * d + k] = log ? x[r * d + k]! - m - Math.log(s) : Math.exp(x[r * d + k]! - m) / s;
  }
  return out;
}

export function refLayerNorm(x: Float64Array, g: Float64Array, b: Float64Array, n: number, d: number, eps: number): {
  y: Float64Array; mean: Float64Array; rstd: Float64Array;
} {
  const y = new Float64Array(n * d);
  const mean = new Float64Array(n);
  const rstd = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    let s = 0;
    for (let k = 0; k < d; k++) s += x[r * d + k]!;
    const mu = s / d;
    let v = 0;
    for (let k = 0; k < d; k++) v += (x[r * d + k]! - mu) ** 2;
    const rs = 1 / Math.sqrt(v / d + eps);
    mean[r] = mu;
    rstd[r] = rs;
    for (let k = 0; k < d; k++) y[r * d + k] = (x[r * d + k]! - mu) * rs * g[k]! + b[k]!;
  }
  return { y, mean, rstd };
}

/**
 * Closed-form layerNorm gradients in float64 for upstream gradient `dy`, given the forward's
 * per-row mean and rstd: dx = rstd·(dy·g − mean(dy·g) − x̂·mean(dy·g·x̂)), dg = Σ dy·x̂, db = Σ dy.
 */
export function refLayerNormBackward(
  x: Float64Array, g: Float64Array, mean: Float64Array, rstd: Float64Array, dy: Float64Array, n: number, d: number,
): { dx: Float64Array; dg: Float64Array; db: Float64Array } {
  const dx = new Float64Array(n * d);
  const dg = new Float64Array(d);
  const db = new Float64Array(d);
  for (let r = 0; r < n; r++) {
    let sg = 0;
    let sgx = 0;
    for (let k = 0; k < d; k++) {
      const xh = (x[r * d + k]! - mean[r]!) * rstd[r]!;
      const gg = dy[r * d + k]! * g[k]!;
      sg += gg;
      sgx += gg * xh;
      dg[k]! += dy[r * d + k]! * xh;
      db[k]! += dy[r * d + k]!;
    }
    for (let k = 0; k < d; k++) {
      const xh = (x[r * d + k]! - mean[r]!) * rstd[r]!;
      dx[r * d + k] = rstd[r]! * (dy[r * d + k]! * g[k]! - sg / d - (xh * sgx) / d);
    }
  }
  return { dx, dg, db };
}

/** The samples the contract specifies for the `random` op (see rng/philox.ts). */
export function refRandom(n: number, dist: 'uniform' | 'normal' | 'bernoulli', seed: number, offset: number, p = 0.5): Float64Array {
  const out = new Float64Array(n);
  const u = new Float64Array(2);
  for (let i = 0; i < n; i++) {
    philoxUniforms(seed, offset + i, u);
    out[i] = dist === 'uniform' ? u[0]! : dist === 'bernoulli' ? +(u[0]! < p) : Math.sqrt(-2 * Math.log(1 - u[0]!)) * Math.cos(2 * Math.PI * u[1]!);
  }
  return out;
}
