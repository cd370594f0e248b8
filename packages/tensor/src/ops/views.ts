import { noGrad } from '../autograd/grad-mode.js';
import { ShapeError } from '../errors.js';
import {
  broadcastStrides, checkShape, contiguousStrides, normAxis, numel, reshapeStrides, sameShape, shapeStr,
} from '../shape.js';
import { makeView, recordOp, type Tensor } from '../tensor.js';
import { backendOf, runOp, runOpInto } from './dispatch.js';
import { sumToShape } from './reduce.js';

/** A contiguous copy (or `t` itself as a new handle when already contiguous). */
export function contiguous(t: Tensor): Tensor {
  t.assertAlive('contiguous');
  if (t.isContiguous) return recordOp(makeView(t, t.shape, t.strides, t.offset), 'contiguous', [t], [], (g) => [g]);
  const out = runOp('copy', [t], [{ shape: t.shape, dtype: t.dtype }], {})[0]!;
  return recordOp(out, 'contiguous', [t], [], (g) => [g]);
}

/** Always a fresh copy. */
export function clone(t: Tensor): Tensor {
  const out = runOp('copy', [t], [{ shape: t.shape, dtype: t.dtype }], {})[0]!;
  return recordOp(out, 'clone', [t], [], (g) => [g]);
}

/** @internal contiguous copy outside autograd (reads, kernels needing dense input) */
export function noGradContiguous(t: Tensor): Tensor {
  return noGrad(() => runOp('copy', [t], [{ shape: t.shape, dtype: t.dtype }], {})[0]!);
}

export function cast(t: Tensor, dtype: Tensor['dtype']): Tensor {
  if (t.dtype === dtype) return makeViewWithGrad(t, t.shape, t.strides, t.offset, 'cast');
  const out = runOp('cast', [t], [{ shape: t.shape, dtype }], {})[0]!;
  const from = t.dtype;
  return recordOp(out, 'cast', [t], [], (g) => [cast(g, from)]);
}

function makeViewWithGrad(t: Tensor, shape: readonly number[], strides: readonly number[], offset: number, name: string): Tensor {
  const inShape = t.shape;
  return recordOp(makeView(t, shape, strides, offset), name, [t], [], (g) => [reshape(g, inShape)]);
}

function resolveShape(t: Tensor, shape: readonly number[]): number[] {
  const out = [...shape];
  const neg = out.indexOf(-1);
  if (neg >= 0) {
    if (out.indexOf(-1, neg + 1) >= 0) throw new ShapeError(`reshape: only one dimension may be -1, got ${shapeStr(shape)}`);
    const known = out.reduce((a, d, i) => (i === neg ? a : a * d), 1);
    out[neg] = known === 0 ? 0 : t.size / known;
  }
  checkShape(out, 'reshape');
  if (numel(out) !== t.size) {
    throw new ShapeError(`reshape: cannot view ${shapeStr(t.shape)} (${t.size} elements) as ${shapeStr(shape)}`);
  }
  return out;
}

export function reshape(t: Tensor, shape: readonly number[]): Tensor {
  t.assertAlive('reshape');
  const target = resolveShape(t, shape);
  if (sameShape(target, t.shape)) return makeViewWithGrad(t, t.shape, t.strides, t.offset, 'reshape');
  const strides = t.size === 0 ? contiguousStrides(target) : reshapeStrides(t.shape, t.strides, target);
  if (strides) return makeViewWithGrad(t, target, strides, t.offset, 'reshape');
  const c = contiguous(t);
  const out = reshape(c, target);
  c.dispose();
  return out;
}

export function flatten(t: Tensor, startDim = 0, endDim = -1): Tensor {
  if (t.rank === 0) return reshape(t, [1]);
  const s = normAxis(startDim, t.rank, 'flatten');
  const e = normAxis(endDim, t.rank, 'flatten');
  const shape = [...t.shape.slice(0, s), t.shape.slice(s, e + 1).reduce((a, b) => a * b, 1), ...t.shape.slice(e + 1)];
  return reshape(t, shape);
}

export function permute(t: Tensor, dims: readonly number[]): Tensor {
  t.assertAlive('permute');
  if (dims.length !== t.rank) {
    throw new ShapeError(`permute: expected ${t.rank} dims for shape ${shapeStr(t.shape)}, got [${dims.join(', ')}]`);
  }
  const norm = dims.map((d) => normAxis(d, t.rank, 'permute'));
  if (new Set(norm).size !== norm.length) throw new ShapeError(`permute: repeated dims in [${dims.join(', ')}]`);
  const inverse = new Array<number>(norm.length);
  norm.forEach((d, i) => (inverse[d] = i));
  const out = makeView(t, norm.map((d) => t.shape[d]!), norm.map((d) => t.strides[d]!), t.offset);
  return recordOp(out, 'permute', [t], [], (g) => [permute(g, inverse)]);
}

export function transpose(t: Tensor, dim0 = -2, dim1 = -1): Tensor {
  if (t.rank < 2 && dim0 === -2 && dim1 === -1) return makeViewWithGrad(t, t.shape, t.strides, t.offset, 'transpose');
  const a = normAxis(dim0, t.rank, 'transpose');
  const b = normAxis(dim1, t.rank, 'transpose');
  const dims = t.shape.map((_, i) => i);
  dims[a] = b;
  dims[b] = a;
  return permute(t, dims);
}

/** Elements [start, end) along `dim` (negative indices count from the end). */
export function slice(t: Tensor, dim: number, start: number, end?: number): Tensor {
  t.assertAlive('slice');
  const d = normAxis(dim, t.rank, 'slice');
  const size = t.shape[d]!;
  const s = Math.min(Math.max(start < 0 ? start + size : start, 0), size);
  const e = Math.min(Math.max(end === undefined ? size : end < 0 ? end + size : end, s), size);
  const shape = [...t.shape];
  shape[d] = e - s;
  const out = makeView(t, shape, t.strides, t.offset + s * t.strides[d]!);
  const inShape = t.shape;
  const dtype = t.dtype;
  return recordOp(out, 'slice', [t], [], (g) => [padInto(g, inShape, dtype, d, s)]);
}

/** Gradient of slice: zeros of the input shape with g written into the sliced region. */
function padInto(g: Tensor, shape: readonly number[], dtype: Tensor['dtype'], dim: number, start: number): Tensor {
  const backend = backendOf('slice', [g]);
  const out = runOp('fill', [], [{ shape, dtype }], { value: 0 }, backend)[0]!;
  const region = makeView(out, g.shape, out.strides, start * out.strides[dim]!);
  runOpInto('copy', [g], [region], {});
  region.dispose();
  return out;
}

/** Broadcast view to `shape` (stride 0 on expanded dims); -1 keeps a dim. */
export function expand(t: Tensor, shape: readonly number[]): Tensor {
  t.assertAlive('expand');
  const target = shape.map((d, i) => (d === -1 ? t.shape[i - (shape.length - t.rank)]! : d));
  if (sameShape(target, t.shape)) return makeViewWithGrad(t, t.shape, t.strides, t.offset, 'expand');
  const strides = broadcastStrides(t.shape, t.strides, target, 'expand');
  const inShape = t.shape;
  return recordOp(makeView(t, target, strides, t.offset), 'expand', [t], [], (g) => [sumToShape(g, inShape)]);
}

export function squeeze(t: Tensor, dim?: number): Tensor {
  if (dim === undefined) return reshape(t, t.shape.filter((d) => d !== 1));
  const d = normAxis(dim, t.rank, 'squeeze');
  if (t.shape[d] !== 1) return reshape(t, t.shape);
  return reshape(t, t.shape.filter((_, i) => i !== d));
}

export function unsqueeze(t: Tensor, dim: number): Tensor {
  const d = normAxis(dim, t.rank + 1, 'unsqueeze');
  const shape = [...t.shape];
  shape.splice(d, 0, 1);
  return reshape(t, shape);
}
