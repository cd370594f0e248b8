import type { TensorView } from '@edora/tensor';
import { EXTRA, mapDispatch } from './map.js';
import type { Dispatch } from './program.js';

/**
 * Row gather (embedding lookup) and scatter-add (its backward). Indices outside [0, V) cannot
 * raise from inside a shader: gather writes zeros for them and scatter-add skips them (the core's
 * `embedding` validates ids before they reach a backend).
 *
 * Scatter-add gives each invocation one column and walks the indices in order, so repeated
 * indices accumulate without float atomics and the result is deterministic run to run.
 */
function pseudo(v: TensorView, shape: number[], strides: number[], offset = v.offset): TensorView {
  return { buffer: v.buffer, dtype: v.dtype, shape, strides, offset };
}

export function gatherRows(table: TensorView, idx: TensorView, out: TensorView): Dispatch | null {
  const [V, D] = table.shape as [number, number];
  const N = idx.shape[0]!;
  return mapDispatch({
    op: 'gatherRows',
    key: `gatherRows:${out.dtype}`,
    shape: [N, D],
    views: [pseudo(idx, [N, D], [idx.strides[0]!, 0]), pseudo(table, [N, D], [0, table.strides[1]!]), out],
    writes: [false, false, true],
    extra: (p) => p.u(EXTRA, V).i(EXTRA + 1, table.strides[0]!),
    body: `
  let r = ld0(o0);
  if (r < 0 || u32(r) >= pu(${EXTRA}u)) { st2(o2, ${out.dtype === 'int32' ? '0' : '0.0'}); return; }
  st2(o2, ld1(u32(i32(o1) + r * pi(${EXTRA + 1}u))));`,
  });
}

export function scatterAddRows(src: TensorView, idx: TensorView, out: TensorView): Dispatch | null {
  const [V, D] = out.shape as [number, number];
  const N = idx.shape[0]!;
  if (N === 0) return null;
  return mapDispatch({
    op: 'scatterAddRows',
    key: `scatterAddRows:${out.dtype}`,
    shape: [D],
    views: [pseudo(src, [D], [src.strides[1]!]), pseudo(idx, [D], [0]), pseudo(out, [D], [out.strides[1]!])],
    writes: [false, false, true],
    extra: (p) => p.u(EXTRA, V).u(EXTRA + 1, N).i(EXTRA + 2, src.strides[0]!).i(EXTRA + 3, idx.strides[0]!).i(EXTRA + 4, out.strides[0]!),
    body: `
  for (var n = 0u; n < pu(${EXTRA + 1}u); n++) {
    let r = ld1(u32(i32(o1) + i32(n) * pi(${EXTRA + 3}u)));
    if (r < 0 || u32(r) >= pu(${EXTRA}u)) { continue; }
    let po = u32(i32(o2) + r * pi(${EXTRA + 4}u));
    st2(po, ld2(po) + ld0(u32(i32(o0) + i32(n) * pi(${EXTRA + 2}u))));
  }`,
  });
}
