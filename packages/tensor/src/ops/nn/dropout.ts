import type { OpAttrs } from '../../backend/contract.js';
import { isFloat } from '../../dtype.js';
import { ArgumentError } from '../../errors.js';
import { nextRandom } from '../../rng/generator.js';
import { recordOp, type Tensor } from '../../tensor.js';
import { bernoulli, full, type RandomOptions } from '../creation.js';
import { backendOf, composite, fusedEnabled, fusedOr, runOp } from '../dispatch.js';
import { mul, rawBinary } from '../elementwise.js';
import { spec } from './row-helpers.js';

export interface DropoutOptions extends RandomOptions {
  training?: boolean;
}

/**
 * Inverted dropout: zeroes elements with probability p and scales the rest by 1/(1−p). The mask
 * comes from the counter-based RNG, so a seed gives the same mask on every backend.
 *
 * A backend with the fused `dropout` op draws the mask and applies it in one kernel, and the
 * backward pass runs the same op on the gradient: Philox is counter-based, so (seed, offset)
 * regenerates the mask bit for bit and nothing is stored. Without it, the composite below runs
 * (a Bernoulli mask, mask · 1/(1−p), x · that, whose product the backward reuses); both give the
 * same bits.
 */
export function dropout(x: Tensor, p: number, options: DropoutOptions = {}): Tensor {
  if (!(p >= 0 && p < 1)) throw new ArgumentError(`dropout: p must be in [0, 1), got ${p}`);
  if (options.training === false || p === 0) return mul(x, 1);
  const backend = backendOf('dropout', [x]);
  if (!isFloat(x.dtype) || !fusedEnabled(backend, 'dropout', [x.dtype])) {
    return composite(backend, 'dropout', () => maskComposite(x, p, options));
  }
  // the counters the composite's `bernoulli` would reserve, so both paths consume the stream alike
  const { seed, offset } = options.seed !== undefined ? { seed: options.seed, offset: options.offset ?? 0 } : nextRandom(x.size);
  const keep = 1 - p;
  // the composite multiplies by 1/(1−p) held in a 0-d tensor of x's dtype
  const scale = x.dtype === 'float32' ? Math.fround(1 / keep) : 1 / keep;
  const attrs: OpAttrs['dropout'] = { seed, offset, keep, scale };
  // element i of the op uses counter offset + i in row-major order: a strided x is copied first
  const input = x.isContiguous ? x : runOp('copy', [x], [spec(x)], {})[0]!;
  const y = applyMask(input, attrs);
  if (input !== x) input.dispose();
  return recordOp(y, 'dropout', [x], [], (g) => {
    const gc = g.isContiguous ? g : runOp('copy', [g], [spec(g)], {})[0]!;
    const dx = applyMask(gc, attrs);
    if (gc !== g) gc.dispose();
    return [dx];
  });
}

/** x · mask · scale through the fused op, or its composite (the mask drawn again from the same counters). */
function applyMask(x: Tensor, attrs: OpAttrs['dropout']): Tensor {
  return fusedOr('dropout', [x], [spec(x)], attrs, () => {
    const mask = bernoulli(x.shape, attrs.keep, { backend: x.backend, dtype: x.dtype, seed: attrs.seed, offset: attrs.offset });
    const s = full([], attrs.scale, { backend: x.backend, dtype: x.dtype });
    const scaled = rawBinary('mul', mask, s);
    return [rawBinary('mul', x, scaled)];
  })[0]!;
}

/** The composite with autograd: backward multiplies by the saved mask · scale. */
function maskComposite(x: Tensor, p: number, options: DropoutOptions): Tensor {
  const mask = bernoulli(x.shape, 1 - p, { ...options, backend: x.backend, dtype: x.dtype });
  const scaled = mul(mask, 1 / (1 - p));
  return mul(x, scaled);
}
