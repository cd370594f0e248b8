import type { OpAttrs, TensorView } from '@edora/tensor';
import { f64, i32, mapArg, mapStruct, ptr, u64 } from '../args.js';
import type { CudaBuffer } from '../backend.js';
import { DIST_CODES } from '../codes.js';
import { CudaOpError } from '../errors.js';
import { BLOCK, gridFor, numel, type Runner } from './runner.js';

/** Philox samples, element i (logical row-major order) from counter offset + i: see csrc/random.cu. */
export function random(r: Runner, out: TensorView, attrs: OpAttrs['random']): void {
  const n = numel(out.shape);
  if (n === 0) return;
  if (out.dtype !== 'float32') throw new CudaOpError(`random: out must be float32, got ${out.dtype}`);
  for (const [name, v] of [['seed', attrs.seed], ['offset', attrs.offset]] as const) {
    if (!(Number.isSafeInteger(v) && v >= 0)) throw new CudaOpError(`random: ${name} must be a safe integer ≥ 0, got ${v}`);
  }
  const [a, b] =
    attrs.dist === 'uniform'
      ? [attrs.low ?? 0, (attrs.high ?? 1) - (attrs.low ?? 0)]
      : attrs.dist === 'normal'
        ? [attrs.mean ?? 0, attrs.std ?? 1]
        : [attrs.p ?? 0.5, 0];
  const map = mapStruct('random', out.shape, [out.strides], [out.offset]);
  r.launch('random_f32', [gridFor(r, n), 1, 1], [BLOCK, 1, 1], [
    mapArg(map), ptr((out.buffer as CudaBuffer).ptr), u64(attrs.seed % 2 ** 64), u64(attrs.offset), i32(DIST_CODES[attrs.dist]), f64(a), f64(b),
  ]);
}
