import { ShapeError } from './errors.js';

export type Shape = readonly number[];

export function numel(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function contiguousStrides(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i]!;
  }
  return strides;
}

export function isContiguous(shape: Shape, strides: readonly number[]): boolean {
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    if (shape[i] !== 1 && strides[i] !== s) return false;
    s *= shape[i]!;
  }
  return true;
}

export function shapeStr(shape: Shape): string {
  return `[${shape.join(', ')}]`;
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Normalizes a possibly negative axis; `op` names the caller in the error. */
export function normAxis(axis: number, rank: number, op: string): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(axis) || a < 0 || a >= rank) {
    throw new ShapeError(`${op}: axis ${axis} is out of range for a tensor of rank ${rank} (expected -${rank} ≤ axis < ${rank})`);
  }
  return a;
}

export function checkShape(shape: Shape, op: string): void {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) {
      throw new ShapeError(`${op}: invalid shape ${shapeStr(shape)}; dimensions must be non-negative integers`);
    }
  }
}

/** NumPy broadcasting of two shapes; the error names the op and both shapes. */
export function broadcastShapes(a: Shape, b: Shape, op: string): number[] {
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new ShapeError(`${op}: shapes ${shapeStr(a)} and ${shapeStr(b)} cannot be broadcast together (dim ${i}: ${da} vs ${db})`);
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Strides that view (shape, strides) as `target` by broadcasting (stride 0 on expanded dims). */
export function broadcastStrides(shape: Shape, strides: readonly number[], target: Shape, op: string): number[] {
  const offset = target.length - shape.length;
  if (offset < 0) throw new ShapeError(`${op}: cannot broadcast ${shapeStr(shape)} to the smaller rank ${shapeStr(target)}`);
  const out = new Array<number>(target.length).fill(0);
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i]!;
    const t = target[i + offset]!;
    if (d === t) out[i + offset] = strides[i]!;
    else if (d === 1) out[i + offset] = 0;
    else throw new ShapeError(`${op}: cannot broadcast ${shapeStr(shape)} to ${shapeStr(target)} (dim ${i}: ${d} vs ${t})`);
  }
  return out;
}

/**
 * Strides for viewing (shape, strides) as `newShape` without copying, or null when the memory
 * layout does not allow it (then the caller materializes a contiguous copy first).
 */
export function reshapeStrides(shape: Shape, strides: readonly number[], newShape: Shape): number[] | null {
  if (isContiguous(shape, strides)) return contiguousStrides(newShape);
  // Group old dims into chunks that are contiguous among themselves, then split each chunk over
  // the new dims that multiply to its size.
  const oldDims: number[] = [];
  const oldStrides: number[] = [];
  for (let i = 0; i < shape.length; i++) {
    if (shape[i] !== 1) {
      oldDims.push(shape[i]!);
      oldStrides.push(strides[i]!);
    }
  }
  const out = new Array<number>(newShape.length).fill(0);
  let oi = 0;
  let ni = 0;
  while (ni < newShape.length || oi < oldDims.length) {
    if (ni < newShape.length && newShape[ni] === 1) {
      out[ni] = 0;
      ni++;
      continue;
    }
    if (oi >= oldDims.length || ni >= newShape.length) return null;
    // chunk of old dims [oi, oj) mergeable
    let chunk = oldDims[oi]!;
    let oj = oi + 1;
    let target = newShape[ni]!;
    let nj = ni + 1;
    while (chunk !== target) {
      if (chunk < target) {
        if (oj >= oldDims.length) return null;
        if (oldStrides[oj - 1] !== oldStrides[oj]! * oldDims[oj]!) return null;
        chunk *= oldDims[oj]!;
        oj++;
      } else {
        if (nj >= newShape.length) return null;
        target *= newShape[nj]!;
        nj++;
      }
    }
    // assign strides to new dims ni..nj-1 within this chunk
    let s = oldStrides[oj - 1]!;
    for (let k = nj - 1; k >= ni; k--) {
      out[k] = newShape[k] === 1 ? 0 : s;
      s *= newShape[k]!;
    }
    oi = oj;
    ni = nj;
  }
  return out;
}
