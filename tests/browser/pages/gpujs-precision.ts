/**
 * Where WebGL's float rules cost accuracy: a fixed set of ops on fixed inputs, run on a backend
 * and compared with float64 closed forms. The page runs it on gpujs over WebGL2, the test in Node
 * on gpujs over gpu.js's WebAssembly kernels (IEEE float32 arithmetic) and on the cpu backend, so
 * the three columns of the README's precision table come from one function.
 */
import { div, erf, exp, gelu, log, matmul, sqrt, sum, tanh, tensor, tidy, type BackendV1, type Tensor } from '@edora/tensor';
import { hostRng, randomArray } from '@edora/tensor/conformance';
import { erfScalar, geluScalar } from '@edora/tensor/backend-kit';

interface Probe {
  /** The op on the backend. */
  run: (t: (data: Float64Array, shape: number[]) => Tensor) => Tensor;
  /** The float64 closed form of each output element. */
  reference: () => Float64Array;
}

const rng = (seed: number, n: number, lo: number, hi: number): Float64Array => randomArray(n, hostRng(seed), lo, hi);
const map = (x: Float64Array, f: (v: number) => number): Float64Array => x.map(f);

const N = 4096;
const M = 256;

const PROBES: Record<string, Probe> = {
  'matmul 256³': {
    run: (t) => matmul(t(rng(1, M * M, -1, 1), [M, M]), t(rng(2, M * M, -1, 1), [M, M])),
    reference: () => {
      const [a, b] = [rng(1, M * M, -1, 1), rng(2, M * M, -1, 1)];
      const out = new Float64Array(M * M);
      for (let i = 0; i < M; i++) for (let k = 0; k < M; k++) for (let j = 0; j < M; j++) out[i * M + j]! += a[i * M + k]! * b[k * M + j]!;
      return out;
    },
  },
  'sum of 4096': {
    run: (t) => sum(t(rng(3, 16 * N, 0, 1), [16, N]), -1),
    reference: () => {
      const x = rng(3, 16 * N, 0, 1);
      return Float64Array.from({ length: 16 }, (_, r) => x.subarray(r * N, (r + 1) * N).reduce((p, v) => p + v, 0));
    },
  },
  'div': {
    run: (t) => div(t(rng(4, N, -4, 4), [N]), t(rng(5, N, 0.5, 4), [N])),
    reference: () => {
      const [x, y] = [rng(4, N, -4, 4), rng(5, N, 0.5, 4)];
      return x.map((v, i) => v / y[i]!);
    },
  },
  'exp on [-10, 10]': { run: (t) => exp(t(rng(6, N, -10, 10), [N])), reference: () => map(rng(6, N, -10, 10), Math.exp) },
  'log on (0, 100]': { run: (t) => log(t(rng(7, N, 1e-3, 100), [N])), reference: () => map(rng(7, N, 1e-3, 100), Math.log) },
  'sqrt': { run: (t) => sqrt(t(rng(8, N, 0, 100), [N])), reference: () => map(rng(8, N, 0, 100), Math.sqrt) },
  'tanh on [-6, 6]': { run: (t) => tanh(t(rng(9, N, -6, 6), [N])), reference: () => map(rng(9, N, -6, 6), Math.tanh) },
  'erf on [-4, 4]': { run: (t) => erf(t(rng(10, N, -4, 4), [N])), reference: () => map(rng(10, N, -4, 4), erfScalar) },
  'gelu on [-6, 6]': { run: (t) => gelu(t(rng(11, N, -6, 6), [N])), reference: () => map(rng(11, N, -6, 6), geluScalar) },
};

export const PRECISION_PROBES = Object.keys(PROBES);

/** Each probe's outputs on `backend`. */
export async function precisionOutputs(backend: BackendV1): Promise<Record<string, number[]>> {
  const out: Record<string, number[]> = {};
  for (const [name, probe] of Object.entries(PROBES)) {
    const result = tidy(() => probe.run((data, shape) => tensor(Float32Array.from(data), shape, { backend })));
    out[name] = Array.from(await result.data());
    result.dispose();
  }
  return out;
}

/** Worst error of each probe against its float64 closed form: relative to max |reference| (products, sums) or per element. */
export function precisionErrors(outputs: Record<string, number[]>): Record<string, number> {
  const errors: Record<string, number> = {};
  for (const [name, probe] of Object.entries(PROBES)) {
    const want = probe.reference();
    const got = outputs[name]!;
    const scale = Math.max(...want.map(Math.abs));
    let worst = 0;
    want.forEach((w, i) => {
      // elementwise functions: relative error where |w| ≥ 1e-3 of the range, absolute (scaled) below
      const denom = name.startsWith('matmul') ? scale : Math.max(Math.abs(w), 1e-3 * scale);
      worst = Math.max(worst, Math.abs(got[i]! - w) / denom);
    });
    errors[name] = worst;
  }
  return errors;
}
