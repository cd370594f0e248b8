import { afterEach, describe, expect, it, vi } from 'vitest';
import { compileCopy, specializedLoop } from '../src/backend/cpu/kernels/specialize.js';
import { binaryRow, unaryRow } from '../src/backend/cpu/kernels/elementwise.js';

/**
 * The cpu kernels' loops are compiled once per op and dtypes from the loop factory's own source
 * (see specialize.ts). These tests pin what that relies on: the copy computes what the factory
 * computes, copies are cached per key, and where a copy cannot be made or cannot run (a CSP
 * without 'unsafe-eval', a source rewritten to call module helpers) the factory itself is used.
 */

const twice = (x: number): number => 2 * x; // a module binding a compiled copy cannot see
const usesModuleBinding = (k: number) => {
  const c = twice(k);
  return (x: number): number => x * c;
};

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('specialized kernel loops', () => {
  it('a compiled copy of a row loop computes exactly what the factory computes', () => {
    const copy = compileCopy('test:unary-copy', unaryRow);
    expect(copy).not.toBeNull(); // in Node and vitest the fast path is the one under test
    const x = Float32Array.from({ length: 100 }, (_, i) => Math.sin(i) * 5);
    const viaCopy = new Float32Array(100);
    const viaFactory = new Float32Array(100);
    // unit strides, a strided input into a strided output, a broadcast input
    const rows = [
      { pa: 0, sa: 1, po: 0, so: 1, n: 100 },
      { pa: 3, sa: 3, po: 1, so: 2, n: 30 },
      { pa: 7, sa: 0, po: 0, so: 1, n: 40 },
    ];
    for (const { pa, sa, po, so, n } of rows) {
      copy!(Math.exp)(x, pa, sa, viaCopy, po, so, n);
      unaryRow(Math.exp)(x, pa, sa, viaFactory, po, so, n);
      expect(Array.from(viaCopy)).toEqual(Array.from(viaFactory));
    }
  });

  it('caches one loop per key', () => {
    const add = (a: number, b: number): number => a + b;
    const first = specializedLoop('test:cache:a', binaryRow, add);
    expect(specializedLoop('test:cache:a', binaryRow, add)).toBe(first);
    expect(specializedLoop('test:cache:b', binaryRow, add)).not.toBe(first);
  });

  it('falls back to the factory when its source calls a module binding', () => {
    expect(() => compileCopy('test:binding-probe', usesModuleBinding)!(3)).toThrow(ReferenceError);
    expect(specializedLoop('test:binding', usesModuleBinding, 3)(2)).toBe(12);
  });

  it('falls back to the factory where compiling is refused (a CSP without unsafe-eval)', () => {
    vi.stubGlobal('Function', function refused() {
      throw new EvalError('Refused to evaluate a string as JavaScript');
    });
    expect(compileCopy('test:csp-probe', unaryRow)).toBeNull();
    const loop = specializedLoop('test:csp', unaryRow, (x: number) => x + 1);
    const out = new Float64Array(3);
    loop(Float64Array.of(1, 2, 3), 0, 1, out, 0, 1, 3);
    expect(Array.from(out)).toEqual([2, 3, 4]);
  });
});
