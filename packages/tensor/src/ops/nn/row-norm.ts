import { ShapeError } from '../../errors.js';
import { shapeStr } from '../../shape.js';
import type { Tensor } from '../../tensor.js';
import { fusedOr } from '../dispatch.js';
import { rawUnary } from '../elementwise.js';
import { contiguous, reshape } from '../views.js';
import { rawRowReduce } from './row-helpers.js';

/**
 * Euclidean norm of each row of a 2-D weight, **without gradient** (DoRA and EDoRA detach the
 * weight norm). Fused as `rowNorm` where the backend has it.
 */
export function rowNorm(w: Tensor): Tensor {
  if (w.rank !== 2) throw new ShapeError(`rowNorm: expected a 2-D weight, got ${shapeStr(w.shape)}`);
  const wc = contiguous(w);
  const out = fusedOr('rowNorm', [wc], [{ shape: [w.shape[0]!], dtype: w.dtype }], {}, () => {
    const sq = rawUnary('square', wc);
    const s = rawRowReduce('sum', sq);
    const r = rawUnary('sqrt', s);
    const o = reshape(r, [w.shape[0]!]);
    return [o];
  })[0]!;
  if (wc !== w) wc.dispose();
  return out;
}
