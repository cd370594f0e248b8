import type { Tensor } from '../../tensor.js';
import { rawReduce } from '../reduce.js';

// Raw helpers (no autograd) shared by the nn ops' composite fallbacks.

/** Sum or max over the last axis, keeping it as size 1. */
export const rawRowReduce = (fn: 'sum' | 'max', x: Tensor): Tensor => rawReduce(fn, x, [x.rank - 1]);

/** The output spec (shape, dtype) of a result shaped like `t`. */
export const spec = (t: Tensor): { shape: readonly number[]; dtype: Tensor['dtype'] } => ({ shape: t.shape, dtype: t.dtype });
