import type { OpAttrs, ReduceFn, TensorView } from '../../contract.js';
import type { AnyTypedArray } from '../../../dtype.js';
import { arrayOf } from '../buffer.js';
import { forEachRow } from '../strided.js';
import { specializedLoop } from './specialize.js';

/** Outputs reduced together when the reduced axis is not the innermost one (see `reduceRow`). */
const BLOCK = 256;
const scratchValue = new Float64Array(BLOCK);
const scratchExtra = new Float64Array(BLOCK);

/**
 * One row of n outputs: o[po + i·so] ← fn over k < len of a[px + i·sx + k·as]. Sums accumulate
 * in float64 (JS numbers) with Neumaier compensation, so the reference stays accurate for long rows;
 * max/argmax keep the first maximum, and NaN wins.
 *
 * When the outputs lie closer together in memory than the reduced elements (a bias gradient
 * summed over rows: |sx| < |as|), the loop walks k outermost over blocks of outputs, reading
 * memory in order instead of striding down one column at a time. Each output still sees its
 * elements in the same order, k ascending, so both walks give the same bits. `value` and `extra`
 * are scratch of BLOCK elements: the running sums and compensations, or the best values and indices.
 * Compiled once per fn and dtypes by `specializedLoop`, so it uses only its parameters.
 */
export const reduceRow = (fn: ReduceFn, block: number) =>
  (
    a: AnyTypedArray, px: number, sx: number, as: number, len: number,
    o: AnyTypedArray, po: number, so: number, n: number, value: Float64Array, extra: Float64Array,
  ): void => {
    if (n === 1 || Math.abs(sx) >= Math.abs(as)) {
      for (let r = 0; r < n; r++, px += sx, po += so) {
        if (fn === 'sum') {
          let s = 0;
          let comp = 0;
          for (let k = 0, p = px; k < len; k++, p += as) {
            const v = a[p]!;
            const t = s + v;
            comp += Math.abs(s) >= Math.abs(v) ? s - t + v : v - t + s;
            s = t;
          }
          o[po] = s + comp;
        } else {
          let best = a[px]!;
          let bi = 0;
          for (let k = 1, p = px + as; k < len; k++, p += as) {
            const v = a[p]!;
            if (v > best || (v !== v && best === best)) {
              best = v;
              bi = k;
            }
          }
          o[po] = fn === 'max' ? best : bi;
        }
      }
      return;
    }
    for (let r0 = 0; r0 < n; r0 += block, px += block * sx, po += block * so) {
      const m = Math.min(block, n - r0);
      if (fn === 'sum') {
        for (let i = 0; i < m; i++) {
          value[i] = 0;
          extra[i] = 0;
        }
        for (let k = 0, pk = px; k < len; k++, pk += as) {
          for (let i = 0, p = pk; i < m; i++, p += sx) {
            const v = a[p]!;
            const s = value[i]!;
            const t = s + v;
            extra[i]! += Math.abs(s) >= Math.abs(v) ? s - t + v : v - t + s;
            value[i] = t;
          }
        }
        for (let i = 0, p = po; i < m; i++, p += so) o[p] = value[i]! + extra[i]!;
      } else {
        for (let i = 0, p = px; i < m; i++, p += sx) {
          value[i] = a[p]!;
          extra[i] = 0;
        }
        for (let k = 1, pk = px + as; k < len; k++, pk += as) {
          for (let i = 0, p = pk; i < m; i++, p += sx) {
            const v = a[p]!;
            const best = value[i]!;
            if (v > best || (v !== v && best === best)) {
              value[i] = v;
              extra[i] = k;
            }
          }
        }
        for (let i = 0, p = po; i < m; i++, p += so) o[p] = fn === 'max' ? value[i]! : extra[i]!;
      }
    }
  };

/** Reduction along one axis (see `reduceRow`). */
export function reduce(x: TensorView, out: TensorView, attrs: OpAttrs['reduce']): void {
  const { fn, axis } = attrs;
  const len = x.shape[axis]!;
  if (len === 0 && fn !== 'sum') {
    throw new RangeError(`reduce ${fn}: cannot reduce an empty axis (shape [${x.shape.join(', ')}], axis ${axis})`);
  }
  const loop = specializedLoop(`reduce:${fn}:${x.dtype}:${out.dtype}`, reduceRow, fn, BLOCK);
  const a = arrayOf(x);
  const o = arrayOf(out);
  const as = x.strides[axis]!;
  const outerShape = x.shape.filter((_, i) => i !== axis);
  const xStrides = x.strides.filter((_, i) => i !== axis);
  const oStrides = out.strides.filter((_, i) => i !== axis);
  forEachRow(outerShape, [xStrides, oStrides], [x.offset, out.offset], (offs, n, st) => {
    loop(a, offs[0]!, st[0]!, as, len, o, offs[1]!, st[1]!, n, scratchValue, scratchExtra);
  });
}
