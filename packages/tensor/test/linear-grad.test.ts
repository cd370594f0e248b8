import { describe, expect, it } from 'vitest';
import { CpuBackend, matmulBiasAct, mul, noGrad, sum, tensor, type Tensor } from '@edora/tensor';

// matmulBiasAct with activation 'none' runs the fused op while training too (one op per Linear
// instead of a product and a broadcast add) and records its own backward. Its forward and all
// three gradients against a float64 recomputation of y = x W + b and of the closed-form gradients
// of L = Σ c ⊙ y: dx = c Wᵀ, dW = xᵀ c, db = Σ_rows c; for W given as [K, N] and as wᵀ ([N, K]).

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
}

function close(got: Float32Array, want: Float64Array, what: string): void {
  expect(got.length, what).toBe(want.length);
  for (let i = 0; i < want.length; i++) expect(Math.abs(got[i]! - want[i]!), `${what}[${i}]`).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(want[i]!)));
}

describe('matmulBiasAct with a gradient (the Linear layer while training)', () => {
  const be = new CpuBackend();
  for (const transB of [false, true]) {
    it(`${transB ? 'w as [N, K] (transB)' : 'w as [K, N]'}: fused forward, backward equal to the closed form`, () => {
      const [B, T, K, N] = [2, 3, 5, 4];
      const r = rng(transB ? 2 : 1);
      const xd = Float64Array.from({ length: B * T * K }, r);
      const wd = Float64Array.from({ length: K * N }, r); // W[k][n] = wd[k * N + n]
      const bd = Float64Array.from({ length: N }, r);
      const cd = Float64Array.from({ length: B * T * N }, r);
      const wStored = transB ? Float64Array.from({ length: N * K }, (_, i) => wd[(i % K) * N + Math.floor(i / K)]!) : wd;
      const f32 = (d: Float64Array, shape: number[]): Tensor => tensor(Float32Array.from(d), shape, { backend: be });
      const x = f32(xd, [B, T, K]).requiresGrad_();
      const w = f32(wStored, transB ? [N, K] : [K, N]).requiresGrad_();
      const b = f32(bd, [N]).requiresGrad_();
      const c = f32(cd, [B, T, N]);
      const y = matmulBiasAct(x, w, b, 'none', { transB });
      expect(y.node?.name, 'the fused op was recorded, not a product and an add').toBe('linear');
      const M = B * T;
      const y64 = new Float64Array(M * N);
      for (let m = 0; m < M; m++) for (let n = 0; n < N; n++) {
        let s = bd[n]!;
        for (let k = 0; k < K; k++) s += xd[m * K + k]! * wd[k * N + n]!;
        y64[m * N + n] = s;
      }
      close(y.dataSync() as Float32Array, y64, 'y');
      sum(mul(y, c)).backward();
      const dx = new Float64Array(M * K), dW = new Float64Array(K * N), db = new Float64Array(N);
      for (let m = 0; m < M; m++) for (let n = 0; n < N; n++) {
        const g = cd[m * N + n]!;
        db[n]! += g;
        for (let k = 0; k < K; k++) {
          dx[m * K + k]! += g * wd[k * N + n]!;
          dW[k * N + n]! += xd[m * K + k]! * g;
        }
      }
      const dwStored = transB ? Float64Array.from({ length: N * K }, (_, i) => dW[(i % K) * N + Math.floor(i / K)]!) : dW;
      close(x.grad!.dataSync() as Float32Array, dx, 'dx');
      close(w.grad!.dataSync() as Float32Array, dwStored, 'dw');
      close(b.grad!.dataSync() as Float32Array, db, 'db');
      expect(x.grad!.shape).toEqual([B, T, K]);
      expect(w.grad!.shape).toEqual(transB ? [N, K] : [K, N]);
    });
  }

  it('a frozen weight gets no gradient product, and without a gradient nothing is recorded', () => {
    const x = tensor(Float32Array.from([1, 2, 3, 4, 5, 6]), [2, 3], { backend: be }).requiresGrad_();
    const w = tensor(Float32Array.from([1, 0, 0, 1, 1, 1]), [3, 2], { backend: be });
    const b = tensor(Float32Array.from([0.5, -0.5]), [2], { backend: be });
    const y = matmulBiasAct(x, w, b);
    sum(y).backward();
    expect(Array.from(x.grad!.dataSync())).toEqual([1, 1, 2, 1, 1, 2]);
    expect(w.grad ?? null).toBeNull();
    expect(noGrad(() => matmulBiasAct(x, w, b)).node ?? null).toBeNull();
  });
});
