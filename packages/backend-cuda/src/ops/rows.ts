import type { TensorView } from '@edora/tensor';
import { i32, ptr } from '../args.js';
import type { CudaBuffer } from '../backend.js';
import { CudaOpError } from '../errors.js';
import { denseCopy } from './elementwise.js';
import { addressOf, BLOCK, gridFor, type Runner } from './runner.js';

/** Rows of a [R, D] view as (address, row stride), through a dense copy when columns are not unit-stride. */
function rowsOf(r: Runner, v: TensorView, temps: CudaBuffer[]): [number, number] {
  if (v.shape[1]! <= 1 || v.strides[1] === 1) return [addressOf(v), v.strides[0]!];
  const t = denseCopy(r, v);
  temps.push(t);
  return [t.ptr, v.shape[1]!];
}

export function gatherRows(r: Runner, table: TensorView, idx: TensorView, out: TensorView): void {
  const [V, D] = table.shape as [number, number];
  const n = idx.shape[0]!;
  if (n * D === 0) return;
  if (D > 1 && out.strides[1] !== 1) throw new CudaOpError(`gatherRows: out must have unit column stride, got strides [${out.strides.join(', ')}]`);
  const temps: CudaBuffer[] = [];
  const [tp, ts] = rowsOf(r, table, temps);
  r.launch('gather_rows_f32', [gridFor(r, n * D), 1, 1], [BLOCK, 1, 1], [
    ptr(addressOf(out)), ptr(tp), ptr(addressOf(idx)), i32(n), i32(D), i32(V), i32(ts), i32(out.strides[0]!), i32(idx.strides[0]!),
    ptr(r.faultPtr()),
  ]);
  for (const t of temps) r.release(t);
}

export function scatterAddRows(r: Runner, src: TensorView, idx: TensorView, out: TensorView): void {
  const [V, D] = out.shape as [number, number];
  const n = idx.shape[0]!;
  if (n * D === 0) return;
  if (D > 1 && out.strides[1] !== 1) throw new CudaOpError(`scatterAddRows: out must have unit column stride, got strides [${out.strides.join(', ')}]`);
  const temps: CudaBuffer[] = [];
  const [sp, ss] = rowsOf(r, src, temps);
  r.launch('scatter_add_rows_f32', [gridFor(r, n * D), 1, 1], [BLOCK, 1, 1], [
    ptr(addressOf(out)), ptr(sp), ptr(addressOf(idx)), i32(n), i32(D), i32(V), i32(out.strides[0]!), i32(ss), i32(idx.strides[0]!),
    ptr(r.faultPtr()),
  ]);
  for (const t of temps) r.release(t);
}
