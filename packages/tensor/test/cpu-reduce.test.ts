import { describe, expect, it } from 'vitest';
import { CpuBackend, type DType, type ReduceFn } from '@edora/tensor';
import { hostRng } from '@edora/tensor/conformance';
import { randomLayout, randomShape, readBack, setValues, type Layout } from './random-layout.js';

/**
 * The cpu `reduce` kernel walks a row of outputs either one output at a time (the reduced axis
 * innermost in memory) or the reduced axis outermost over a block of outputs (a bias gradient:
 * the outputs are adjacent, the reduced elements far apart). Both must give the same bits, so
 * each case stores one logical tensor twice, reduced axis innermost and outermost, and compares
 * the outputs with Object.is; then checks them against independent references: the first maximum
 * (NaN wins) exactly, and sums against the exact sum (BigInt) within one float32 rounding.
 */

const backend = new CpuBackend('cpu-reduce-test');

/** A logical tensor stored with `axis` innermost and with `axis` outermost. */
function twoLayouts(rng: () => number, shape: number[], axis: number, dtype: DType, fill: 'values' | 'finite'): [Layout, Layout] {
  const rest = shape.map((_, d) => d).filter((d) => d !== axis);
  const inner = randomLayout(backend, rng, shape, dtype, { order: [...rest, axis], fill });
  const outer = randomLayout(backend, rng, shape, dtype, { order: [axis, ...rest] });
  setValues(backend, outer, inner.offsets.map((p) => inner.data[p]!));
  return [inner, outer];
}

function reduced(x: Layout, fn: ReduceFn, axis: number): number[] {
  const shape = x.view.shape.map((s, d) => (d === axis ? 1 : s));
  const dtype: DType = fn === 'argmax' ? 'int32' : x.view.dtype;
  const out = randomLayout(backend, rng0, shape, dtype, { dense: true, fill: 'sentinel' });
  backend.run('reduce', [x.view], [out.view], { fn, axis });
  const got = readBack(backend, out);
  return out.offsets.map((p) => got[p]!);
}
const rng0 = hostRng(1);

/** The logical values along `axis` for each output, in output order. */
function lanes(x: Layout, axis: number): number[][] {
  const shape = x.view.shape;
  const len = shape[axis]!;
  const innerSize = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const outerSize = shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const out: number[][] = [];
  for (let o = 0; o < outerSize; o++) {
    for (let i = 0; i < innerSize; i++) {
      out.push(Array.from({ length: len }, (_, k) => x.data[x.offsets[(o * len + k) * innerSize + i]!]!));
    }
  }
  return out;
}

/** Σ values exactly (float32 values are integer multiples of 2⁻¹⁴⁹), rounded to a double. */
function exactSumF32(values: number[]): number {
  let s = 0n;
  for (const v of values) s += BigInt(v * 2 ** 149);
  return Number(s) / 2 ** 149;
}

const ulp32 = (x: number): number => (x === 0 ? 2 ** -149 : 2 ** Math.max(Math.floor(Math.log2(Math.abs(x))) - 23, -149));

function cases(rng: () => number): { shape: number[]; axis: number }[] {
  const out: { shape: number[]; axis: number }[] = [
    { shape: [5, 300], axis: 0 }, // more outputs than one block of the outer walk
    { shape: [40, 3, 70], axis: 0 },
    { shape: [4, 33, 9], axis: 1 },
  ];
  while (out.length < 60) {
    const shape = randomShape(rng);
    if (shape.length === 0) continue;
    out.push({ shape, axis: Math.floor(rng() * shape.length) });
  }
  return out;
}

describe('cpu reduce along an axis', () => {
  it('max and argmax: the first maximum (NaN wins), the same whichever way the axis is stored', () => {
    const rng = hostRng(5000);
    for (const { shape, axis } of cases(rng)) {
      if (shape[axis] === 0) continue; // max of an empty axis is an error, tested in the conformance suite
      for (const dtype of ['float32', 'float64', 'int32'] as const) {
        const [inner, outer] = twoLayouts(rng, shape, axis, dtype, 'values');
        const want = lanes(inner, axis).map((lane) => {
          let bi = 0;
          for (let k = 1; k < lane.length; k++) {
            if (Number.isNaN(lane[bi]!)) break;
            if (Number.isNaN(lane[k]!) || lane[k]! > lane[bi]!) bi = k;
          }
          return bi;
        });
        const values = lanes(inner, axis);
        const label = `${dtype} [${shape.join(', ')}] axis ${axis}`;
        for (const x of [inner, outer]) {
          expect(reduced(x, 'argmax', axis), `argmax ${label} strides [${x.view.strides.join(', ')}]`).toEqual(want);
          expect(reduced(x, 'max', axis), `max ${label} strides [${x.view.strides.join(', ')}]`).toEqual(want.map((k, i) => values[i]![k]));
        }
      }
    }
  });

  it('sum: identical bits whichever way the axis is stored (NaN and ±∞ included)', () => {
    const rng = hostRng(6000);
    for (const { shape, axis } of cases(rng)) {
      for (const dtype of ['float32', 'float64', 'int32'] as const) {
        const [inner, outer] = twoLayouts(rng, shape, axis, dtype, 'values');
        const a = reduced(inner, 'sum', axis);
        const b = reduced(outer, 'sum', axis);
        const same = a.every((v, i) => Object.is(v, b[i]));
        expect(same, `sum ${dtype} [${shape.join(', ')}] axis ${axis}: [${a.join(', ')}] vs [${b.join(', ')}]`).toBe(true);
      }
    }
  });

  it('sum of float32: within one float32 rounding of the exact sum', () => {
    const rng = hostRng(7000);
    for (const { shape, axis } of cases(rng)) {
      const [inner, outer] = twoLayouts(rng, shape, axis, 'float32', 'finite');
      const exact = lanes(inner, axis).map(exactSumF32);
      for (const x of [inner, outer]) {
        reduced(x, 'sum', axis).forEach((got, i) => {
          const want = exact[i]!;
          expect(Math.abs(got - want), `sum [${shape.join(', ')}] axis ${axis} output ${i}: ${got} vs exact ${want}`).toBeLessThanOrEqual(ulp32(want));
        });
      }
    }
  });
});
