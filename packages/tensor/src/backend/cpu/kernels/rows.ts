import type { TensorView } from '../../contract.js';
import { arrayOf } from '../buffer.js';

function checkIndex(idx: number, rows: number, op: string): void {
  if (!(idx >= 0 && idx < rows)) {
    throw new RangeError(`${op}: index ${idx} is out of range for a table of ${rows} rows`);
  }
}

/** out[i, :] ← table[idx[i], :] (embedding lookup). */
export function gatherRows(table: TensorView, idx: TensorView, out: TensorView): void {
  const T = arrayOf(table);
  const I = arrayOf(idx);
  const O = arrayOf(out);
  const [V, D] = table.shape as [number, number];
  const n = idx.shape[0]!;
  const [ts, tc] = table.strides as [number, number];
  const [os, oc] = out.strides as [number, number];
  const is = idx.strides[0]!;
  // dense rows of one dtype are a memcpy each (~10× the element loop on 64-wide rows)
  const rowCopy = tc === 1 && oc === 1 && table.dtype === out.dtype && D >= 16;
  for (let i = 0; i < n; i++) {
    const r = I[idx.offset + i * is]!;
    checkIndex(r, V, 'gatherRows');
    const src = table.offset + r * ts;
    const dst = out.offset + i * os;
    if (rowCopy) O.set(T.subarray(src, src + D), dst);
    else for (let d = 0; d < D; d++) O[dst + d * oc] = T[src + d * tc]!;
  }
}

/** out[idx[i], :] += src[i, :] (embedding backward); repeated indices accumulate. */
export function scatterAddRows(src: TensorView, idx: TensorView, out: TensorView): void {
  const S = arrayOf(src);
  const I = arrayOf(idx);
  const O = arrayOf(out);
  const [V, D] = out.shape as [number, number];
  const n = idx.shape[0]!;
  for (let i = 0; i < n; i++) {
    const r = I[idx.offset + i * idx.strides[0]!]!;
    checkIndex(r, V, 'scatterAddRows');
    const s = src.offset + i * src.strides[0]!;
    const d0 = out.offset + r * out.strides[0]!;
    for (let d = 0; d < D; d++) O[d0 + d * out.strides[1]!]! += S[s + d * src.strides[1]!]!;
  }
}
