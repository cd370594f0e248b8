import type { OpAttrs, TensorView } from '../../contract.js';
import { arrayOf } from '../buffer.js';
import { forEachRow } from '../strided.js';

/**
 * Reduction along one axis. Sums accumulate in float64 (JS numbers) and use pairwise-free
 * Neumaier compensation, so the reference stays accurate for long rows.
 */
export function reduce(x: TensorView, out: TensorView, attrs: OpAttrs['reduce']): void {
  const { fn, axis } = attrs;
  const a = arrayOf(x);
  const o = arrayOf(out);
  const len = x.shape[axis]!;
  const as = x.strides[axis]!;
  const outerShape = x.shape.filter((_, i) => i !== axis);
  const xStrides = x.strides.filter((_, i) => i !== axis);
  const oStrides = out.strides.filter((_, i) => i !== axis);
  if (len === 0) {
    if (fn !== 'sum') {
      throw new RangeError(`reduce ${fn}: cannot reduce an empty axis (shape [${x.shape.join(', ')}], axis ${axis})`);
    }
  }
  forEachRow(outerShape, [xStrides, oStrides], [x.offset, out.offset], (offs, n, st) => {
    let px = offs[0]!;
    let po = offs[1]!;
    for (let r = 0; r < n; r++, px += st[0]!, po += st[1]!) {
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
  });
}
