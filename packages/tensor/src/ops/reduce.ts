import { ShapeError } from '../errors.js';
import { contiguousStrides, normAxis, sameShape, shapeStr } from '../shape.js';
import { makeView, recordOp, type Tensor } from '../tensor.js';
import { runOp } from './dispatch.js';
import { mul, rawBinary, sqrt, square } from './elementwise.js';
import { expand, reshape } from './views.js';

function axesOf(t: Tensor, axis: number | readonly number[] | undefined, op: string): number[] {
  if (axis === undefined) return t.shape.map((_, i) => i);
  const list = typeof axis === 'number' ? [axis] : [...axis];
  const norm = list.map((a) => normAxis(a, t.rank, op));
  return [...new Set(norm)].sort((a, b) => b - a);
}

function keptShape(shape: readonly number[], axes: readonly number[]): number[] {
  return shape.map((d, i) => (axes.includes(i) ? 1 : d));
}

/**
 * Raw reduction over several axes, keeping them as size-1 dims; no autograd. Adjacent reduced
 * axes of a contiguous tensor merge into one (a bias gradient [B, T, N] → [N] is one reduce over
 * B·T rows, not two), which sums in another order than axis by axis: the same within rounding.
 */
export function rawReduce(fn: 'sum' | 'max', t: Tensor, axes: readonly number[]): Tensor {
  const merged = axes.length > 1 && t.isContiguous ? mergeReducedAxes(t.shape, axes) : null;
  if (merged) {
    const view = makeView(t, merged.shape, contiguousStrides(merged.shape), t.offset);
    const r = rawReduce(fn, view, merged.axes);
    view.dispose();
    const kept = keptShape(t.shape, axes);
    const out = makeView(r, kept, contiguousStrides(kept), r.offset);
    r.dispose();
    return out;
  }
  let cur = t;
  for (const axis of axes) {
    const shape = [...cur.shape];
    shape[axis] = 1;
    const next = runOp('reduce', [cur], [{ shape, dtype: cur.dtype }], { fn, axis })[0]!;
    if (cur !== t) cur.dispose();
    cur = next;
  }
  return cur === t ? makeView(t, t.shape, t.strides, t.offset) : cur;
}

/**
 * The shape with each run of adjacent reduced axes merged into one dim (and each run of kept
 * axes too), and the merged reduced axes in descending order; null when no run has two axes.
 */
function mergeReducedAxes(shape: readonly number[], axes: readonly number[]): { shape: number[]; axes: number[] } | null {
  const reduced = new Set(axes);
  const out: number[] = [];
  const outAxes: number[] = [];
  let merges = false;
  for (let i = 0; i < shape.length; i++) {
    const r = reduced.has(i);
    if (i > 0 && reduced.has(i - 1) === r) {
      out[out.length - 1]! *= shape[i]!;
      if (r) merges = true;
    } else {
      out.push(shape[i]!);
      if (r) outAxes.unshift(out.length - 1);
    }
  }
  return merges ? { shape: out, axes: outAxes } : null;
}

function finish(t: Tensor, inShape: readonly number[], axes: readonly number[], keepDim: boolean): Tensor {
  if (keepDim) return t;
  const out = reshape(t, inShape.filter((_, i) => !axes.includes(i)));
  return out;
}

/** Σ over `axis` (all axes when omitted). */
export function sum(t: Tensor, axis?: number | readonly number[], options: { keepDim?: boolean } = {}): Tensor {
  t.assertAlive('sum');
  const axes = axesOf(t, axis, 'sum');
  const inShape = t.shape;
  const kept = keptShape(inShape, axes);
  const r = recordOp(rawReduce('sum', t, axes), 'sum', [t], [], (g) => {
    const gk = reshape(g, kept);
    return [expand(gk, inShape)];
  });
  const out = finish(r, inShape, axes, options.keepDim ?? false);
  if (out !== r) r.dispose();
  return out;
}

export function mean(t: Tensor, axis?: number | readonly number[], options: { keepDim?: boolean } = {}): Tensor {
  const axes = axesOf(t, axis, 'mean');
  const count = axes.reduce((n, a) => n * t.shape[a]!, 1);
  const s = sum(t, axis, options);
  const out = mul(s, 1 / count);
  s.dispose();
  return out;
}

/** Maximum over one axis (all elements when omitted); the gradient is shared among ties. */
export function max(t: Tensor, axis?: number, options: { keepDim?: boolean } = {}): Tensor {
  t.assertAlive('max');
  if (t.size === 0) throw new ShapeError(`max: cannot reduce an empty tensor of shape ${shapeStr(t.shape)}`);
  const axes = axesOf(t, axis, 'max');
  const inShape = t.shape;
  const m = rawReduce('max', t, axes);
  const r = recordOp(m, 'max', [t], [t, m], (g, [x, mx]) => {
    const kept = keptShape(inShape, axes);
    const mask = rawBinary('eq', x!, mx!);
    const count = rawReduce('sum', mask, axes);
    const share = rawBinary('div', reshape(g, kept), count);
    return [rawBinary('mul', mask, share)];
  });
  const out = finish(r, inShape, axes, options.keepDim ?? false);
  if (out !== r) r.dispose();
  return out;
}

/** Index of the first maximum along `axis` (int32, no gradient). */
export function argmax(t: Tensor, axis = -1, options: { keepDim?: boolean } = {}): Tensor {
  t.assertAlive('argmax');
  const a = normAxis(axis, t.rank, 'argmax');
  if (t.shape[a] === 0) throw new ShapeError(`argmax: axis ${axis} of shape ${shapeStr(t.shape)} is empty`);
  const shape = [...t.shape];
  shape[a] = 1;
  const r = runOp('reduce', [t], [{ shape, dtype: 'int32' }], { fn: 'argmax', axis: a })[0]!;
  if (options.keepDim) return r;
  const out = reshape(r, t.shape.filter((_, i) => i !== a));
  r.dispose();
  return out;
}

/** Euclidean norm along `axis` (of all elements when omitted): √Σx². */
export function norm(t: Tensor, axis?: number, options: { keepDim?: boolean } = {}): Tensor {
  const sq = square(t);
  const s = sum(sq, axis, options);
  sq.dispose();
  const out = sqrt(s);
  s.dispose();
  return out;
}

/** Sums a broadcast gradient back down to `shape` (the inverse of broadcasting). */
export function sumToShape(g: Tensor, shape: readonly number[]): Tensor {
  if (sameShape(g.shape, shape)) return g;
  const lead = g.rank - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < g.rank; i++) {
    if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) axes.push(i);
  }
  const r = axes.length ? rawReduce('sum', g, axes.sort((a, b) => b - a)) : g;
  const out = reshape(r, shape);
  if (r !== g) r.dispose();
  return out;
}
