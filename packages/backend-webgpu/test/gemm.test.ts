import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tensor, type Tensor } from '@edora/tensor';
import type { WebGpuBackend } from '../src/index.js';
import { createTestBackend, noGpuReason } from './gpu.js';

/**
 * The tuned GEMM paths the conformance shapes barely touch, for both kernels: vec4 loads in every
 * layout (shapes that are multiples of 4), several 64×64 tiles and K tiles, ragged edges, a stride-0 batch,
 * and the bias/activation epilogue, each against a float64 product computed here.
 */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
}

function refGemm(a: Float32Array, b: Float32Array, M: number, K: number, N: number): Float64Array {
  const out = new Float64Array(M * N);
  for (let i = 0; i < M; i++) for (let k = 0; k < K; k++) {
    const av = a[i * K + k]!;
    for (let j = 0; j < N; j++) out[i * N + j]! += av * b[k * N + j]!;
  }
  return out;
}

function expectNear(got: Float32Array, want: Float64Array, K: number, label: string): void {
  // float32 accumulation over K terms of size ≤ 1: error grows like √K ulps of the partial sums
  const tol = 4e-7 * Math.sqrt(K) * 8;
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!) / (1 + Math.abs(want[i]!)));
  expect(worst, label).toBeLessThan(tol);
}

// both kernels run here whatever the adapter: 'tiled' is what GPUs get, 'direct' what emulators get
describe.skipIf(noGpuReason !== null).each(['tiled', 'direct'] as const)(`webgpu GEMM paths, %s kernel${noGpuReason ? ` (skipped: ${noGpuReason})` : ''}`, (gemmKernel) => {
  let b: WebGpuBackend;
  beforeAll(async () => {
    b = await createTestBackend({ gemmKernel });
  });
  afterAll(() => b?.dispose());

  /** A [rows, cols] operand stored row-major, or its transpose stored row-major and viewed back. */
  function operand(data: Float32Array, rows: number, cols: number, colMajor: boolean): { t: Tensor; view: Tensor } {
    if (!colMajor) {
      const t = tensor(data, [1, rows, cols], { backend: b });
      return { t, view: t };
    }
    const tr = new Float32Array(rows * cols);
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) tr[j * rows + i] = data[i * cols + j]!;
    const t = tensor(tr, [1, cols, rows], { backend: b });
    return { t, view: t.transpose(1, 2) };
  }

  for (const [M, K, N] of [[128, 96, 136], [70, 33, 65], [4, 256, 8]] as const) {
    for (const ta of [false, true]) {
      for (const tb of [false, true]) {
        it(`${M}×${K}·${K}×${N} A ${ta ? 'col' : 'row'}-major, B ${tb ? 'col' : 'row'}-major`, async () => {
          const r = lcg(M * 31 + K * 7 + N + (ta ? 1 : 0) * 2 + (tb ? 1 : 0));
          const ad = Float32Array.from({ length: M * K }, r);
          const bd = Float32Array.from({ length: K * N }, r);
          const A = operand(ad, M, K, ta);
          const B = operand(bd, K, N, tb);
          const out = tensor(new Float32Array(M * N), [1, M, N], { backend: b });
          b.run('matmul', [A.view, B.view], [out], { alpha: 1, beta: 0 });
          expectNear(await out.data() as Float32Array, refGemm(ad, bd, M, K, N), K, `${M}x${K}x${N}`);
          for (const t of [A.t, A.view, B.t, B.view, out]) t.dispose();
        });
      }
    }
  }

  it('batched attention shape 12×128×64 · 64×128 (Bᵀ view) with alpha and a shared stride-0 operand', async () => {
    const [H, S, D] = [12, 128, 64];
    const r = lcg(5);
    const q = Float32Array.from({ length: H * S * D }, r);
    const k = Float32Array.from({ length: S * D }, r);
    const Q = tensor(q, [H, S, D], { backend: b });
    const Kt = tensor(k, [S, D], { backend: b });
    // every head multiplies by the same kᵀ: batch stride 0, column-major through the transpose
    const kView = Kt.reshape([1, S, D]).expand([H, S, D]).transpose(1, 2);
    const out = tensor(new Float32Array(H * S * S), [H, S, S], { backend: b });
    b.run('matmul', [Q, kView], [out], { alpha: 0.125, beta: 0 });
    const got = await out.data() as Float32Array;
    const kT = new Float32Array(D * S);
    for (let i = 0; i < S; i++) for (let j = 0; j < D; j++) kT[j * S + i] = k[i * D + j]!;
    for (const h of [0, 11]) {
      const ref = refGemm(q.subarray(h * S * D, (h + 1) * S * D), kT, S, D, S).map((v) => v * 0.125);
      expectNear(got.subarray(h * S * S, (h + 1) * S * S), ref, D, `head ${h}`);
    }
    for (const t of [Q, Kt, kView, out]) t.dispose();
  });

  it('matmulBiasAct: bias then exact GELU, relu and tanh in the epilogue', async () => {
    const [M, K, N] = [20, 24, 36];
    const r = lcg(9);
    const ad = Float32Array.from({ length: M * K }, r);
    const bd = Float32Array.from({ length: K * N }, r);
    const bias = Float32Array.from({ length: N }, r);
    const A = tensor(ad, [1, M, K], { backend: b });
    const B = tensor(bd, [1, K, N], { backend: b });
    const Bi = tensor(bias, [N], { backend: b });
    const base = refGemm(ad, bd, M, K, N);
    const { geluScalar } = await import('@edora/tensor/backend-kit');
    for (const [activation, f] of [['gelu', geluScalar], ['relu', (v: number) => Math.max(v, 0)], ['tanh', Math.tanh]] as const) {
      const out = tensor(new Float32Array(M * N), [1, M, N], { backend: b });
      b.run('matmulBiasAct', [A, B, Bi], [out], { activation });
      const want = base.map((v, i) => f(v + bias[i % N]!));
      expectNear(await out.data() as Float32Array, want, K, activation);
      out.dispose();
    }
    for (const t of [A, B, Bi]) t.dispose();
  });

  it('beta accumulates into out and an operand aliasing out is read before it is overwritten', async () => {
    const n = 8;
    const r = lcg(3);
    const d = Float32Array.from({ length: n * n }, r);
    const X = tensor(d, [1, n, n], { backend: b });
    // X ← X·X + X, with X both operand and output
    b.run('matmul', [X, X], [X], { alpha: 1, beta: 1 });
    const want = refGemm(d, d, n, n, n).map((v, i) => v + d[i]!);
    expectNear(await X.data() as Float32Array, want, n, 'aliased');
    X.dispose();
  });
});
