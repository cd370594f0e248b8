import type { TensorView } from '@edora/tensor';
import { EXTRA, mapDispatch } from './map.js';
import type { BindWindow, Dispatch, PlanContext } from './program.js';
import { faultCode } from '../fault.js';

/**
 * Row gather (embedding lookup) and scatter-add (its backward). Indices outside [0, V) cannot
 * raise from inside a shader: gather writes zeros for them and scatter-add skips them, and both
 * report the id through the fault buffer (fault.ts), which the backend turns into a typed error
 * at the next read or sync. Each bad id is counted once: by its column-0 invocation in gather,
 * by the column-0 invocation's walk in scatter-add.
 *
 * Scatter-add gives each invocation one column and walks the indices in order, so repeated
 * indices accumulate without float atomics and the result is deterministic run to run.
 */
function pseudo(v: TensorView, shape: number[], strides: number[], offset = v.offset): TensorView {
  return { buffer: v.buffer, dtype: v.dtype, shape, strides, offset };
}

export function gatherRows(table: TensorView, idx: TensorView, out: TensorView, ctx: PlanContext): (Dispatch | null)[] {
  const [V, D] = table.shape as [number, number];
  const N = idx.shape[0]!;
  const [ts0, ts1] = table.strides as [number, number];
  const piecewise = table.buffer.byteLength > ctx.maxBindingBytes;
  const gather = (tableOffset: number, r0: number, r1: number, window: BindWindow | null): Dispatch | null =>
    mapDispatch({
      op: 'gatherRows',
      key: `gatherRows:${out.dtype}:${window ? 'piece' : 'whole'}`,
      shape: [N, D],
      views: [pseudo(idx, [N, D], [idx.strides[0]!, 0]), pseudo(table, [N, D], [0, ts1], tableOffset), out],
      writes: [false, false, true],
      windows: [null, window, null],
      extra: (p) => p.u(EXTRA, V).i(EXTRA + 1, ts0).u(EXTRA + 2, r0).u(EXTRA + 3, r1).u(EXTRA + 4, D),
      faults: true,
      // a bad id is handled by the first block only (r0 = 0), so it is reported and zeroed once
      body: `
  let r = ld0(o0);
  if (r < 0 || u32(r) >= pu(${EXTRA}u)) {
    ${window ? `if (pu(${EXTRA + 2}u) != 0u) { return; }` : ''}
    reportBadIndex(${faultCode('gatherRows')}u, r, pu(${EXTRA}u), i % pu(${EXTRA + 4}u) == 0u);
    st2(o2, ${out.dtype === 'int32' ? '0' : '0.0'});
    return;
  }
  ${window ? `if (r < i32(pu(${EXTRA + 2}u)) || r >= i32(pu(${EXTRA + 3}u))) { return; }` : ''}
  st2(o2, ld1(u32(i32(o1) + r * pi(${EXTRA + 1}u))));`,
    });
  if (!piecewise) return [gather(table.offset, 0, V, null)];
  // A table over the binding limit (RoBERTa-base's 154 MB embeddings on a 128 MiB device): one
  // dispatch per block of rows, each binding only its block's bytes; a row's block writes it.
  const rowBytes = Math.max(ts0, 1) * 4;
  const span = (D - 1) * ts1 * 4 + 4;
  const perPiece = Math.floor((ctx.maxBindingBytes - ctx.bindingAlignment - span) / rowBytes);
  if (perPiece < 1) return [gather(table.offset, 0, V, null)]; // one row exceeds the limit: the backend's limit error says so
  const pieces: (Dispatch | null)[] = [];
  for (let r0 = 0; r0 < V; r0 += perPiece) {
    const r1 = Math.min(V, r0 + perPiece);
    const first = (table.offset + r0 * ts0) * 4;
    const byteOffset = first - (first % ctx.bindingAlignment);
    const end = (table.offset + (r1 - 1) * ts0) * 4 + span;
    const rel = (first - byteOffset) / 4;
    pieces.push(gather(rel - r0 * ts0, r0, r1, { byteOffset, byteLength: Math.ceil((end - byteOffset) / 4) * 4 }));
  }
  return pieces;
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
    faults: true,
    body: `
  for (var n = 0u; n < pu(${EXTRA + 1}u); n++) {
    let r = ld1(u32(i32(o1) + i32(n) * pi(${EXTRA + 3}u)));
    if (r < 0 || u32(r) >= pu(${EXTRA}u)) {
      if (i == 0u) { reportBadIndex(${faultCode('scatterAddRows')}u, r, pu(${EXTRA}u), true); }
      continue;
    }
    let po = u32(i32(o2) + r * pi(${EXTRA + 4}u));
    st2(po, ld2(po) + ld0(u32(i32(o0) + i32(n) * pi(${EXTRA + 2}u))));
  }`,
  });
}
