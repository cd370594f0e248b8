import type { OpAttrs, TensorView } from '@edora/tensor';
import { addr, dense } from './fused.js';
import type { KernelExports } from './module.js';

const product = (xs: readonly number[]): number => xs.reduce((p, s) => p * s, 1);

/**
 * `reduce` sum over one axis of a dense float32 tensor through csrc/reduce.c (bit-identical to the
 * cpu kernel: same compensated double sums). Autograd's broadcast gradients (bias and scalar
 * gradients, sums over leading axes) and `sum` along any axis land here; false sends max, argmax,
 * other dtypes and strided views to the cpu kernel.
 */
export function runReduceSum(k: KernelExports, x: TensorView, out: TensorView, attrs: OpAttrs['reduce']): boolean {
  if (attrs.fn !== 'sum' || !dense(x) || !dense(out)) return false;
  const { axis } = attrs;
  const outer = product(x.shape.slice(0, axis));
  const inner = product(x.shape.slice(axis + 1));
  if (outer * inner === 0) return true;
  k.reduce_sum_f32(addr(x), addr(out), outer, x.shape[axis]!, inner);
  return true;
}
