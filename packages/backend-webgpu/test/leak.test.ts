import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  adamwStep, crossEntropy, dropout, embedding, gelu, layerNorm, matmul, randn, tensor, tidy, zeros, type Tensor,
} from '@edora/tensor';
import type { WebGpuBackend } from '../src/index.js';
import { createTestBackend, noGpuReason } from './gpu.js';

/**
 * 1,000 training-like steps (embedding, linear, GELU, layerNorm, dropout, linear, cross-entropy,
 * backward, AdamW, one loss read per step) must leave the live-buffer count and bytes exactly
 * where they were after warm-up, and the pool must stop creating GPU buffers: every temporary is
 * recycled. The loss must also fall, so the steps are real work.
 */
describe.skipIf(noGpuReason !== null)(`webgpu memory across steps${noGpuReason ? ` (skipped: ${noGpuReason})` : ''}`, () => {
  let b: WebGpuBackend;
  beforeAll(async () => {
    b = await createTestBackend();
  });
  afterAll(() => b?.dispose());

  it('1,000 steps keep live buffers, live bytes and created buffers flat, one submission per step', async () => {
    const [V, D, H, C, N] = [50, 16, 32, 3, 24];
    const opts = { backend: b };
    const scaled = (shape: number[], seed: number, s: number): Tensor => tidy(() => randn(shape, { ...opts, seed }).mul(s));
    const params: Tensor[] = [scaled([V, D], 1, 0.1), scaled([D, H], 2, 0.2), zeros([H], opts), scaled([H, C], 3, 0.2)].map((p) =>
      p.requiresGrad_(),
    );
    const gamma = tensor(new Float32Array(H).fill(1), [H], opts);
    const beta = zeros([H], opts);
    const moments = params.map((p) => [zeros(p.shape, opts), zeros(p.shape, opts)] as const);
    const ids = tensor(Int32Array.from({ length: N }, (_, i) => (i * 7) % V), [N], opts);
    const labels = tensor(Int32Array.from({ length: N }, (_, i) => (i * 7) % V % C), [N], opts);

    const step = async (t: number): Promise<number> => {
      const loss = tidy(() => {
        const [emb, w1, b1, w2] = params as [Tensor, Tensor, Tensor, Tensor];
        const x = embedding(emb, ids);
        const h = gelu(matmul(x, w1).add(b1));
        const n = layerNorm(h, gamma, beta, 1e-5);
        const d = dropout(n, 0.1, { seed: 99, offset: t * N * H });
        return crossEntropy(matmul(d, w2), labels);
      });
      loss.backward();
      params.forEach((p, i) => {
        adamwStep(p, p.grad!, moments[i]![0], moments[i]![1], {
          lr: 1e-2, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, step: t + 1,
        });
        p.grad!.dispose();
        p.grad = null;
      });
      const value = await loss.item();
      loss.dispose();
      return value;
    };

    const first = await step(0);
    for (let t = 1; t < 10; t++) await step(t);
    const mem0 = b.memory();
    const pool0 = b.poolStats();
    const sub0 = b.stats().submissions;
    let last = first;
    for (let t = 10; t < 1000; t++) last = await step(t);
    const mem1 = b.memory();
    const pool1 = b.poolStats();
    // the loss read is the step's only wait; host writes of fresh scalars never force a submission
    const perStep = (b.stats().submissions - sub0) / 990;
    console.log(`submissions per step: ${perStep}`);
    expect(perStep).toBe(1);
    expect(mem1.buffers).toBe(mem0.buffers);
    expect(mem1.bytes).toBe(mem0.bytes);
    expect(pool1.created).toBe(pool0.created);
    expect(mem1.pooledBytes).toBe(mem0.pooledBytes);
    expect(last).toBeLessThan(first * 0.7);
    for (const t of [...params, gamma, beta, ids, labels, ...moments.flat()]) t.dispose();
  });
});
