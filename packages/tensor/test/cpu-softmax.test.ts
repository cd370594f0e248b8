import { describe, expect, it } from 'vitest';
import { CpuBackend } from '@edora/tensor';
import { hostRng } from '@edora/tensor/conformance';
import { randomLayout, readBack } from './random-layout.js';

/**
 * The cpu softmax kernel keeps each row's exponentials in float64 between the sum and the
 * division; the result must be what the float64 formula gives, rounded once into float32:
 * y = exp(x − max) / Σ exp(x − max) and log y = x − (log Σ exp(x − max) + max), sums in order.
 */
const backend = new CpuBackend('cpu-softmax-test');

function reference(row: number[], log: boolean): number[] {
  let m = -Infinity;
  for (const v of row) if (v > m) m = v;
  if (m === -Infinity) m = 0;
  let s = 0;
  for (const v of row) s += Math.exp(v - m);
  return row.map((v) => Math.fround(log ? v - (Math.log(s) + m) : Math.exp(v - m) / s));
}

describe('cpu softmax and log-softmax', () => {
  for (const log of [false, true]) {
    it(`${log ? 'logSoftmax' : 'softmax'} equals the float64 formula rounded once, bit for bit`, () => {
      const rng = hostRng(log ? 8100 : 8000);
      for (const [n, d] of [[1, 1], [3, 7], [5, 128], [2, 1000]] as const) {
        const x = randomLayout(backend, rng, [n, d], 'float32', { dense: true });
        const y = randomLayout(backend, rng, [n, d], 'float32', { dense: true, fill: 'sentinel' });
        backend.run(log ? 'logSoftmax' : 'softmax', [x.view], [y.view], {});
        const got = Array.from(readBack(backend, y).subarray(0, n * d));
        const want = Array.from({ length: n }, (_, r) => reference(Array.from(x.data.subarray(r * d, (r + 1) * d)), log)).flat();
        expect(got, `[${n}, ${d}]`).toEqual(want);
      }
    });
  }
});
