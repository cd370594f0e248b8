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

/**
 * `binary` add/sub/mul/div on float32 through csrc/binary.c when the output is dense and each
 * input is dense, a shared row, a scalar or one value per row; false sends the op to the cpu kernel.
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
  const ma = mode(a, d);
  const mb = mode(b, d);
  if (ma < 0 || mb < 0) return false;
  k.binary_f32(op, addr(a), ma, addr(b), mb, addr(out), n / d, d);
  return true;
}
