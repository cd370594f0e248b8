import { describe, expect, it } from 'vitest';
import { countingBackend } from './counting-backend.js';
import { max, sum, sumToShape, tensor } from '@edora/tensor';

// Reductions over several axes: adjacent reduced axes of a contiguous tensor run as one reduce
// op (a bias gradient [B, T, N] → [N] is one pass), other layouts axis by axis. Values against a
// float64 recomputation; op counts from a counting backend.


const shape = [3, 4, 5, 2];
const n = shape.reduce((a, b) => a * b, 1);
const data = Float64Array.from({ length: n }, (_, i) => Math.sin(i * 1.7) * 3);
/** Σ (or max) over `axes` of `data` [3,4,5,2], keeping the other dims in order. */
function reference(axes: number[], fn: 'sum' | 'max'): number[] {
  const keptDims = shape.map((_, d) => d).filter((d) => !axes.includes(d));
  const outShape = keptDims.map((d) => shape[d]!);
  const out = new Array<number>(outShape.reduce((a, b) => a * b, 1)).fill(fn === 'sum' ? 0 : -Infinity);
  for (let i = 0; i < n; i++) {
    let rem = i;
    const idx = shape.map(() => 0);
    for (let d = shape.length - 1; d >= 0; d--) {
      idx[d] = rem % shape[d]!;
      rem = Math.floor(rem / shape[d]!);
    }
    let o = 0;
    for (const d of keptDims) o = o * shape[d]! + idx[d]!;
    out[o] = fn === 'sum' ? out[o]! + data[i]! : Math.max(out[o]!, data[i]!);
  }
  return out;
}

describe('reductions over several axes', () => {
  const cases: [number[], number][] = [
    [[0, 1], 1],
    [[1, 2], 1],
    [[0, 1, 2], 1],
    [[0, 1, 2, 3], 1],
    [[0, 2], 2],
    [[0, 1, 3], 2],
  ];
  for (const [axes, ops] of cases) {
    it(`sum over [${axes.join(', ')}]: ${ops} reduce op${ops > 1 ? 's' : ''}`, () => {
      const { backend, ops: seen } = countingBackend();
      const t = tensor(data, shape, { backend });
      seen.length = 0;
      const s = sum(t, axes);
      expect(seen.filter((o) => o === 'reduce')).toHaveLength(ops);
      const want = reference(axes, 'sum');
      const got = s.dataSync();
      want.forEach((w, i) => expect(got[i]!).toBeCloseTo(w, 12));
      expect(s.shape).toEqual(shape.filter((_, d) => !axes.includes(d)));
    });
  }

  it('a strided input reduces axis by axis, with the same values', () => {
    const { backend, ops: seen } = countingBackend();
    const t = tensor(data, shape, { backend }).transpose(0, 3); // [2, 4, 5, 3]
    seen.length = 0;
    const s = sum(t, [1, 2]);
    expect(seen.filter((o) => o === 'reduce')).toHaveLength(2);
    const want = reference([1, 2], 'sum'); // [3, 2] — transposed back below
    const got = s.dataSync(); // [2, 3]
    for (let a = 0; a < 3; a++) for (let b = 0; b < 2; b++) expect(got[b * 3 + a]!).toBeCloseTo(want[a * 2 + b]!, 12);
  });

  it('sumToShape of a bias-like gradient is one reduce; max over one axis is unchanged', () => {
    const { backend, ops: seen } = countingBackend();
    const g = tensor(data, shape, { backend });
    seen.length = 0;
    const b = sumToShape(g, [2]);
    expect(seen.filter((o) => o === 'reduce')).toHaveLength(1);
    reference([0, 1, 2], 'sum').forEach((w, i) => expect(b.dataSync()[i]!).toBeCloseTo(w, 12));
    const m = max(g, 2);
    reference([2], 'max').forEach((w, i) => expect(m.dataSync()[i]!).toBe(w));
  });
});
