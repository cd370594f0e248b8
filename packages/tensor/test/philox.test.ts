import { describe, expect, it } from 'vitest';
import { rand, bernoulli } from '@edora/tensor';
import { philox4x32, philoxUniforms } from '@edora/tensor/backend-kit';
import { hostRng } from '@edora/tensor/conformance';
import { philoxUniformRun } from '../src/rng/philox.js';

const hex = (a: Uint32Array): string[] => Array.from(a, (v) => v.toString(16).padStart(8, '0'));

/** Philox4x32-10 in exact 64-bit integer arithmetic, as in the paper: an independent reference. */
function philoxBigInt(c: bigint[], k: bigint[]): bigint[] {
  const mask = 0xffffffffn;
  let [x0, x1, x2, x3] = c as [bigint, bigint, bigint, bigint];
  let [k0, k1] = k as [bigint, bigint];
  for (let round = 0; round < 10; round++) {
    const p0 = 0xd2511f53n * x0;
    const p1 = 0xcd9e8d57n * x2;
    [x0, x1, x2, x3] = [((p1 >> 32n) ^ x1 ^ k0) & mask, p1 & mask, ((p0 >> 32n) ^ x3 ^ k1) & mask, p0 & mask];
    k0 = (k0 + 0x9e3779b9n) & mask;
    k1 = (k1 + 0xbb67ae85n) & mask;
  }
  return [x0, x1, x2, x3];
}

describe('Philox4x32-10', () => {
  // Known-answer vectors published with Random123 (kat_vectors, philox4x32_10)
  it('matches the Random123 known-answer vectors', () => {
    expect(hex(philox4x32(0, 0, 0, 0, 0, 0))).toEqual(['6627e8d5', 'e169c58d', 'bc57ac4c', '9b00dbd8']);
    expect(hex(philox4x32(0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff))).toEqual([
      '408f276d', '41c83b0e', 'a20bc7c6', '6d5451fd',
    ]);
    expect(hex(philox4x32(0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0))).toEqual([
      'd16cfe09', '94fdcceb', '5001e420', '24126ea1',
    ]);
  });

  it('maps counters above 2^32 and seeds above 2^32 into both words', () => {
    const u = new Float64Array(2);
    philoxUniforms(2 ** 32 + 5, 2 ** 32 + 7, u);
    const r = philox4x32(7, 1, 0, 0, 5, 1);
    expect(u[0]).toBe((r[0]! >>> 8) / 2 ** 24);
    expect(u[1]).toBe((r[1]! >>> 8) / 2 ** 24);
  });

  it('equals a 64-bit integer implementation on random words (the high product words are exact)', () => {
    const rng = hostRng(11);
    const word = (): number => (rng() < 0.1 ? 0xffffffff : Math.floor(rng() * 2 ** 32));
    for (let i = 0; i < 2000; i++) {
      const w = [word(), word(), word(), word(), word(), word()] as const;
      const want = philoxBigInt(w.slice(0, 4).map(BigInt), w.slice(4).map(BigInt)).map(Number);
      expect(Array.from(philox4x32(...w)), `words ${w.join(', ')}`).toEqual(want);
    }
  });

  it('philoxUniformRun gives philoxUniforms\' numbers for each counter of a run', () => {
    const u = new Float64Array(2);
    // odd and even lengths, a run across the 2^32 carry of the low counter word, large seeds
    const runs: [seed: number, counter: number, n: number][] = [
      [0, 0, 1], [7, 5, 10], [2 ** 33 + 3, 2 ** 32 - 3, 7], [123, 2 ** 40 + 1, 4], [2 ** 52, 99, 9],
    ];
    for (const [seed, counter, n] of runs) {
      const u0 = new Float64Array(n + 1).fill(-1);
      const u1 = new Float64Array(n + 1).fill(-1);
      philoxUniformRun(seed, counter, n, u0, u1);
      const alone = new Float64Array(n + 1).fill(-1);
      philoxUniformRun(seed, counter, n, alone);
      for (let i = 0; i < n; i++) {
        philoxUniforms(seed, counter + i, u);
        expect([u0[i], u1[i], alone[i]], `seed ${seed} counter ${counter + i}`).toEqual([u[0], u[1], u[0]]);
      }
      expect([u0[n], u1[n], alone[n]], 'nothing written past the run').toEqual([-1, -1, -1]);
    }
  });

  it('samples have the right moments', () => {
    const u = Array.from(rand([100_000], { seed: 3 }).dataSync());
    const mean = u.reduce((a, b) => a + b, 0) / u.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.005);
    const b = Array.from(bernoulli([100_000], 0.9, { seed: 4 }).dataSync());
    expect(Math.abs(b.reduce((a, v) => a + v, 0) / b.length - 0.9)).toBeLessThan(0.005);
  });
});
