import { describe, expect, it } from 'vitest';
import { philox4x32, philoxUniforms, rand, bernoulli } from '@edora/tensor';

const hex = (a: Uint32Array): string[] => Array.from(a, (v) => v.toString(16).padStart(8, '0'));

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

  it('samples have the right moments', () => {
    const u = Array.from(rand([100_000], { seed: 3 }).dataSync());
    const mean = u.reduce((a, b) => a + b, 0) / u.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.005);
    const b = Array.from(bernoulli([100_000], 0.9, { seed: 4 }).dataSync());
    expect(Math.abs(b.reduce((a, v) => a + v, 0) / b.length - 0.9)).toBeLessThan(0.005);
  });
});
