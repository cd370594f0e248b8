import { CpuBackend, tensor, zeros, type BackendV1, type OpAttrs } from '@edora/tensor';
import { fallbackCounts } from '@edora/tensor/backend-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CudaBackend } from '../src/index.js';
import { noStandinReason, standinBackend } from './standin.js';

/** Runs one random op on a backend into a [rows, cols] out seen through a transposed view. */
async function sample(b: BackendV1, attrs: OpAttrs['random']): Promise<number[]> {
  const base = zeros([7, 9], { backend: b });
  const view = base.transpose(); // [9, 7], strides [1, 9]: element i of the op is not at i in memory
  b.run('random', [], [view], attrs);
  return Array.from(await view.contiguous().data());
}

describe.skipIf(noStandinReason !== null)(`cuda kernels beyond the suite${noStandinReason ? ` (skipped: ${noStandinReason})` : ''}`, () => {
  let cuda: CudaBackend;
  const cpu = new CpuBackend();
  beforeAll(async () => {
    cuda = await standinBackend();
  });
  afterAll(() => cuda.dispose());

  it('Philox samples equal the cpu backend bit for bit: seeds and offsets past 2^32, strided outputs', async () => {
    const seed = 2 ** 40 + 12345;
    const offset = 2 ** 32 - 30; // the counter crosses into its high word inside the op
    for (const attrs of [
      { dist: 'uniform', seed, offset, low: -0.3, high: 1.7 },
      { dist: 'bernoulli', seed, offset, p: 0.37 },
    ] as OpAttrs['random'][]) {
      expect(await sample(cuda, attrs), attrs.dist).toEqual(await sample(cpu, attrs));
    }
    const normal = await sample(cuda, { dist: 'normal', seed, offset, mean: 1, std: 2 });
    const ref = await sample(cpu, { dist: 'normal', seed, offset, mean: 1, std: 2 });
    normal.forEach((v, i) => expect(Math.abs(v - ref[i]!)).toBeLessThanOrEqual(1e-6 * (1 + Math.abs(ref[i]!))));
  });

  it('int32 unary and reduce run on the host fallback, through synchronous reads, with the cpu results', async () => {
    const data = Int32Array.from([5, -3, 0, 7, -8, 2]);
    const x = tensor(data, [2, 3], { backend: cuda });
    const neg = zeros([2, 3], { backend: cuda, dtype: 'int32' });
    const sum = zeros([2, 1], { backend: cuda, dtype: 'int32' });
    const before = { ...fallbackCounts(cuda).host };
    cuda.run('unary', [x], [neg], { fn: 'neg' });
    cuda.run('reduce', [x], [sum], { fn: 'sum', axis: 1 });
    expect(Array.from(await neg.data())).toEqual([-5, 3, 0, -7, 8, -2]);
    expect(Array.from(await sum.data())).toEqual([2, 1]);
    const after = fallbackCounts(cuda).host;
    expect((after.unary ?? 0) - (before.unary ?? 0)).toBe(1);
    expect((after.reduce ?? 0) - (before.reduce ?? 0)).toBe(1);
  });

  it('int32 binary ops wrap like Int32Array stores; comparisons of int32 write a float32 mask', async () => {
    const a = tensor(Int32Array.from([2 ** 31 - 1, -7, 7, -(2 ** 31)]), [4], { backend: cuda });
    const b = tensor(Int32Array.from([1, 2, -2, -1]), [4], { backend: cuda });
    const o = zeros([4], { backend: cuda, dtype: 'int32' });
    cuda.run('binary', [a, b], [o], { fn: 'add' });
    expect(Array.from(await o.data())).toEqual([-(2 ** 31), -5, 5, 2 ** 31 - 1]);
    cuda.run('binary', [a, b], [o], { fn: 'div' });
    expect(Array.from(await o.data())).toEqual([2 ** 31 - 1, -3, -3, -(2 ** 31)]);
    const m = zeros([4], { backend: cuda });
    cuda.run('binary', [a, b], [m], { fn: 'gt' });
    expect(Array.from(await m.data())).toEqual([1, 0, 1, 0]);
  });

  it('layerNorm backward over many rows (dγ, dβ summed in chunks of 64 rows) matches the cpu backend', async () => {
    const rows = 150;
    const d = 7;
    const rng = (i: number): number => Math.sin(i * 12.9898) * 2;
    const run = async (b: BackendV1): Promise<number[][]> => {
      const x = tensor(Float32Array.from({ length: rows * d }, (_, i) => rng(i)), [rows, d], { backend: b });
      const dy = tensor(Float32Array.from({ length: rows * d }, (_, i) => rng(i + 7777)), [rows, d], { backend: b });
      const gamma = tensor(Float32Array.from({ length: d }, (_, i) => 1 + 0.1 * i), [d], { backend: b });
      const beta = zeros([d], { backend: b });
      const [y, mean, rstd, dx, dg, db] = [zeros([rows, d], { backend: b }), zeros([rows], { backend: b }), zeros([rows], { backend: b }),
        zeros([rows, d], { backend: b }), zeros([d], { backend: b }), zeros([d], { backend: b })];
      b.run('layerNorm', [x, gamma, beta], [y!, mean!, rstd!], { eps: 1e-5 });
      b.run('layerNormBackward', [x, gamma, mean!, rstd!, dy], [dx!, dg!, db!], {});
      return [Array.from(await dx!.data()), Array.from(await dg!.data()), Array.from(await db!.data())];
    };
    const got = await run(cuda);
    const ref = await run(cpu);
    got.forEach((g, k) => g.forEach((v, i) => expect(Math.abs(v - ref[k]![i]!), `output ${k} element ${i}`).toBeLessThanOrEqual(1e-4 * (1 + Math.abs(ref[k]![i]!)))));
  });
});
