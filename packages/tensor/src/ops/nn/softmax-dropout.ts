import { noGrad } from '../../autograd/grad-mode.js';
import { recordOp, type Tensor } from '../../tensor.js';
import { rawBinary } from '../elementwise.js';
import { dropout, type DropoutOptions } from './dropout.js';
import { rawRowReduce } from './row-helpers.js';
import { softmax } from './softmax.js';

/**
 * dropout(softmax(x, −1), p) — attention's probabilities — with a backward that draws no mask.
 * With P the softmax and Y = dropout(P) = P ⊙ mask · scale, the chain of both backwards is
 *   dx = Y ⊙ dy − P · Σ_row(Y ⊙ dy),
 * so backward reads P and Y, which are kept anyway (P for the softmax's gradient, Y by the
 * product that consumes the probabilities), instead of regenerating the Philox mask as the
 * dropout's own backward does: that draw cost ~10 ns per element on wasm, the four passes
 * above ~2.5 ns together. The forward and the mask (the same counters of the stream) are
 * exactly `dropout(softmax(x, -1), p, options)`'s; the gradient rounds differently (y·dy instead
 * of p·(dy·scale)), within float32 error.
 */
export function softmaxDropout(x: Tensor, p: number, options: DropoutOptions = {}): Tensor {
  if (options.training === false || p === 0) return softmax(x, -1);
  const probs = noGrad(() => softmax(x, -1));
  const y = noGrad(() => dropout(probs, p, { ...options, training: true }));
  // recordOp keeps P and Y only when x needs a gradient
  const out = recordOp(y, 'softmaxDropout', [x], [probs, y], (g, [P, Y]) => {
    const t = rawBinary('mul', Y!, g);
    const s = rawRowReduce('sum', t);
    const u = rawBinary('mul', P!, s);
    return [rawBinary('sub', t, u)];
  });
  probs.dispose();
  return out;
}
