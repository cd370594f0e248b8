import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CpuBackend, dropout, ones, tensor, type BackendV1 } from '@edora/tensor';
import { philox4x32 } from '@edora/tensor/backend-kit';
import type { WebGpuBackend } from '../src/index.js';
import { createTestBackend, noGpuReason } from './gpu.js';

/**
 * The counter-based generator on the GPU against the cpu backend: dropout masks for the same
 * seed must be bit-identical (training on either backend drops the same units), including at
 * rates whose keep probability float32 cannot represent and counters that carry into the high
 * word; Philox's raw words are checked against the published known-answer vectors through the
 * cpu reference the kernel mirrors.
 */
describe.skipIf(noGpuReason !== null)(`webgpu random${noGpuReason ? ` (skipped: ${noGpuReason})` : ''}`, () => {
  let gpu: WebGpuBackend;
  const cpu: BackendV1 = new CpuBackend();
  beforeAll(async () => {
    gpu = await createTestBackend();
  });
  afterAll(() => gpu?.dispose());

  it('the cpu reference reproduces the Philox4x32-10 known-answer vectors (Random123 kat_vectors)', () => {
    expect(Array.from(philox4x32(0, 0, 0, 0, 0, 0))).toEqual([0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8]);
    expect(Array.from(philox4x32(0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff))).toEqual([
      0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd,
    ]);
  });

  for (const [rate, seed, offset] of [[0.1, 42, 0], [0.3, 2 ** 40 + 3, 2 ** 32 - 5000], [1 / 3, 7, 123456789]] as const) {
    it(`dropout(p = ${rate.toFixed(3)}) masks are bit-identical on cpu and webgpu (seed ${seed}, offset ${offset})`, async () => {
      const shape = [64, 1000];
      const masks: Float32Array[] = [];
      for (const backend of [cpu, gpu]) {
        const x = ones(shape, { backend });
        const y = dropout(x, rate, { seed, offset });
        masks.push((await y.data()) as Float32Array);
        x.dispose();
        y.dispose();
      }
      const [c, g] = masks as [Float32Array, Float32Array];
      let differ = 0;
      for (let i = 0; i < c.length; i++) if (c[i] !== g[i]) differ++;
      expect(differ).toBe(0);
      const kept = c.reduce((s, v) => s + (v !== 0 ? 1 : 0), 0) / c.length;
      expect(Math.abs(kept - (1 - rate))).toBeLessThan(0.01);
    });
  }

  it('bernoulli at a p that float32 rounds onto a sample: compared exactly, not through float32', async () => {
    // pick a sample u = k·2⁻²⁴ ≥ 0.5 and set p = (k + 0.3)·2⁻²⁴: u < p, but float32(p) = u, so a
    // float32 comparison would drop what the cpu backend keeps
    const seed = 1234;
    // the first counter whose sample is in [0.5, 1), where float32's spacing is 2⁻²⁴
    let c = 0;
    while (philox4x32(c, 0, 0, 0, seed, 0)[0]! >>> 8 < 2 ** 23) c++;
    const k = philox4x32(c, 0, 0, 0, seed, 0)[0]! >>> 8;
    const p = (k + 0.3) / 2 ** 24;
    expect(Math.fround(p)).toBe(k / 2 ** 24);
    const n = 4096;
    const got: Float32Array[] = [];
    for (const backend of [cpu, gpu]) {
      const o = tensor(new Float32Array(n), [n], { backend });
      backend.run('random', [], [o], { dist: 'bernoulli', seed, offset: 0, p });
      got.push((await o.data()) as Float32Array);
      o.dispose();
    }
    expect(Array.from(got[1]!)).toEqual(Array.from(got[0]!));
    expect(got[1]![c]).toBe(1);
  });

  it('uniform [0, 1) is bit-identical and normal agrees within float32 error across a counter carry', async () => {
    const n = 4096;
    const attrs = { seed: 2 ** 33 + 1, offset: 2 ** 32 - 2048 };
    for (const dist of ['uniform', 'normal'] as const) {
      const got: Float32Array[] = [];
      for (const backend of [cpu, gpu]) {
        const o = tensor(new Float32Array(n), [n], { backend });
        backend.run('random', [], [o], { dist, ...attrs, low: 0, high: 1, mean: 0, std: 1 });
        got.push((await o.data()) as Float32Array);
        o.dispose();
      }
      const [c, g] = got as [Float32Array, Float32Array];
      if (dist === 'uniform') expect(Array.from(g)).toEqual(Array.from(c));
      else for (let i = 0; i < n; i++) expect(Math.abs(g[i]! - c[i]!), `normal ${i}`).toBeLessThan(2e-5 * (1 + Math.abs(c[i]!)));
    }
  });
});
