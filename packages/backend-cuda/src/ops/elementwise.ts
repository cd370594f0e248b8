import type { OpAttrs, TensorView } from '@edora/tensor';
import { i32, mapArg, mapStruct, ptr, u32, type Arg } from '../args.js';
import type { CudaBuffer } from '../backend.js';
import { BINARY_CODES, UNARY_CODES } from '../codes.js';
import { CudaOpError } from '../errors.js';
import { BLOCK, ELEMENT_BYTES, gridFor, numel, type Runner } from './runner.js';

const base = (v: TensorView): Arg => ptr((v.buffer as CudaBuffer).ptr);

/** Launches `kernel` over out's elements with operands' strides in a Map; extra args follow the pointers. */
function elementwise(r: Runner, kernel: string, out: TensorView, ins: readonly TensorView[], extra: readonly Arg[] = []): void {
  const n = numel(out.shape);
  if (n === 0) return;
  const views = [out, ...ins];
  const map = mapStruct(kernel, out.shape, views.map((v) => v.strides), views.map((v) => v.offset));
  r.launch(kernel, [gridFor(r, n), 1, 1], [BLOCK, 1, 1], [mapArg(map), ...views.map(base), ...extra]);
}

export function fill(r: Runner, out: TensorView, attrs: OpAttrs['fill']): void {
  const bits = new Uint32Array(1);
  if (out.dtype === 'int32') new Int32Array(bits.buffer)[0] = attrs.value;
  else new Float32Array(bits.buffer)[0] = attrs.value;
  elementwise(r, 'fill_b32', out, [], [u32(bits[0]!)]);
}

export function copy(r: Runner, x: TensorView, out: TensorView): void {
  if (x.dtype !== out.dtype) throw new CudaOpError(`copy: dtypes differ (${x.dtype} → ${out.dtype}); use cast`);
  elementwise(r, 'copy_b32', out, [x]);
}

export function cast(r: Runner, x: TensorView, out: TensorView): void {
  if (x.dtype === out.dtype) elementwise(r, 'copy_b32', out, [x]);
  else if (x.dtype === 'float32' && out.dtype === 'int32') elementwise(r, 'cast_f32_i32', out, [x]);
  else if (x.dtype === 'int32' && out.dtype === 'float32') elementwise(r, 'cast_i32_f32', out, [x]);
  else throw new CudaOpError(`cast: ${x.dtype} → ${out.dtype} is not supported`);
}

export function unary(r: Runner, x: TensorView, out: TensorView, attrs: OpAttrs['unary']): void {
  elementwise(r, 'unary_f32', out, [x], [i32(UNARY_CODES[attrs.fn])]);
}

export function binary(r: Runner, a: TensorView, b: TensorView, out: TensorView, attrs: OpAttrs['binary']): void {
  if (a.dtype !== b.dtype) throw new CudaOpError(`binary ${attrs.fn}: operand dtypes differ (${a.dtype}, ${b.dtype})`);
  if (a.dtype === 'int32') {
    elementwise(r, 'binary_i32', out, [a, b], [i32(BINARY_CODES[attrs.fn]), i32(out.dtype === 'float32' ? 1 : 0)]);
  } else {
    if (out.dtype !== 'float32') throw new CudaOpError(`binary ${attrs.fn}: float32 operands need a float32 out, got ${out.dtype}`);
    elementwise(r, 'binary_f32', out, [a, b], [i32(BINARY_CODES[attrs.fn])]);
  }
}

export function where(r: Runner, c: TensorView, a: TensorView, b: TensorView, out: TensorView): void {
  if (a.dtype !== out.dtype || b.dtype !== out.dtype) throw new CudaOpError(`where: value dtypes (${a.dtype}, ${b.dtype}) must equal out's ${out.dtype}`);
  elementwise(r, 'where_b32', out, [c, a, b], [i32(c.dtype === 'int32' ? 1 : 0)]);
}

/** A dense copy of `v` in a temporary (the caller releases it after its launches). */
export function denseCopy(r: Runner, v: TensorView): CudaBuffer {
  const buf = r.temp(Math.max(ELEMENT_BYTES, numel(v.shape) * ELEMENT_BYTES));
  const strides: number[] = [];
  let s = 1;
  for (let d = v.shape.length - 1; d >= 0; d--) {
    strides[d] = s;
    s *= v.shape[d]!;
  }
  elementwise(r, 'copy_b32', { buffer: buf, dtype: v.dtype, shape: v.shape, strides, offset: 0 }, [v]);
  return buf;
}
