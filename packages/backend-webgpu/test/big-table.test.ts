import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embedding, tensor } from '@edora/tensor';
import { WebGpuLimitError, type WebGpuBackend } from '../src/index.js';
import { createTestBackend, noGpuReason } from './gpu.js';

/**
 * Tables larger than one storage binding may hold (RoBERTa-base's 154 MB word embeddings exceed
 * the 128 MiB WebGPU default and lavapipe's maximum): gatherRows reads them block by block. The
 * path is exercised with a 64 KiB binding cap and a 200 KiB table; other ops on such a buffer are
 * refused with a limit error that says why.
 */
describe.skipIf(noGpuReason !== null)(`webgpu tables over the binding limit${noGpuReason ? ` (skipped: ${noGpuReason})` : ''}`, () => {
  let b: WebGpuBackend;
  beforeAll(async () => {
    b = await createTestBackend({ maxBindingBytes: 64 * 1024 });
  });
  afterAll(() => b?.dispose());

  it('embedding lookup over a table bigger than one binding gathers every row right', async () => {
    const [V, D] = [1000, 50]; // 200,000 bytes, rows not aligned to the 256-byte binding offsets
    const data = Float32Array.from({ length: V * D }, (_, i) => i * 0.5);
    const table = tensor(data, [V, D], { backend: b });
    const idsHost = [0, 999, 327, 328, 327, 1, 654, 655, 998];
    const ids = tensor(Int32Array.from(idsHost), [idsHost.length], { backend: b });
    const rows = embedding(table, ids);
    const got = await rows.data();
    const want = idsHost.flatMap((r) => Array.from(data.subarray(r * D, (r + 1) * D)));
    expect(Array.from(got)).toEqual(want);
    for (const t of [table, ids, rows]) t.dispose();
  });

  it('a bad id in a piecewise lookup is zeroed and reported once, not once per block', async () => {
    const [V, D] = [1000, 50];
    const table = tensor(Float32Array.from({ length: V * D }, (_, i) => i), [V, D], { backend: b });
    const ids = tensor(Int32Array.from([999, 1000]), [2], { backend: b });
    const out = tensor(new Float32Array(2 * D).fill(-1), [2, D], { backend: b });
    b.run('gatherRows', [table, ids], [out], {});
    await expect(out.data()).rejects.toThrow(/^webgpu gatherRows: index 1000 is out of range for a table of 1000 rows \(expected 0 ≤ index < 1000\)\. /);
    const got = await out.data();
    expect(Array.from(got.subarray(0, D))).toEqual(Array.from({ length: D }, (_, d) => 999 * D + d));
    expect(Array.from(got.subarray(D))).toEqual(new Array(D).fill(0));
    for (const t of [table, ids, out]) t.dispose();
  });

  it('an elementwise op on such a buffer is a limit error naming both sizes', () => {
    const big = tensor(new Float32Array(20000), [20000], { backend: b });
    expect(() => big.add(1)).toThrow(WebGpuLimitError);
    expect(() => big.add(1)).toThrow(/80000 bytes .* maxStorageBufferBindingSize of 65536/);
    big.dispose();
  });
});
