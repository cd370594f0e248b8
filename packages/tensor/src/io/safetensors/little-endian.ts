/**
 * Typed-array views over little-endian bytes, whatever the byte's alignment and the host's byte
 * order. safetensors stores everything little-endian; typed arrays use the host's order and need
 * their offset aligned to the element size.
 */

export const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

type Ctor<T> = { new (buffer: ArrayBuffer, byteOffset: number, length: number): T; BYTES_PER_ELEMENT: number };

/**
 * A view of `bytes` as elements of `ctor`, read little-endian. Zero-copy when the bytes are aligned
 * and the host is little-endian; otherwise a copy (byte-swapped on a big-endian host). Treat the
 * result as read-only: it may alias `bytes`.
 */
export function littleEndianView<T>(bytes: Uint8Array, ctor: Ctor<T>): T {
  const size = ctor.BYTES_PER_ELEMENT;
  const length = bytes.length / size;
  if (HOST_IS_LITTLE_ENDIAN && bytes.byteOffset % size === 0) {
    return new ctor(bytes.buffer as ArrayBuffer, bytes.byteOffset, length);
  }
  const copy = new Uint8Array(bytes.length);
  if (HOST_IS_LITTLE_ENDIAN) copy.set(bytes);
  else for (let i = 0; i < bytes.length; i += size) for (let k = 0; k < size; k++) copy[i + k] = bytes[i + size - 1 - k]!;
  return new ctor(copy.buffer, 0, length);
}

/** Copies little-endian `bytes` into `out` (same byte length): one copy, any alignment. */
export function copyLittleEndian(bytes: Uint8Array, out: Float32Array | Float64Array | Int32Array): void {
  if (HOST_IS_LITTLE_ENDIAN) new Uint8Array(out.buffer, out.byteOffset, out.byteLength).set(bytes);
  else out.set(littleEndianView(bytes, out.constructor as Ctor<typeof out>));
}

/** The little-endian bytes of a typed array (a view when the host is little-endian). */
export function littleEndianBytes(array: Float32Array | Float64Array | Int32Array | BigInt64Array): Uint8Array {
  const bytes = new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
  if (HOST_IS_LITTLE_ENDIAN) return bytes;
  const size = array.BYTES_PER_ELEMENT;
  const swapped = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i += size) for (let k = 0; k < size; k++) swapped[i + k] = bytes[i + size - 1 - k]!;
  return swapped;
}
