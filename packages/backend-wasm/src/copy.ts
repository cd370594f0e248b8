import type { TensorView } from '@edora/tensor';
import type { WasmBuffer } from './gemm.js';
import type { KernelExports } from './module.js';

/** Dtypes csrc/copy.c moves (4-byte elements). */
const FOUR_BYTES = new Set(['float32', 'int32']);

/**
 * The copy's dims with size-1 dims dropped and each dim merged into the next where both views
 * step over it as one run (stride = next stride × next size): a contiguous copy becomes one dim,
 * the head split [B, T, H, D] → [B, H, T, D] stays four.
 */
function mergedDims(shape: readonly number[], src: readonly number[], dst: readonly number[]): { n: number[]; s: number[]; d: number[] } {
  const n: number[] = [];
  const s: number[] = [];
  const d: number[] = [];
  for (let i = 0; i < shape.length; i++) {
    if (shape[i] === 1) continue;
    const last = n.length - 1;
    if (last >= 0 && s[last] === src[i]! * shape[i]! && d[last] === dst[i]! * shape[i]!) {
      n[last]! *= shape[i]!;
      s[last] = src[i]!;
      d[last] = dst[i]!;
    } else {
      n.push(shape[i]!);
      s.push(src[i]!);
      d.push(dst[i]!);
    }
  }
  return { n, s, d };
}

/**
 * `copy` (and a `cast` between equal dtypes) of 4-byte elements through csrc/copy.c when the
 * views, merged, have at most four dims and no negative stride; false sends it to the cpu kernel.
 */
export function runCopy(k: KernelExports, x: TensorView, out: TensorView): boolean {
  if (x.dtype !== out.dtype || !FOUR_BYTES.has(x.dtype)) return false;
  if (x.shape.some((s) => s === 0)) return true;
  const { n, s, d } = mergedDims(out.shape, x.strides, out.strides);
  if (n.length > 4 || s.some((v) => v < 0) || d.some((v) => v < 0)) return false;
  while (n.length < 4) {
    n.unshift(1);
    s.unshift(0);
    d.unshift(0);
  }
  const src = (x.buffer as WasmBuffer).ptr + x.offset * 4;
  const dst = (out.buffer as WasmBuffer).ptr + out.offset * 4;
  k.copy4_b32(src, dst, n[0]!, n[1]!, n[2]!, n[3]!, s[0]!, s[1]!, s[2]!, s[3]!, d[0]!, d[1]!, d[2]!, d[3]!);
  return true;
}
