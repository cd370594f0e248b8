import type { OpAttrs, TensorView } from '@edora/tensor';
import type { WasmBuffer } from './gemm.js';
import type { KernelExports } from './module.js';

const OPS: Partial<Record<OpAttrs['binary']['fn'], number>> = { add: 0, sub: 1, mul: 2, div: 3 };
/** Operand modes of csrc/binary.c. */
const DENSE = 0;
const ROW = 1;
const SCALAR = 2;
const PER_ROW = 3;

/** Whether the dims before the last, where larger than 1, have the strides `expected` builds up. */
function leadingDense(v: TensorView, lastStride: number): boolean {
  let expected = lastStride;
  for (let i = v.shape.length - 2; i >= 0; i--) {
    if (v.shape[i] !== 1 && v.strides[i] !== expected) return false;
    expected *= v.shape[i]!;
  }
  return true;
}

/** How a (broadcast) operand of `rows` rows of `d` reads, or -1 when no wasm mode fits. */
function mode(v: TensorView, d: number): number {
  if (v.dtype !== 'float32') return -1;
  const r = v.shape.length;
  const last = r === 0 || d === 1 ? 0 : v.strides[r - 1]!;
  if (v.shape.every((s, i) => s === 1 || v.strides[i] === 0)) return SCALAR;
  if ((last === 1 || d === 1) && leadingDense(v, d)) return DENSE;
  if (last === 1 && v.shape.every((s, i) => i === r - 1 || s === 1 || v.strides[i] === 0)) return ROW;
  if (last === 0 && leadingDense(v, 1)) return PER_ROW;
  return -1;
}

const addr = (v: TensorView): number => (v.buffer as WasmBuffer).ptr + v.offset * 4;

/** `v` without its first `k` dims. */
const inner = (v: TensorView, k: number): TensorView => ({ ...v, shape: v.shape.slice(k), strides: v.strides.slice(k) });
/** Byte address of element `offset` of `v`'s buffer. */
const addrAt = (v: TensorView, offset: number): number => (v.buffer as WasmBuffer).ptr + offset * 4;

/**
 * Blocks of fewer elements than this are not worth a kernel call each: the cpu kernel takes the
 * whole op instead.
 */
const MIN_BLOCK = 64;

/**
 * `binary` add/sub/mul/div on float32 through csrc/binary.c when the output is dense and each
 * input is dense, a shared row, a scalar or one value per row — or is one of those in every block
 * of the output's last dims, as the attention mask [B, 1, 1, T] is against the scores
 * [B, H, T, T] (a shared row within each batch entry): then one kernel call per block. False sends
 * the op to the cpu kernel; it is decided before anything is written, so an output that aliases
 * an input is never half-updated.
 */
export function runBinary(k: KernelExports, inputs: readonly TensorView[], out: TensorView, attrs: OpAttrs['binary']): boolean {
  const op = OPS[attrs.fn];
  if (op === undefined || out.dtype !== 'float32') return false;
  const r = out.shape.length;
  const d = r === 0 ? 1 : out.shape[r - 1]!;
  const n = out.shape.reduce((p, s) => p * s, 1);
  if (n === 0) return true;
  if (mode(out, d) !== DENSE) return false;
  const [a, b] = inputs as [TensorView, TensorView];
  // peel leading dims until each operand's block reads in one of the kernel's modes
  for (let peel = 0, blocks = 1; peel < Math.max(r, 1) && (peel === 0 || n / blocks >= MIN_BLOCK); blocks *= out.shape[peel]!, peel++) {
    // a dense output's blocks are dense; the operands' modes do not depend on where a block starts
    const ma = mode(inner(a, peel), d);
    const mb = mode(inner(b, peel), d);
    if (ma < 0 || mb < 0) continue;
    const rows = n / blocks / d;
    if (blocks === 1) {
      k.binary_f32(op, addr(a), ma, addr(b), mb, addr(out), rows, d);
      return true;
    }
    // every block of the peeled dims, by their strides in each view
    const index = new Array<number>(peel).fill(0);
    for (let blk = 0; blk < blocks; blk++) {
      let oa = a.offset;
      let ob = b.offset;
      let oo = out.offset;
      for (let i = 0; i < peel; i++) {
        oa += index[i]! * a.strides[i]!;
        ob += index[i]! * b.strides[i]!;
        oo += index[i]! * out.strides[i]!;
      }
      k.binary_f32(op, addrAt(a, oa), ma, addrAt(b, ob), mb, addrAt(out, oo), rows, d);
      for (let i = peel - 1; i >= 0 && ++index[i]! === out.shape[i]!; i--) index[i] = 0;
    }
    return true;
  }
  return false;
}
