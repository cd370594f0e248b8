import {
  CpuBackend, add, crossEntropy, dropout, embedding, gelu, layerNorm, matmul, tensor, tidy, zeros, adamwStep, type BackendV1, type Tensor,
} from '@edora/tensor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CudaBackend } from '../src/index.js';
import { noStandinReason, standinBackend } from './standin.js';

/**
 * Eight training steps of a small embedding → layerNorm → GELU MLP → classifier with seeded
 * dropout, cross-entropy and AdamW, on a backend: the per-step losses. The same numbers go in on
 * every backend, so cuda (stand-in) must follow the cpu backend's trajectory step by step. All
 * its tensors are disposed at the end.
 */
async function train(backend: BackendV1): Promise<number[]> {
  const V = 20, D = 16, H = 32, C = 3, N = 24;
  const init = (n: number, salt: number, scale: number): Float32Array => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 1.618 + salt) * scale);
  const leaf = (data: Float32Array, shape: number[]): Tensor => tensor(data, shape, { backend }).requiresGrad_();
  const params = [
    leaf(init(V * D, 1, 0.5), [V, D]),
    leaf(Float32Array.from({ length: D }, () => 1), [D]),
    leaf(new Float32Array(D), [D]),
    leaf(init(D * H, 2, 0.3), [D, H]),
    leaf(new Float32Array(H), [H]),
    leaf(init(H * C, 3, 0.3), [H, C]),
  ];
  const [table, gamma, beta, w1, b1, w2] = params as [Tensor, Tensor, Tensor, Tensor, Tensor, Tensor];
  const moments = params.map((p) => [zeros(p.shape, { backend }), zeros(p.shape, { backend })] as const);
  const ids = tensor(Int32Array.from({ length: N }, (_, i) => (i * 7) % V), [N], { backend });
  const labels = tensor(Int32Array.from({ length: N }, (_, i) => i % C), [N], { backend });
  const losses: number[] = [];
  for (let step = 1; step <= 8; step++) {
    const loss = tidy(() => {
      const x = layerNorm(embedding(table, ids), gamma, beta);
      const h = dropout(gelu(add(matmul(x, w1), b1)), 0.1, { seed: 7, offset: step * 1000 });
      const l = crossEntropy(matmul(h, w2), labels);
      l.backward();
      return l.detach();
    });
    losses.push(await loss.item());
    loss.dispose();
    params.forEach((p, i) => {
      adamwStep(p, p.grad!, moments[i]![0], moments[i]![1], { lr: 0.05, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, step });
      p.grad!.dispose();
      p.grad = null;
    });
  }
  for (const t of [...params, ...moments.flat(), ids, labels]) t.dispose();
  return losses;
}

describe.skipIf(noStandinReason !== null)(`training through the cuda backend${noStandinReason ? ` (skipped: ${noStandinReason})` : ''}`, () => {
  let cuda: CudaBackend;
  beforeAll(async () => {
    cuda = await standinBackend();
  });
  afterAll(() => cuda.dispose());

  it('eight AdamW steps with dropout follow the cpu backend step by step, and the loss falls', async () => {
    const before = cuda.memory().buffers;
    const got = await train(cuda);
    const ref = await train(new CpuBackend());
    got.forEach((l, i) => expect(Math.abs(l - ref[i]!), `step ${i + 1}: cuda ${l}, cpu ${ref[i]}`).toBeLessThanOrEqual(1e-4 * (1 + ref[i]!)));
    expect(got.at(-1)!).toBeLessThan(got[0]! * 0.8);
    // every intermediate was released: nothing leaks on the device across the steps
    expect(cuda.memory().buffers).toBe(before);
  });
});
