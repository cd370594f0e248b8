import { afterAll, describe, expect, it } from 'vitest';
import { CpuBackend, tensor, type BackendV1, type TensorView } from '@edora/tensor';
import { WasmBackend } from '../src/index.js';

// The wasm neg, abs, square and sqrt (csrc/unary.c) against the cpu kernel, bit for bit, over
// lengths that exercise the vector loop and its tail, with NaN, ±∞, ±0, subnormals, negative
// square-root arguments and squares that overflow or underflow float32. A strided input must fall
// back to the cpu kernel.

const bits = (xs: ArrayLike<number>): string[] => Array.from(xs, (x) => (Object.is(x, -0) ? '-0' : String(x)));
const specials = [NaN, Infinity, -Infinity, 0, -0, 1e-45, -1e-40, 3e38, -2e-30, 1];
const values = Float32Array.from({ length: 203 }, (_, i) => specials[i % 29] ?? Math.fround(Math.cos(i * 1.3) * 10 ** ((i % 11) - 5)));

function run(be: BackendV1, fn: 'neg' | 'abs' | 'square' | 'sqrt', x: Omit<TensorView, 'buffer' | 'dtype'>): number[] {
  const src = tensor(Float32Array.from(values), [values.length], { backend: be });
  const n = x.shape.reduce((p, s) => p * s, 1);
  const out = tensor(new Float32Array(n).fill(42), x.shape, { backend: be });
  be.run('unary', [{ ...x, buffer: src.buffer, dtype: 'float32' }], [out], { fn });
  return Array.from(out.dataSync());
}

describe('wasm unary neg/abs/square/sqrt', () => {
  const wasm = new WasmBackend();
  const cpu = new CpuBackend();
  afterAll(() => wasm.dispose());

  for (const fn of ['neg', 'abs', 'square', 'sqrt'] as const) {
    it(`${fn}: bit-identical to the cpu kernel`, () => {
      for (const n of [0, 1, 3, 4, 7, 200]) {
        const view = { shape: [n], strides: [1], offset: 3 };
        expect(bits(run(wasm, fn, view)), `n = ${n}`).toEqual(bits(run(cpu, fn, view)));
      }
      const strided = { shape: [10, 7], strides: [1, 20], offset: 1 };
      expect(bits(run(wasm, fn, strided))).toEqual(bits(run(cpu, fn, strided)));
    });
  }
});
