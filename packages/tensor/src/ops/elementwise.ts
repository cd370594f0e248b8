import type { BinaryFn, UnaryFn } from '../backend/contract.js';
import { isFloat, promote, type DType } from '../dtype.js';
import { broadcastShapes, broadcastStrides, sameShape } from '../shape.js';
import { makeView, recordOp, type Tensor } from '../tensor.js';
import { backendOf, fusedOr, runOp } from './dispatch.js';
import { full, scalarLike } from './creation.js';
import { sumToShape } from './reduce.js';

export type Operand = Tensor | number;

/** A number operand becomes a 0-d tensor on the other operand's backend. */
function toTensor(x: Operand, like: Tensor): Tensor {
  if (typeof x !== 'number') return x;
  const dtype: DType = like.dtype === 'int32' && !Number.isInteger(x) ? 'float32' : like.dtype;
  return full([], x, { dtype, backend: like.backend });
}

function broadcastView(t: Tensor, shape: readonly number[], op: string): Tensor {
  if (sameShape(t.shape, shape)) return t;
  return makeView(t, shape, broadcastStrides(t.shape, t.strides, shape, op), t.offset);
}

/** Runs a raw binary kernel with broadcasting; no autograd. */
export function rawBinary(fn: BinaryFn, a: Tensor, b: Tensor, outDtype?: DType): Tensor {
  const shape = broadcastShapes(a.shape, b.shape, fn);
  const av = broadcastView(a, shape, fn);
  const bv = broadcastView(b, shape, fn);
  const compare = fn === 'eq' || fn === 'ne' || fn === 'lt' || fn === 'le' || fn === 'gt' || fn === 'ge';
  let dtype = outDtype ?? (compare ? 'float32' : promote(a.dtype, b.dtype));
  if (!compare && fn === 'pow' && dtype === 'int32') dtype = 'float32';
  let x = av;
  let y = bv;
  // kernels take operands of the output dtype (comparisons: of a common dtype)
  const common = compare ? promote(a.dtype, b.dtype) : dtype;
  if (x.dtype !== common) x = runOp('cast', [x], [{ shape, dtype: common }], {})[0]!;
  if (y.dtype !== common) y = runOp('cast', [y], [{ shape, dtype: common }], {})[0]!;
  const out = runOp('binary', [x, y], [{ shape, dtype }], { fn }, backendOf(fn, [x, y]))[0]!;
  if (x !== a) x.dispose();
  if (y !== b) y.dispose();
  return out;
}

export function rawUnary(fn: UnaryFn, x: Tensor): Tensor {
  const dtype = isFloat(x.dtype) || fn === 'neg' || fn === 'abs' || fn === 'sign' || fn === 'square' || fn === 'relu' ? x.dtype : 'float32';
  let src = x;
  if (src.dtype !== dtype) src = runOp('cast', [x], [{ shape: x.shape, dtype }], {})[0]!;
  const out = runOp('unary', [src], [{ shape: x.shape, dtype }], { fn })[0]!;
  if (src !== x) src.dispose();
  return out;
}

function binaryOp(
  fn: BinaryFn,
  a: Operand,
  b: Operand,
  grads: (g: Tensor, s: readonly Tensor[], needs: readonly boolean[]) => (Tensor | null)[],
  save: 'none' | 'ab' | 'abo',
): Tensor {
  const ta = typeof a === 'number' ? toTensor(a, b as Tensor) : a;
  const tb = typeof b === 'number' ? toTensor(b, ta) : b;
  const out = rawBinary(fn, ta, tb);
  const saved = save === 'none' ? [] : save === 'ab' ? [ta, tb] : [ta, tb, out];
  const aShape = ta.shape;
  const bShape = tb.shape;
  const res = recordOp(out, fn, [ta, tb], saved, (g, s, needs) => {
    const [ga, gb] = grads(g, s, needs);
    return [ga && needs[0] ? sumToShape(ga, aShape) : null, gb && needs[1] ? sumToShape(gb, bShape) : null];
  });
  if (ta !== a) ta.dispose();
  if (tb !== b) tb.dispose();
  return res;
}

export const add = (a: Operand, b: Operand): Tensor => binaryOp('add', a, b, (g) => [g, g], 'none');
export const sub = (a: Operand, b: Operand): Tensor => binaryOp('sub', a, b, (g, _s, n) => [g, n[1] ? rawUnary('neg', g) : null], 'none');
export const mul = (a: Operand, b: Operand): Tensor =>
  binaryOp('mul', a, b, (g, [x, y], n) => [n[0] ? rawBinary('mul', g, y!) : null, n[1] ? rawBinary('mul', g, x!) : null], 'ab');
export const div = (a: Operand, b: Operand): Tensor =>
  binaryOp('div', a, b, (g, [, y, o], n) => {
    const gx = n[0] ? rawBinary('div', g, y!) : null;
    if (!n[1]) return [gx, null];
    // d(x/y)/dy = −(x/y)/y
    const t = rawBinary('div', o!, y!);
    const gy = rawBinary('mul', g, t);
    t.dispose();
    const ngy = rawUnary('neg', gy);
    gy.dispose();
    return [gx, ngy];
  }, 'abo');
export const pow = (a: Operand, b: Operand): Tensor =>
  binaryOp('pow', a, b, (g, [x, y, o], n) => {
    if (!n[1]) {
      const ym1 = rawBinary('sub', y!, full([], 1, { backend: y!.backend, dtype: y!.dtype }));
      const p = rawBinary('pow', x!, ym1);
      const t = rawBinary('mul', p, y!);
      return [rawBinary('mul', g, t), null];
    }
    // d/dx = y·x^(y−1) = y·o/x (computed as y·x^(y−1) to stay finite at x = 0)
    const ym1 = rawBinary('sub', y!, full([], 1, { backend: y!.backend, dtype: y!.dtype }));
    const p = rawBinary('pow', x!, ym1);
    const t = rawBinary('mul', p, y!);
    const gx = rawBinary('mul', g, t);
    const lx = rawUnary('log', x!);
    const t2 = rawBinary('mul', o!, lx);
    const gy = rawBinary('mul', g, t2);
    for (const z of [ym1, p, t, lx, t2]) z.dispose();
    return [gx, gy];
  }, 'abo');

/** Gradient of max/min: to the winning side; ties split evenly, as PyTorch does. */
function selectGrads(g: Tensor, x: Tensor, y: Tensor, fn: 'gt' | 'lt'): [Tensor, Tensor] {
  const win = rawBinary(fn, x, y);
  const tie = rawBinary('eq', x, y);
  const half = rawBinary('mul', tie, full([], 0.5, { backend: g.backend }));
  const wa = rawBinary('add', win, half);
  const ga = rawBinary('mul', g, wa);
  const gb = rawBinary('sub', g, ga);
  for (const z of [win, tie, half, wa]) z.dispose();
  return [ga, gb];
}
export const maximum = (a: Operand, b: Operand): Tensor => binaryOp('max', a, b, (g, [x, y]) => selectGrads(g, x!, y!, 'gt'), 'ab');
export const minimum = (a: Operand, b: Operand): Tensor => binaryOp('min', a, b, (g, [x, y]) => selectGrads(g, x!, y!, 'lt'), 'ab');

function compare(fn: BinaryFn, a: Operand, b: Operand): Tensor {
  const ta = typeof a === 'number' ? toTensor(a, b as Tensor) : a;
  const tb = typeof b === 'number' ? toTensor(b, ta) : b;
  const out = rawBinary(fn, ta, tb);
  if (ta !== a) ta.dispose();
  if (tb !== b) tb.dispose();
  return out;
}
/** Comparisons return float32 masks of 0 and 1 and carry no gradient. */
export const eq = (a: Operand, b: Operand): Tensor => compare('eq', a, b);
export const ne = (a: Operand, b: Operand): Tensor => compare('ne', a, b);
export const lt = (a: Operand, b: Operand): Tensor => compare('lt', a, b);
export const le = (a: Operand, b: Operand): Tensor => compare('le', a, b);
export const gt = (a: Operand, b: Operand): Tensor => compare('gt', a, b);
export const ge = (a: Operand, b: Operand): Tensor => compare('ge', a, b);

function unaryOp(fn: UnaryFn, x: Tensor, grad: ((g: Tensor, x: Tensor, y: Tensor) => Tensor) | null): Tensor {
  const out = rawUnary(fn, x);
  if (!grad) return out;
  return recordOp(out, fn, [x], [x, out], (g, [xs, ys]) => [grad(g, xs!, ys!)]);
}

function chain(g: Tensor, ...steps: ((t: Tensor) => Tensor)[]): Tensor {
  let cur = g;
  for (const s of steps) {
    const next = s(cur);
    if (cur !== g) cur.dispose();
    cur = next;
  }
  return cur;
}

function mulBy(other: Tensor): (t: Tensor) => Tensor {
  return (t) => rawBinary('mul', t, other);
}
function mulScalar(v: number): (t: Tensor) => Tensor {
  return (t) => {
    const s = scalarLike(t, v);
    const r = rawBinary('mul', t, s);
    s.dispose();
    return r;
  };
}

export const neg = (x: Tensor): Tensor => unaryOp('neg', x, (g) => rawUnary('neg', g));
export const abs = (x: Tensor): Tensor =>
  unaryOp('abs', x, (g, xs) => chain(rawUnary('sign', xs), mulBy(g)));
export const sign = (x: Tensor): Tensor => unaryOp('sign', x, null);
export const exp = (x: Tensor): Tensor => unaryOp('exp', x, (g, _x, y) => rawBinary('mul', g, y));
export const log = (x: Tensor): Tensor => unaryOp('log', x, (g, xs) => rawBinary('div', g, xs));
export const sqrt = (x: Tensor): Tensor =>
  unaryOp('sqrt', x, (g, _x, y) => chain(rawBinary('div', g, y), mulScalar(0.5)));
export const rsqrt = (x: Tensor): Tensor =>
  unaryOp('rsqrt', x, (g, _x, y) => chain(rawUnary('square', y), mulBy(y), mulBy(g), mulScalar(-0.5)));
export const reciprocal = (x: Tensor): Tensor =>
  unaryOp('reciprocal', x, (g, _x, y) => chain(rawUnary('square', y), mulBy(g), (t) => rawUnary('neg', t)));
export const square = (x: Tensor): Tensor => unaryOp('square', x, (g, xs) => chain(rawBinary('mul', g, xs), mulScalar(2)));
export const tanh = (x: Tensor): Tensor =>
  unaryOp('tanh', x, (g, _x, y) =>
    chain(rawUnary('square', y), (t) => {
      const one = scalarLike(t, 1);
      const r = rawBinary('sub', one, t);
      one.dispose();
      return r;
    }, mulBy(g)));
export const erf = (x: Tensor): Tensor =>
  unaryOp('erf', x, (g, xs) => chain(rawUnary('square', xs), (t) => rawUnary('neg', t), (t) => rawUnary('exp', t), mulScalar(2 / Math.sqrt(Math.PI)), mulBy(g)));
export const sigmoid = (x: Tensor): Tensor =>
  unaryOp('sigmoid', x, (g, _x, y) =>
    chain(y, (t) => {
      const one = scalarLike(t, 1);
      const r = rawBinary('sub', one, t);
      one.dispose();
      return r;
    }, mulBy(y), mulBy(g)));
export const relu = (x: Tensor): Tensor =>
  unaryOp('relu', x, (g, xs) => {
    const zero = scalarLike(xs, 0);
    const m = rawBinary('gt', xs, zero);
    zero.dispose();
    return chain(m, mulBy(g));
  });
/** GELU, exact erf form (as HF RoBERTa's "gelu"). */
export const gelu = (x: Tensor): Tensor =>
  unaryOp('gelu', x, (g, xs) => geluBackward(xs, g));

/** dx = dy · (Φ(x) + x·φ(x)); fused when the backend has `geluBackward`. */
export function geluBackward(x: Tensor, dy: Tensor): Tensor {
  return fusedOr('geluBackward', [x, dy], [{ shape: x.shape, dtype: x.dtype }], {}, () => {
    const cdf = chain(x, mulScalar(Math.SQRT1_2), (t) => rawUnary('erf', t), (t) => {
      const one = scalarLike(t, 1);
      const r = rawBinary('add', t, one);
      one.dispose();
      return r;
    }, mulScalar(0.5));
    const pdf = chain(rawUnary('square', x), mulScalar(-0.5), (t) => rawUnary('exp', t), mulScalar(1 / Math.sqrt(2 * Math.PI)), mulBy(x));
    const d = rawBinary('add', cdf, pdf);
    const r = rawBinary('mul', d, dy);
    for (const z of [cdf, pdf, d]) z.dispose();
    return [r];
  })[0]!;
}

/** cond ≠ 0 ? a : b, broadcasting all three; gradients flow to a and b through the mask. */
export function where(cond: Tensor, a: Operand, b: Operand): Tensor {
  const ta = typeof a === 'number' ? toTensor(a, typeof b === 'number' ? cond : b) : a;
  const tb = typeof b === 'number' ? toTensor(b, ta) : b;
  const shape = broadcastShapes(broadcastShapes(cond.shape, ta.shape, 'where'), tb.shape, 'where');
  const dtype = promote(ta.dtype, tb.dtype);
  const cx = broadcastView(cond, shape, 'where');
  let ax = broadcastView(ta, shape, 'where');
  let bx = broadcastView(tb, shape, 'where');
  if (ax.dtype !== dtype) ax = runOp('cast', [ax], [{ shape, dtype }], {})[0]!;
  if (bx.dtype !== dtype) bx = runOp('cast', [bx], [{ shape, dtype }], {})[0]!;
  const out = runOp('where', [cx, ax, bx], [{ shape, dtype }], {})[0]!;
  const aShape = ta.shape;
  const bShape = tb.shape;
  const res = recordOp(out, 'where', [ta, tb], [cond], (g, [c]) => {
    const zero = scalarLike(g, 0);
    const ga = runOp('where', [broadcastView(c!, shape, 'where'), g, broadcastView(zero, shape, 'where')], [{ shape, dtype: g.dtype }], {})[0]!;
    const gb = rawBinary('sub', g, ga);
    zero.dispose();
    return [sumToShape(ga, aShape), sumToShape(gb, bShape)];
  });
  for (const t of [cx, ax, bx]) if (t !== cond && t !== ta && t !== tb) t.dispose();
  if (ta !== a) ta.dispose();
  if (tb !== b) tb.dispose();
  return res;
}

/** Clamps into [min, max]; gradient 1 inside, 0 outside (composite of maximum/minimum). */
export function clamp(x: Tensor, min?: number, max?: number): Tensor {
  let cur = x;
  if (min !== undefined) cur = maximum(cur, min);
  if (max !== undefined) {
    const next = minimum(cur, max);
    if (cur !== x) cur.dispose();
    cur = next;
  }
  return cur === x ? mul(x, 1) : cur;
}
