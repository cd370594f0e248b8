import { afterAll, describe, expect, it } from 'vitest';
import { CpuBackend, tensor, type BackendV1, type TensorView } from '@edora/tensor';
import { WasmBackend } from '../src/index.js';

// The wasm sum along one axis against the cpu kernel on the same views, bit for bit: every axis
// of shapes with odd and even inner sizes (the kernel pairs output elements, also across blocks),
// an empty axis, long rows where compensation matters, NaN and ±∞. A strided view and max must
// fall back to the cpu kernel (and so agree as well).

const bits = (xs: ArrayLike<number>): string[] => Array.from(xs, (x) => (Object.is(x, -0) ? '-0' : String(x)));

function input(n: number, special: boolean): Float32Array {
  return Float32Array.from({ length: n }, (_, i) =>
    special && i % 37 === 5 ? [NaN, Infinity, -Infinity][i % 3]! : Math.fround(Math.sin(i * 0.73) * 10 ** ((i % 9) - 4)),
  );
}

function run(be: BackendV1, data: Float32Array, x: Omit<TensorView, 'buffer' | 'dtype'>, fn: 'sum' | 'max', axis: number): number[] {
  const src = tensor(data, [data.length], { backend: be });
  const shape = x.shape.map((s, i) => (i === axis ? 1 : s));
  const out = tensor(new Float32Array(shape.reduce((p, s) => p * s, 1)).fill(42), shape, { backend: be });
  be.run('reduce', [{ ...x, buffer: src.buffer, dtype: 'float32' }], [out], { fn, axis });
  return Array.from(out.dataSync());
}

const contiguous = (shape: number[], offset = 0): Omit<TensorView, 'buffer' | 'dtype'> => {
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((p, s) => p * s, 1));
  return { shape, strides, offset };
};

describe('wasm reduce sum', () => {
  const wasm = new WasmBackend();
  const cpu = new CpuBackend();
  afterAll(() => wasm.dispose());

  const shapes = [[7], [3, 5], [4, 6], [2, 3, 5], [3, 0, 4], [2, 4096], [5, 1, 3]];
  for (const shape of shapes) {
    for (let axis = 0; axis < shape.length; axis++) {
      it(`bit-identical to the cpu kernel: [${shape.join(', ')}] axis ${axis}`, () => {
        const n = shape.reduce((p, s) => p * s, 1) + 3;
        for (const special of [false, true]) {
          const data = input(n, special);
          const view = contiguous(shape, 3);
          expect(bits(run(wasm, data, view, 'sum', axis))).toEqual(bits(run(cpu, data, view, 'sum', axis)));
        }
      });
    }
  }

  it('sums that need compensation match a float64 reference', () => {
    // 1 + 4096 × 1e-8 + (−1): naive float32 (or uncompensated) accumulation loses the small terms
    const data = Float32Array.from({ length: 4098 }, (_, i) => (i === 0 ? 1 : i === 4097 ? -1 : 1e-8));
    let ref = 0;
    for (let i = 1; i < 4097; i++) ref += Math.fround(1e-8);
    expect(run(wasm, data, contiguous([4098]), 'sum', 0)[0]).toBe(Math.fround(ref));
  });

  it('strided views and max go to the cpu kernel and agree with it', () => {
    const data = input(64, true);
    const transposed = { shape: [4, 6], strides: [1, 4], offset: 2 };
    for (const axis of [0, 1]) {
      expect(bits(run(wasm, data, transposed, 'sum', axis))).toEqual(bits(run(cpu, data, transposed, 'sum', axis)));
      expect(bits(run(wasm, data, contiguous([4, 6]), 'max', axis))).toEqual(bits(run(cpu, data, contiguous([4, 6]), 'max', axis)));
    }
  });
});
