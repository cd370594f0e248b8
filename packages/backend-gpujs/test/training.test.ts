import { describe, expect, it } from 'vitest';
import {
  adamwStep, backendStats, CpuBackend, crossEntropy, gelu, keep, layerNorm, matmul, noGrad, ones, randn, tensor, tidy, zeros,
  zerosLike, type BackendV1, type Tensor,
} from '@edora/tensor';
import { GpujsBackend } from '../src/index.js';

/** Five AdamW steps of a small MLP classifier (matmul, layerNorm, GELU, cross-entropy); the losses. */
function train(backend: BackendV1): number[] {
  const params = [randn([6, 8], { seed: 1, backend }), randn([8, 3], { seed: 2, backend })].map((p) => keep(p.requiresGrad_()));
  const [gamma, beta] = [ones([8], { backend }), zeros([8], { backend })];
  const state = params.map((p) => [keep(zerosLike(p)), keep(zerosLike(p))] as const);
  const x = randn([10, 6], { seed: 3, backend });
  const labels = tensor(Int32Array.from([0, 1, 2, 0, 1, 2, 0, 1, 2, 0]), [10], { backend, dtype: 'int32' });
  const losses: number[] = [];
  for (let step = 1; step <= 5; step++) {
    const loss = tidy(() => {
      const h = gelu(layerNorm(matmul(x, params[0]!), gamma, beta));
      const l = crossEntropy(matmul(h, params[1]!), labels);
      l.backward();
      return l;
    });
    losses.push(loss.dataSync()[0]!);
    loss.dispose();
    noGrad(() => params.forEach((p, i) => {
      adamwStep(p, p.grad!, state[i]![0], state[i]![1], { lr: 0.05, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, step });
      p.grad!.dispose();
      p.grad = null;
    }));
  }
  for (const t of [...params, ...state.flat(), gamma, beta, x, labels] as Tensor[]) t.dispose();
  return losses;
}

describe('gpujs backend (gpu.js webasm in Node)', () => {
  it('trains as the cpu backend does, and reports which ops ran on the host fallback', () => {
    const backend = new GpujsBackend({ name: 'gpujs-training', mode: 'webasm' });
    const want = train(new CpuBackend('gpujs-training-reference'));
    const got = train(backend);
    // float32 sums in index order against the cpu backend's float64 row statistics: the losses
    // agree to 1e-5 (measured: 5e-6 at worst), the bound the browser tests use for wasm and webgpu
    got.forEach((l, i) => expect(Math.abs(l - want[i]!), `step ${i + 1}: ${l}, cpu ${want[i]}`).toBeLessThan(1e-5));
    expect(got[4]).toBeLessThan(got[0]!); // it learns

    const { memory, fallbacks } = backendStats(backend);
    expect(memory).toMatchObject({ buffers: 0, bytes: 0 }); // every buffer went back
    // what the host ran: the int32 label comparisons of cross-entropy and the Philox draws
    expect(Object.keys(fallbacks.host).sort()).toEqual(['binary', 'random']);
    // fused ops without a kernel ran as the core's composites (of this backend's kernels)
    expect(fallbacks.composite).toEqual({ softmaxCrossEntropy: 5, softmaxCrossEntropyBackward: 5, geluBackward: 5 });
    // a second training run of the same shapes reuses every kernel: it compiles nothing
    const first = backend.compileStats();
    expect(first.compiles).toBe(first.programs);
    expect(train(backend)).toEqual(got);
    const second = backend.compileStats();
    expect(second.compiles).toBe(first.compiles);
    expect(second.runs).toBe(2 * first.runs);
    backend.dispose();
  });
});
