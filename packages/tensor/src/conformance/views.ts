import type { BackendV1 } from '../backend/contract.js';
import type { DType } from '../dtype.js';
import { tensor } from '../ops/creation.js';
import type { Tensor } from '../tensor.js';

export type ViewKind = 'contiguous' | 'transposed' | 'sliced';

function typed(dtype: DType, data: ArrayLike<number>): Float32Array | Int32Array | Float64Array {
  return dtype === 'float32' ? Float32Array.from(data) : dtype === 'int32' ? Int32Array.from(data) : Float64Array.from(data);
}

/**
 * A tensor on `backend` whose logical contents are `data` (row-major, `shape`) laid out as
 * `kind`: dense, a transposed view of a dense tensor, or a slice out of a larger tensor.
 */
export function viewOf(backend: BackendV1, data: ArrayLike<number>, shape: readonly number[], dtype: DType, kind: ViewKind): Tensor {
  const n = data.length;
  if (kind === 'transposed' && shape.length >= 2) {
    const r = shape.length;
    const tShape = [...shape];
    [tShape[r - 2], tShape[r - 1]] = [shape[r - 1]!, shape[r - 2]!];
    const rows = shape[r - 2]!;
    const cols = shape[r - 1]!;
    const t = new Float64Array(n);
    const mats = n / (rows * cols || 1);
    for (let b = 0; b < mats; b++) {
      for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[b * rows * cols + j * rows + i] = data[b * rows * cols + i * cols + j]!;
    }
    const base = tensor(typed(dtype, t), tShape, { backend });
    const v = base.transpose(-2, -1);
    base.dispose();
    return v;
  }
  if (kind === 'sliced' && shape.length >= 1) {
    const big = [...shape];
    big[0] = shape[0]! + 2;
    const inner = shape.slice(1).reduce((a, b) => a * b, 1);
    const arr = new Float64Array(big.reduce((a, b) => a * b, 1)).fill(-777);
    arr.set(Float64Array.from(data), inner);
    const base = tensor(typed(dtype, arr), big, { backend });
    const v = base.slice(0, 1, 1 + shape[0]!);
    base.dispose();
    return v;
  }
  return tensor(typed(dtype, data), shape, { backend });
}
