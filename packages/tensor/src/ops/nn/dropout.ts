import { ArgumentError } from '../../errors.js';
import type { Tensor } from '../../tensor.js';
import { bernoulli, type RandomOptions } from '../creation.js';
import { mul } from '../elementwise.js';

export interface DropoutOptions extends RandomOptions {
  training?: boolean;
}

/**
 * Inverted dropout: zeroes elements with probability p and scales the rest by 1/(1−p). The mask
 * comes from the counter-based RNG, so a seed gives the same mask on every backend.
 */
export function dropout(x: Tensor, p: number, options: DropoutOptions = {}): Tensor {
  if (!(p >= 0 && p < 1)) throw new ArgumentError(`dropout: p must be in [0, 1), got ${p}`);
  if (options.training === false || p === 0) return mul(x, 1);
  const mask = bernoulli(x.shape, 1 - p, { ...options, backend: x.backend, dtype: x.dtype });
  const scaled = mul(mask, 1 / (1 - p));
  mask.dispose();
  const out = mul(x, scaled);
  scaled.dispose();
  return out;
}
