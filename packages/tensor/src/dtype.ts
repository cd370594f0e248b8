import { DTypeError } from './errors.js';

/**
 * Element types a tensor can hold.
 *
 * - `float32`: everything numeric in training.
 * - `int32`: token ids, labels, indices (argmax results).
 * - `float64`: optional; only backends whose `capabilities.float64` is true hold it. The cpu backend
 *   does, so finite-difference gradient checks can run in double precision.
 *
 * Masks (comparison results, dropout masks) are `float32` tensors of 0 and 1: every backend,
 * WGSL included, can store and multiply them without a byte-addressed type.
 */
export type DType = 'float32' | 'int32' | 'float64';

export const DTYPES: readonly DType[] = ['float32', 'int32', 'float64'];

export type TypedArrayFor<D extends DType> = D extends 'float32'
  ? Float32Array
  : D extends 'int32'
    ? Int32Array
    : Float64Array;

export type AnyTypedArray = Float32Array | Int32Array | Float64Array;

export function bytesPerElement(dtype: DType): number {
  switch (dtype) {
    case 'float32':
    case 'int32':
      return 4;
    case 'float64':
      return 8;
    default:
      throw new DTypeError(`unknown dtype ${String(dtype)}; expected one of ${DTYPES.join(', ')}`);
  }
}

export function typedArrayFor(dtype: DType, length: number): AnyTypedArray {
  switch (dtype) {
    case 'float32':
      return new Float32Array(length);
    case 'int32':
      return new Int32Array(length);
    case 'float64':
      return new Float64Array(length);
    default:
      throw new DTypeError(`unknown dtype ${String(dtype)}; expected one of ${DTYPES.join(', ')}`);
  }
}

/** A typed-array view of the given dtype over `buffer` (no copy). */
export function viewAs(dtype: DType, buffer: ArrayBufferLike, byteOffset = 0, length?: number): AnyTypedArray {
  switch (dtype) {
    case 'float32':
      return new Float32Array(buffer, byteOffset, length);
    case 'int32':
      return new Int32Array(buffer, byteOffset, length);
    case 'float64':
      return new Float64Array(buffer, byteOffset, length);
    default:
      throw new DTypeError(`unknown dtype ${String(dtype)}; expected one of ${DTYPES.join(', ')}`);
  }
}

export function dtypeOfArray(a: AnyTypedArray): DType {
  if (a instanceof Float32Array) return 'float32';
  if (a instanceof Int32Array) return 'int32';
  return 'float64';
}

export function isFloat(dtype: DType): boolean {
  return dtype === 'float32' || dtype === 'float64';
}

/** The dtype of a binary op's result: float wins over int, float64 over float32. */
export function promote(a: DType, b: DType): DType {
  if (a === b) return a;
  if (a === 'float64' || b === 'float64') return 'float64';
  return 'float32';
}
