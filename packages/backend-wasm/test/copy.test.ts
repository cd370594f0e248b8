import { afterAll, describe, expect, it } from 'vitest';
import { CpuBackend, tensor, type BackendV1, type DType, type TensorView } from '@edora/tensor';
import { WasmBackend } from '../src/index.js';
import { runCopy } from '../src/copy.js';
import type { KernelExports } from '../src/module.js';

// The wasm strided copy (csrc/copy.c) against the cpu kernel, bit for bit (NaN, ±0 and ±∞
// included), over the layouts a step copies — the attention's head split and merge, transposes,
// a broadcast source —, and which views it hands to the cpu kernel instead.

const source = Float32Array.from({ length: 400 }, (_, i) => [NaN, -0, Infinity, -Infinity][i % 37] ?? Math.fround(Math.sin(i) * 1e3));
const bits = (xs: ArrayLike<number>): string[] => Array.from(xs, (x) => (Object.is(x, -0) ? '-0' : String(x)));

/** Copies a view of `source` (as `dtype`) on `be` into a fresh contiguous tensor; returns its values. */
function copied(be: BackendV1, dtype: DType, v: Omit<TensorView, 'buffer' | 'dtype'>, op: 'copy' | 'cast' = 'copy'): string[] {
  const data = dtype === 'int32' ? Int32Array.from(source, (x) => (Number.isFinite(x) ? Math.trunc(x) : 7)) : Float32Array.from(source);
  const src = tensor(data, [data.length], { backend: be });
  const n = v.shape.reduce((p, s) => p * s, 1);
  const out = tensor(dtype === 'int32' ? new Int32Array(n) : new Float32Array(n), v.shape, { backend: be });
  be.run(op, [{ ...v, buffer: src.buffer, dtype }], [out], {});
  return bits(out.dataSync());
}

const VIEWS: Record<string, Omit<TensorView, 'buffer' | 'dtype'>> = {
  // [B, T, H, D] = [2, 5, 3, 4] read as [B, H, T, D]
  'head split': { shape: [2, 3, 5, 4], strides: [60, 4, 12, 1], offset: 3 },
  // [B, H, T, D] = [2, 3, 5, 4] read as [B, T, H, D]
  'head merge': { shape: [2, 5, 3, 4], strides: [60, 4, 20, 1], offset: 1 },
  transpose: { shape: [7, 9], strides: [1, 7], offset: 2 },
  'broadcast source': { shape: [4, 5, 6], strides: [6, 0, 1], offset: 0 },
  'contiguous slice': { shape: [3, 11], strides: [11, 1], offset: 5 },
  'every other column': { shape: [6, 5], strides: [10, 2], offset: 0 },
  'five dims that merge to four': { shape: [2, 3, 1, 5, 4], strides: [60, 4, 99, 12, 1], offset: 0 },
  'five dims that do not merge': { shape: [2, 2, 3, 2, 5], strides: [120, 5, 40, 10, 1], offset: 0 },
  'size 0': { shape: [3, 0, 4], strides: [4, 4, 1], offset: 0 },
};

describe('wasm strided copy', () => {
  const wasm = new WasmBackend();
  const cpu = new CpuBackend();
  afterAll(() => wasm.dispose());

  it('bit-identical to the cpu kernel for every layout, float32 and int32, copy and an equal-dtype cast', () => {
    for (const [name, v] of Object.entries(VIEWS)) {
      for (const dtype of ['float32', 'int32'] as const) {
        expect(copied(wasm, dtype, v), `${name} ${dtype}`).toEqual(copied(cpu, dtype, v));
      }
      expect(copied(wasm, 'float32', v, 'cast'), `${name} cast`).toEqual(copied(cpu, 'float32', v, 'cast'));
    }
  });

  it('merges dims before the call; more than four dims after merging, a negative stride, or two dtypes go to the cpu kernel', () => {
    const calls: number[][] = [];
    const k = { copy4_b32: (...args: number[]) => void calls.push(args) } as unknown as KernelExports;
    const at = (ptr: number, dtype: DType, v: Omit<TensorView, 'buffer' | 'dtype'>): TensorView => ({ ...v, dtype, buffer: { ptr } as unknown as TensorView['buffer'] });
    const dense = (shape: number[]): Omit<TensorView, 'buffer' | 'dtype'> => ({ shape, strides: shape.map((_, i) => shape.slice(i + 1).reduce((p, s) => p * s, 1)), offset: 0 });
    const take = (v: Omit<TensorView, 'buffer' | 'dtype'>, dtype: DType = 'float32', outDtype: DType = dtype): boolean => {
      calls.length = 0;
      return runCopy(k, at(1000, dtype, v), at(9000, outDtype, dense(v.shape)));
    };
    // the head split keeps its four dims; D is the contiguous inner run
    expect(take(VIEWS['head split']!)).toBe(true);
    expect(calls).toEqual([[1000 + 12, 9000, 2, 3, 5, 4, 60, 4, 12, 1, 60, 20, 4, 1]]);
    // a contiguous slice is one run of 33 elements
    expect(take(VIEWS['contiguous slice']!)).toBe(true);
    expect(calls).toEqual([[1000 + 20, 9000, 1, 1, 1, 33, 0, 0, 0, 1, 0, 0, 0, 1]]);
    // the size-1 dim drops out and T·D stays split: four dims
    expect(take(VIEWS['five dims that merge to four']!)).toBe(true);
    expect(calls[0]!.slice(2, 6)).toEqual([2, 3, 5, 4]);
    expect(take(VIEWS['five dims that do not merge']!)).toBe(false);
    expect(take({ shape: [4, 3], strides: [-3, 1], offset: 9 })).toBe(false);
    expect(take(VIEWS.transpose!, 'float32', 'int32')).toBe(false);
    expect(take(VIEWS.transpose!, 'float64')).toBe(false);
    expect(calls).toHaveLength(0);
  });
});
