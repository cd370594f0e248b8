import { describe, expect, it } from 'vitest';
import {
  add, backendStats, CpuBackend, div, gelu, layerNorm, logSoftmax, matmul, max, maximum, mul, ones, randn, softmax, sum, tanh,
  tidy, type BackendV1, type Tensor, type TensorView, argmax, erf, lt, sub,
} from '@edora/tensor';
import { GpujsBackend } from '../src/index.js';

/*
 * Each kernel of the backend, on gpu.js's non-GL path (gpu.js's WebAssembly kernels: Node has no
 * WebGL without the native `gl` module). Every case is computed twice, on this backend and on
 * the cpu backend (float64 row statistics, exact erf), and must agree within float32 error; and
 * it must have run on a gpu.js kernel: no host fallback for the op, and kernel runs counted.
 */
type Case = (backend: BackendV1) => Tensor;

const CASES: Record<string, { op: string; run: Case }> = {
  'matmul, batched, both operands transposed (column-major strides), alpha and beta': {
    op: 'matmul',
    run: (backend) => {
      const a = randn([3, 7, 5], { seed: 1, backend }).transpose(1, 2); // [3, 5, 7], column-major
      const b = randn([3, 9, 7], { seed: 2, backend }).transpose(1, 2); // [3, 7, 9], column-major
      return matmul(a, b);
    },
  },
  'matmul with a broadcast (batch stride 0) right operand': {
    op: 'matmul',
    run: (backend) => matmul(randn([4, 6, 8], { seed: 3, backend }), randn([8, 5], { seed: 4, backend })),
  },
  'binary with broadcasting: a row, a column, a transposed view': {
    op: 'binary',
    run: (backend) => {
      const x = randn([6, 5], { seed: 5, backend });
      const row = randn([5], { seed: 6, backend });
      const col = randn([6, 1], { seed: 7, backend });
      const t = randn([5, 6], { seed: 8, backend }).transpose();
      return add(mul(x, row), div(sub(t, col), 3)).add(maximum(x, t)).add(lt(x, t));
    },
  },
  'unary: tanh, erf and GELU over a wide range': {
    op: 'unary',
    run: (backend) => {
      const x = randn([257], { seed: 9, backend }).mul(3);
      return add(add(tanh(x), erf(x)), gelu(x));
    },
  },
  'reduce: sum and max along the last axis and along a middle axis': {
    op: 'reduce',
    run: (backend) => {
      const x = randn([4, 33, 6], { seed: 10, backend });
      return add(sum(x, -1, { keepDim: true }).sum(1), max(x, 1).sum(-1, { keepDim: true }).reshape([4]));
    },
  },
  'reduce: argmax (int32 out)': {
    op: 'reduce',
    run: (backend) => argmax(randn([7, 19], { seed: 11, backend }), -1).cast('float32'),
  },
  'softmax and log-softmax of rows': {
    op: 'softmax',
    run: (backend) => {
      const x = randn([12, 17], { seed: 12, backend }).mul(4);
      return add(softmax(x, -1), logSoftmax(x, -1));
    },
  },
  'layerNorm': {
    op: 'layerNorm',
    run: (backend) => layerNorm(randn([9, 24], { seed: 13, backend }).add(2), randn([24], { seed: 14, backend }), randn([24], { seed: 15, backend })),
  },
};

/**
 * out ← alpha · a @ b + beta · out through backend.run, a [1, 3, 4] and b [1, 4, 2] dense, out
 * starting at 1..6; the largest difference from the float64 closed form.
 */
function directMatmul(backend: BackendV1, alpha: number, beta: number): number {
  const a = Float32Array.from({ length: 12 }, (_, i) => (i % 5) - 2);
  const b = Float32Array.from({ length: 8 }, (_, i) => i / 4 - 1);
  const c = Float32Array.from({ length: 6 }, (_, i) => i + 1);
  const view = (data: Float32Array, shape: number[]): TensorView => {
    const buffer = backend.alloc(data.byteLength);
    backend.write(buffer, data);
    const strides = shape.map((_, d) => shape.slice(d + 1).reduce((p, s) => p * s, 1));
    return { buffer, dtype: 'float32', shape, strides, offset: 0 };
  };
  const [va, vb, vc] = [view(a, [1, 3, 4]), view(b, [1, 4, 2]), view(c, [1, 3, 2])];
  backend.run('matmul', [va, vb], [vc], { alpha, beta });
  const got = new Float32Array(backend.readSync!(vc.buffer, 0, 24).buffer);
  let worst = 0;
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 2; j++) {
      let acc = 0;
      for (let k = 0; k < 4; k++) acc += a[i * 4 + k]! * b[k * 2 + j]!;
      worst = Math.max(worst, Math.abs(got[i * 2 + j]! - (alpha * acc + beta * c[i * 2 + j]!)));
    }
  }
  for (const v of [va, vb, vc]) backend.free(v.buffer);
  return worst;
}

function values(run: Case, backend: BackendV1): Float32Array {
  return tidy(() => Float32Array.from(run(backend).dataSync()));
}

describe('gpujs kernels (gpu.js webasm in Node)', () => {
  const cpu = new CpuBackend('gpujs-kernels-reference');
  for (const [title, { op, run }] of Object.entries(CASES)) {
    it(`${title}: equals the cpu backend and runs on a gpu.js kernel`, () => {
      const backend = new GpujsBackend({ name: 'gpujs-kernels', mode: 'webasm' });
      const want = values(run, cpu);
      const runsBefore = backend.compileStats().runs;
      const got = values(run, backend);
      expect(backend.compileStats().runs).toBeGreaterThan(runsBefore);
      const { host, composite } = backendStats(backend).fallbacks;
      expect(host[op as 'matmul'], 'host fallback runs').toBeUndefined();
      expect(composite[op as 'matmul'], 'composite runs').toBeUndefined();
      expect(got.length).toBe(want.length);
      got.forEach((v, i) => expect(Math.abs(v - want[i]!), `element ${i}: ${v}, cpu ${want[i]}`).toBeLessThan(1e-5 * (1 + Math.abs(want[i]!))));
      expect(backendStats(backend).memory.buffers).toBe(0);
      backend.dispose();
    });
  }

  it('compiles each shape class once: a second run of the same shapes compiles nothing', () => {
    const backend = new GpujsBackend({ name: 'gpujs-compiles', mode: 'webasm' });
    const all = (): void => {
      for (const { run } of Object.values(CASES)) values(run, backend);
    };
    all();
    const first = backend.compileStats();
    expect(first.compiles).toBeGreaterThan(0);
    expect(first.compiles).toBe(first.programs); // one compile per kernel, none switched
    all();
    const second = backend.compileStats();
    expect(second.compiles).toBe(first.compiles);
    expect(second.programs).toBe(first.programs);
    expect(second.runs).toBe(2 * first.runs);
    // scalars are arguments, not literals: other alpha and beta values reuse the product's kernel
    for (const [alpha, beta] of [[0.5, 1], [-2, 0.25]] as const) expect(directMatmul(backend, alpha, beta)).toBeLessThan(1e-5);
    expect(backend.compileStats().programs).toBe(second.programs + 1); // one kernel: beta ≠ 0 reads out
    expect(backend.compileStats().compiles).toBe(second.compiles + 1);
    backend.dispose();
  });

  it('ones and zeros on the memory kernels stay off the host fallback', () => {
    const backend = new GpujsBackend({ name: 'gpujs-fill', mode: 'webasm' });
    const x = ones([3, 4], { backend });
    expect(Array.from(x.transpose().contiguous().dataSync())).toEqual(new Array(12).fill(1));
    expect(backendStats(backend).fallbacks.host).toEqual({});
    x.dispose();
    backend.dispose();
  });
});
