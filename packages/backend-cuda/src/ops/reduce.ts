import type { OpAttrs, TensorView } from '@edora/tensor';
import { i32, mapArg, mapStruct, ptr } from '../args.js';
import type { CudaBuffer } from '../backend.js';
import { REDUCE_CODES } from '../codes.js';
import { numel, reduceBlock, type Runner } from './runner.js';

/** One block per output element; out.shape is x.shape with shape[axis] = 1, so the Map drops the axis. */
export function reduce(r: Runner, x: TensorView, out: TensorView, attrs: OpAttrs['reduce']): void {
  const n = numel(out.shape);
  if (n === 0) return;
  const len = x.shape[attrs.axis]!;
  const map = mapStruct('reduce', out.shape, [out.strides, x.strides], [out.offset, x.offset]);
  r.launch('reduce_f32', [Math.min(n, r.multiprocessors * 32), 1, 1], [reduceBlock(len), 1, 1], [
    mapArg(map), ptr((out.buffer as CudaBuffer).ptr), ptr((x.buffer as CudaBuffer).ptr), i32(len), i32(len > 1 ? x.strides[attrs.axis]! : 0),
    i32(REDUCE_CODES[attrs.fn]),
  ]);
}
