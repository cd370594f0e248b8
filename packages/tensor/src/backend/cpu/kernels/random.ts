import type { OpAttrs, TensorView } from '../../contract.js';
import { philoxUniforms } from '../../../rng/philox.js';
import { arrayOf } from '../buffer.js';
import { forEachRow } from '../strided.js';
import { contiguousStrides } from '../../../shape.js';

const u = new Float64Array(2);
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
  // element index i follows the logical row-major order even when out is strided
  const logical = contiguousStrides(out.shape);
  forEachRow(out.shape, [logical, out.strides], [0, out.offset], (offs, n, st) => {
    let i = offs[0]!;
    let po = offs[1]!;
    for (let k = 0; k < n; k++, i += st[0]!, po += st[1]!) {
      philoxUniforms(seed, offset + i, u);
      const u0 = u[0]!;
      if (dist === 'uniform') o[po] = low + span * u0;
      else if (dist === 'bernoulli') o[po] = u0 < p ? 1 : 0;
      else {
        // compute in the output precision so float32 backends can match closely
        const r = Math.sqrt(-2 * Math.log(1 - u0)) * Math.cos(TWO_PI * u[1]!);
        o[po] = mean + std * (f32 ? Math.fround(r) : r);
      }
    }
  });
}
