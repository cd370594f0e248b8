import type { TensorView } from '../contract.js';
import { bytesPerElement } from '../../dtype.js';

export { collapseDims, forEachRow, type RowFn } from '../cpu/strided.js';

/**
 * Whether a view is dense: row-major contiguous strides (a dim of size 1 may carry any stride).
 * Its elements are `view.offset … view.offset + numel − 1` of the buffer, in order.
 */
export function isDense(view: TensorView): boolean {
  let expected = 1;
  for (let i = view.shape.length - 1; i >= 0; i--) {
    const size = view.shape[i]!;
    if (size !== 1 && view.strides[i] !== expected) return false;
    expected *= size;
  }
  return true;
}

/** Number of elements of a view (1 for a scalar, 0 when any dim is 0). */
export function viewSize(view: TensorView): number {
  let n = 1;
  for (const d of view.shape) n *= d;
  return n;
}

/**
 * The byte range `[start, end)` of the buffer a view reads or writes: from its lowest to its
 * highest element (strides may be 0 or negative). Null for an empty view, which touches nothing.
 */
export function byteSpan(view: TensorView): { start: number; end: number } | null {
  let lo = view.offset;
  let hi = view.offset;
  for (let i = 0; i < view.shape.length; i++) {
    const size = view.shape[i]!;
    if (size === 0) return null;
    const reach = (size - 1) * view.strides[i]!;
    if (reach < 0) lo += reach;
    else hi += reach;
  }
  const bpe = bytesPerElement(view.dtype);
  return { start: lo * bpe, end: (hi + 1) * bpe };
}
