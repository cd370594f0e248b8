import { describe, expect, it } from 'vitest';
import {
  adamwStep, backendStats, CpuBackend, crossEntropy, gelu, keep, layerNorm, matmul, noGrad, ones, randn, tensor, tidy, zeros,
  zerosLike, type BackendV1, type Tensor,
} from '@edora/tensor';
import { TemplateBackend } from '../src/index.js';

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

describe('template backend', () => {
  it('trains as the cpu backend does, and reports which ops ran on the host fallback', () => {
    const template = new TemplateBackend('template-training');
    const want = train(new CpuBackend('template-reference'));
    const got = train(template);
    got.forEach((l, i) => expect(l).toBeCloseTo(want[i]!, 5));
    expect(got[4]).toBeLessThan(got[0]!); // it learns

    const { memory, fallbacks } = backendStats(template);
    expect(memory).toMatchObject({ buffers: 0, bytes: 0 }); // every buffer went back
    expect(fallbacks.host.matmul).toBeUndefined(); // every product ran on the template's kernel
    // what it has no kernel for ran on the host, and is counted: a slow path is never silent
    expect(fallbacks.host.reduce).toBeGreaterThan(0);
    expect(fallbacks.host.unary).toBeGreaterThan(0);
    // tier-1 ops without a kernel ran as the core's composites
    expect(fallbacks.composite.layerNorm).toBe(5);
    expect(fallbacks.composite.adamw).toBe(10);
  });

  it('runs float32 fill, strided copy, add/mul and matmul on its own kernels (no host fallback)', () => {
    const backend = new TemplateBackend('template-own-kernels');
    const a = randn([4, 3], { seed: 4, backend });
    const b = randn([4, 5], { seed: 5, backend });
    const bias = randn([5], { seed: 6, backend });
    const cpu = new CpuBackend('template-own-reference');
    const want = matmul(randn([4, 3], { seed: 4, backend: cpu }).transpose(), randn([4, 5], { seed: 5, backend: cpu }))
      .add(randn([5], { seed: 6, backend: cpu })).mul(2);
    const before = backendStats(backend).fallbacks.host;
    // a transposed operand (made dense by copy), a broadcast one, a scalar
    const got = matmul(a.transpose(), b).add(bias).mul(2);
    expect(backendStats(backend).fallbacks.host).toEqual(before);
    Array.from(got.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(want.dataSync()[i]!, 5));
  });
});
