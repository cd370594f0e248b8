import { DTypeError, ShapeError, noGrad, tensor, type BackendV1, type Tensor } from '@edora/tensor';
import { NonFiniteError } from './errors.js';
import type { HostMatrix } from './host/matrix.js';

/** Throws unless `t` is a 2-D floating-point tensor; `op` names the caller in the message. */
export function assertMatrix(t: Tensor, op: string): void {
  t.assertAlive(op);
  if (t.rank !== 2) {
    throw new ShapeError(`${op}: expected a 2-D tensor (a matrix), got shape [${t.shape.join(', ')}]`);
  }
  if (t.dtype !== 'float32' && t.dtype !== 'float64') {
    throw new DTypeError(`${op}: expected a float32 or float64 tensor, got ${t.dtype} [${t.shape.join(', ')}]`);
  }
}

/** Reads a 2-D tensor into a float64 host matrix (logical row-major order, views allowed). */
export async function toHost(t: Tensor, op: string): Promise<HostMatrix> {
  assertMatrix(t, op);
  const data = await t.data();
  return { rows: t.shape[0]!, cols: t.shape[1]!, data: Float64Array.from(data) };
}

/** A host matrix as a tensor of `dtype` on `backend`. */
export function fromHost(m: HostMatrix, backend: BackendV1, dtype: 'float32' | 'float64'): Tensor {
  const arr = dtype === 'float64' ? m.data.slice() : new Float32Array(m.data);
  return noGrad(() => tensor(arr, [m.rows, m.cols], { backend }));
}

/** A host vector as a 1-D tensor. */
export function vectorFromHost(v: Float64Array, backend: BackendV1, dtype: 'float32' | 'float64'): Tensor {
  const arr = dtype === 'float64' ? v.slice() : new Float32Array(v);
  return noGrad(() => tensor(arr, [v.length], { backend }));
}

/**
 * Throws NonFiniteError naming the first NaN/Inf of `t`. Used after a product came back non-finite,
 * so the (possibly large) read happens only on the error path.
 */
export async function reportNonFinite(t: Tensor, op: string): Promise<never> {
  const data = await t.data();
  const cols = t.shape[1]!;
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) {
      const r = Math.floor(i / cols);
      throw new NonFiniteError(`${op}: expected finite values, found ${data[i]} at (${r}, ${i - r * cols}) of the ${t.shape[0]}×${cols} input`);
    }
  }
  // The product overflowed although the input is finite.
  throw new NonFiniteError(`${op}: a product of the ${t.shape[0]}×${cols} input overflowed float range; rescale the matrix`);
}
