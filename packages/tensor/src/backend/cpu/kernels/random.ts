import type { OpAttrs, TensorView } from '../../contract.js';
import { philoxUniformRun } from '../../../rng/philox.js';
import { arrayOf } from '../buffer.js';
import { forEachRow } from '../strided.js';
import { contiguousStrides } from '../../../shape.js';

/** Samples drawn per run of the generator: the uniforms wait here before their distribution. */
const RUN = 1024;
const u0 = new Float64Array(RUN);
const u1 = new Float64Array(RUN);
const TWO_PI = 2 * Math.PI;

/** Samples for element i (in row-major order of out) from counter offset + i; see rng/philox.ts. */
export function random(out: TensorView, attrs: OpAttrs['random']): void {
  const o = arrayOf(out);
  const { dist, seed, offset } = attrs;
  const low = attrs.low ?? 0;
  const span = (attrs.high ?? 1) - low;
  const mean = attrs.mean ?? 0;
  const std = attrs.std ?? 1;
  const p = attrs.p ?? 0.5;
  const f32 = out.dtype === 'float32';
  // Element index i follows the logical row-major order even when out is strided. Within a row
  // the logical index steps by 1 (the innermost dim of size > 1 has logical stride 1, and a
  // merged dim keeps it), so a row is one run of consecutive counters.
  const logical = contiguousStrides(out.shape);
  forEachRow(out.shape, [logical, out.strides], [0, out.offset], (offs, n, st) => {
    const so = st[1]!;
    let po = offs[1]!;
    for (let done = 0; done < n; done += RUN) {
      const m = Math.min(RUN, n - done);
      philoxUniformRun(seed, offset + offs[0]! + done, m, u0, dist === 'normal' ? u1 : undefined);
      if (dist === 'uniform') {
        for (let k = 0; k < m; k++, po += so) o[po] = low + span * u0[k]!;
      } else if (dist === 'bernoulli') {
        for (let k = 0; k < m; k++, po += so) o[po] = u0[k]! < p ? 1 : 0;
      } else {
        for (let k = 0; k < m; k++, po += so) {
          // compute in the output precision so float32 backends can match closely
          const r = Math.sqrt(-2 * Math.log(1 - u0[k]!)) * Math.cos(TWO_PI * u1[k]!);
          o[po] = mean + std * (f32 ? Math.fround(r) : r);
        }
      }
    }
  });
}

/**
 * The fused dropout: y[i] = x[i] · (u0 < keep ? scale : 0) for the counter of element i, which is
 * exactly the composite's x · (bernoulli(keep) · scale) (mask · scale is scale or 0, and the
 * product of two values of the dtype, rounded once, is the dtype's product). Contiguous views.
 */
export function dropout(x: TensorView, y: TensorView, attrs: OpAttrs['dropout']): void {
  const X = arrayOf(x);
  const Y = arrayOf(y);
  const { seed, offset, keep, scale } = attrs;
  const n = y.shape.reduce((a, b) => a * b, 1);
  for (let done = 0; done < n; done += RUN) {
    const m = Math.min(RUN, n - done);
    philoxUniformRun(seed, offset + done, m, u0);
    const px = x.offset + done;
    const py = y.offset + done;
    for (let k = 0; k < m; k++) Y[py + k] = X[px + k]! * (u0[k]! < keep ? scale : 0);
  }
}
