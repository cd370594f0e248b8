import type { BinaryFn, OpAttrs, TensorView, UnaryFn } from '../../contract.js';
import { erf, gelu } from '../../../math/erf.js';
import { arrayOf } from '../buffer.js';
import { forEachRow } from '../strided.js';

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
  const a = arrayOf(x);
  const o = arrayOf(out);
  forEachRow(out.shape, [x.strides, out.strides], [x.offset, out.offset], (offs, n, st) => {
    const sa = st[0]!;
    const so = st[1]!;
    let pa = offs[0]!;
    let po = offs[1]!;
    if (sa === 1 && so === 1 && a.constructor === o.constructor) {
      o.set(a.subarray(pa, pa + n), po);
      return;
    }
    for (let i = 0; i < n; i++, pa += sa, po += so) o[po] = a[pa]!;
  });
}

export function unary(x: TensorView, out: TensorView, attrs: OpAttrs['unary']): void {
  const f = unaryFns[attrs.fn];
  const a = arrayOf(x);
  const o = arrayOf(out);
  forEachRow(out.shape, [x.strides, out.strides], [x.offset, out.offset], (offs, n, st) => {
    const sa = st[0]!;
    const so = st[1]!;
    let pa = offs[0]!;
    let po = offs[1]!;
    for (let i = 0; i < n; i++, pa += sa, po += so) o[po] = f(a[pa]!);
  });
}

export function binary(x: TensorView, y: TensorView, out: TensorView, attrs: OpAttrs['binary']): void {
  const f = attrs.fn === 'div' && out.dtype === 'int32' ? intDiv : binaryFns[attrs.fn];
  const a = arrayOf(x);
  const b = arrayOf(y);
  const o = arrayOf(out);
  forEachRow(out.shape, [x.strides, y.strides, out.strides], [x.offset, y.offset, out.offset], (offs, n, st) => {
    const sa = st[0]!;
    const sb = st[1]!;
    const so = st[2]!;
    let pa = offs[0]!;
    let pb = offs[1]!;
    let po = offs[2]!;
    // the hot cases get their own loops so V8 can keep them monomorphic
    if (attrs.fn === 'add') for (let i = 0; i < n; i++, pa += sa, pb += sb, po += so) o[po] = a[pa]! + b[pb]!;
    else if (attrs.fn === 'mul') for (let i = 0; i < n; i++, pa += sa, pb += sb, po += so) o[po] = a[pa]! * b[pb]!;
    else if (attrs.fn === 'sub') for (let i = 0; i < n; i++, pa += sa, pb += sb, po += so) o[po] = a[pa]! - b[pb]!;
    else for (let i = 0; i < n; i++, pa += sa, pb += sb, po += so) o[po] = f(a[pa]!, b[pb]!);
  });
}

export function where(c: TensorView, x: TensorView, y: TensorView, out: TensorView): void {
  const cc = arrayOf(c);
  const a = arrayOf(x);
  const b = arrayOf(y);
  const o = arrayOf(out);
  forEachRow(
    out.shape,
    [c.strides, x.strides, y.strides, out.strides],
    [c.offset, x.offset, y.offset, out.offset],
    (offs, n, st) => {
      let pc = offs[0]!;
      let pa = offs[1]!;
      let pb = offs[2]!;
      let po = offs[3]!;
      for (let i = 0; i < n; i++, pc += st[0]!, pa += st[1]!, pb += st[2]!, po += st[3]!) {
        o[po] = cc[pc] !== 0 ? a[pa]! : b[pb]!;
      }
    },
  );
}
