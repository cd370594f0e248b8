import type { BinaryFn, OpAttrs, TensorView, UnaryFn } from '../../contract.js';
import type { AnyTypedArray } from '../../../dtype.js';
import { erf, gelu } from '../../../math/erf.js';
import { arrayOf } from '../buffer.js';
import { forEachRow } from '../strided.js';
import { specializedLoop } from './specialize.js';

export const unaryFns: Record<UnaryFn, (x: number) => number> = {
  neg: (x) => -x,
  abs: Math.abs,
  sign: (x) => (x > 0 ? 1 : x < 0 ? -1 : x === 0 ? 0 : NaN),
  exp: Math.exp,
  log: Math.log,
  sqrt: Math.sqrt,
  rsqrt: (x) => 1 / Math.sqrt(x),
  reciprocal: (x) => 1 / x,
  square: (x) => x * x,
  tanh: Math.tanh,
  erf,
  sigmoid: (x) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x))),
  relu: (x) => (x > 0 ? x : 0),
  gelu,
};

export const binaryFns: Record<BinaryFn, (a: number, b: number) => number> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  pow: Math.pow,
  // NaN propagates, as in PyTorch's maximum/minimum
  max: (a, b) => (a !== a || b !== b ? NaN : a > b ? a : b),
  min: (a, b) => (a !== a || b !== b ? NaN : a < b ? a : b),
  eq: (a, b) => (a === b ? 1 : 0),
  ne: (a, b) => (a !== b ? 1 : 0),
  lt: (a, b) => (a < b ? 1 : 0),
  le: (a, b) => (a <= b ? 1 : 0),
  gt: (a, b) => (a > b ? 1 : 0),
  ge: (a, b) => (a >= b ? 1 : 0),
};

/** int32 division truncates toward zero like C; every other result is stored through the array. */
function intDiv(a: number, b: number): number {
  return b === 0 ? 0 : Math.trunc(a / b);
}

// Row loops: one row of n elements per call, at element offsets p· with strides s· (0 broadcasts).
// Each is compiled once per op and dtypes by `specializedLoop` (see specialize.ts), so each must
// use only its parameters. The unit-stride and broadcast branches keep the common layouts free of
// index arithmetic and repeated loads; every branch stores the same values.

/** out ← f(x) */
export const unaryRow = (f: (x: number) => number) =>
  (a: AnyTypedArray, pa: number, sa: number, o: AnyTypedArray, po: number, so: number, n: number): void => {
    if (sa === 1 && so === 1) {
      for (let i = 0; i < n; i++) o[po + i] = f(a[pa + i]!);
    } else if (sa === 0) {
      const v = f(a[pa]!);
      for (let i = 0; i < n; i++, po += so) o[po] = v;
    } else {
      for (let i = 0; i < n; i++, pa += sa, po += so) o[po] = f(a[pa]!);
    }
  };

/** out ← f(x, y) */
export const binaryRow = (f: (a: number, b: number) => number) =>
  (
    a: AnyTypedArray, pa: number, sa: number, b: AnyTypedArray, pb: number, sb: number,
    o: AnyTypedArray, po: number, so: number, n: number,
  ): void => {
    if (sa === 1 && sb === 1 && so === 1) {
      for (let i = 0; i < n; i++) o[po + i] = f(a[pa + i]!, b[pb + i]!);
    } else if (sb === 0) {
      const y = b[pb]!;
      if (sa === 1 && so === 1) for (let i = 0; i < n; i++) o[po + i] = f(a[pa + i]!, y);
      else for (let i = 0; i < n; i++, pa += sa, po += so) o[po] = f(a[pa]!, y);
    } else if (sa === 0) {
      const x = a[pa]!;
      if (sb === 1 && so === 1) for (let i = 0; i < n; i++) o[po + i] = f(x, b[pb + i]!);
      else for (let i = 0; i < n; i++, pb += sb, po += so) o[po] = f(x, b[pb]!);
    } else {
      for (let i = 0; i < n; i++, pa += sa, pb += sb, po += so) o[po] = f(a[pa]!, b[pb]!);
    }
  };

/** out ← cond ≠ 0 ? x : y */
export const whereRow = () =>
  (
    c: AnyTypedArray, pc: number, sc: number, a: AnyTypedArray, pa: number, sa: number,
    b: AnyTypedArray, pb: number, sb: number, o: AnyTypedArray, po: number, so: number, n: number,
  ): void => {
    for (let i = 0; i < n; i++, pc += sc, pa += sa, pb += sb, po += so) o[po] = c[pc] !== 0 ? a[pa]! : b[pb]!;
  };

/**
 * out ← x; the store converts when the dtypes differ (cast). Long unit-stride rows of one type
 * are a memcpy (`set`); short ones are cheaper as a loop than as a `subarray` view.
 */
export const copyRow = (sameType: boolean) =>
  (a: AnyTypedArray, pa: number, sa: number, o: AnyTypedArray, po: number, so: number, n: number): void => {
    if (sa === 1 && so === 1) {
      if (sameType && n >= 64) o.set(a.subarray(pa, pa + n), po);
      else for (let i = 0; i < n; i++) o[po + i] = a[pa + i]!;
    } else {
      for (let i = 0; i < n; i++, pa += sa, po += so) o[po] = a[pa]!;
    }
  };

export function fill(out: TensorView, attrs: OpAttrs['fill']): void {
  const o = arrayOf(out);
  const v = attrs.value;
  forEachRow(out.shape, [out.strides], [out.offset], (offs, n, st) => {
    const s = st[0]!;
    let p = offs[0]!;
    if (s === 1) o.fill(v, p, p + n);
    else for (let i = 0; i < n; i++, p += s) o[p] = v;
  });
}

/**
 * copy, and cast too: the typed-array store converts (an Int32Array store truncates toward zero,
 * a float store rounds to the target precision).
 */
export function copy(x: TensorView, out: TensorView): void {
  const loop = specializedLoop(`copy:${x.dtype}:${out.dtype}`, copyRow, x.dtype === out.dtype);
  const a = arrayOf(x);
  const o = arrayOf(out);
  forEachRow(out.shape, [x.strides, out.strides], [x.offset, out.offset], (offs, n, st) => {
    loop(a, offs[0]!, st[0]!, o, offs[1]!, st[1]!, n);
  });
}

export function unary(x: TensorView, out: TensorView, attrs: OpAttrs['unary']): void {
  const loop = specializedLoop(`unary:${attrs.fn}:${x.dtype}:${out.dtype}`, unaryRow, unaryFns[attrs.fn]);
  const a = arrayOf(x);
  const o = arrayOf(out);
  forEachRow(out.shape, [x.strides, out.strides], [x.offset, out.offset], (offs, n, st) => {
    loop(a, offs[0]!, st[0]!, o, offs[1]!, st[1]!, n);
  });
}

export function binary(x: TensorView, y: TensorView, out: TensorView, attrs: OpAttrs['binary']): void {
  const f = attrs.fn === 'div' && out.dtype === 'int32' ? intDiv : binaryFns[attrs.fn];
  const loop = specializedLoop(`binary:${attrs.fn}:${x.dtype}:${y.dtype}:${out.dtype}`, binaryRow, f);
  const a = arrayOf(x);
  const b = arrayOf(y);
  const o = arrayOf(out);
  forEachRow(out.shape, [x.strides, y.strides, out.strides], [x.offset, y.offset, out.offset], (offs, n, st) => {
    loop(a, offs[0]!, st[0]!, b, offs[1]!, st[1]!, o, offs[2]!, st[2]!, n);
  });
}

export function where(c: TensorView, x: TensorView, y: TensorView, out: TensorView): void {
  const loop = specializedLoop(`where:${c.dtype}:${x.dtype}:${y.dtype}:${out.dtype}`, whereRow);
  const cc = arrayOf(c);
  const a = arrayOf(x);
  const b = arrayOf(y);
  const o = arrayOf(out);
  forEachRow(
    out.shape,
    [c.strides, x.strides, y.strides, out.strides],
    [c.offset, x.offset, y.offset, out.offset],
    (offs, n, st) => loop(cc, offs[0]!, st[0]!, a, offs[1]!, st[1]!, b, offs[2]!, st[2]!, o, offs[3]!, st[3]!, n),
  );
}
