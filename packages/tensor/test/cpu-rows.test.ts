import { describe, expect, it } from 'vitest';
import { CpuBackend, tensor } from '@edora/tensor';

// The cpu gatherRows kernel copies a dense row of one dtype as a block (typed-array `set`) and
// every other layout element by element. Both paths against a direct lookup, on rows wide enough
// for the block copy (64) and narrow ones (3), table and output dense or strided.

const be = new CpuBackend('cpu-rows-test');

describe('cpu gatherRows', () => {
  for (const D of [3, 64]) {
    for (const strided of [false, true]) {
      it(`rows of ${D}, ${strided ? 'a transposed table and a strided output' : 'dense views'}`, () => {
        const V = 7;
        const n = 5;
        const vals = Float32Array.from({ length: V * D }, (_, i) => i * 0.5 - 3);
        // the table [V, D]; strided: stored as [D, V] and viewed transposed
        const table = strided
          ? tensor(Float32Array.from({ length: V * D }, (_, i) => vals[(i % V) * D + Math.floor(i / V)]!), [D, V], { backend: be }).transpose(0, 1)
          : tensor(vals, [V, D], { backend: be });
        const ids = Int32Array.from([6, 0, 3, 3, 1]);
        const idx = tensor(ids, [n], { backend: be });
        const base = tensor(new Float32Array(n * D * 2).fill(-99), [n, D * 2], { backend: be });
        const out = strided ? base.slice(1, 0, D * 2).reshape([n, D, 2]).slice(2, 1, 2).reshape([n, D]) : tensor(new Float32Array(n * D), [n, D], { backend: be });
        if (strided) expect(out.strides).toEqual([2 * D, 2]);
        be.run('gatherRows', [table, idx], [out], {});
        const got = out.contiguous().dataSync();
        for (let i = 0; i < n; i++) for (let d = 0; d < D; d++) expect(got[i * D + d], `[${i}, ${d}]`).toBe(vals[ids[i]! * D + d]);
      });
    }
  }
});
