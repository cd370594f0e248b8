import type { SafetensorsDType } from './dtype.js';
import type { AnyTypedArray } from '../../dtype.js';
import { decodeTensorData } from './decode.js';
import { parseSafetensorsHeader } from './header.js';

/** One decoded tensor: `dtype` is the file's dtype, `data` the host array it decodes to. */
export interface SafetensorsTensor {
  dtype: SafetensorsDType;
  shape: number[];
  data: AnyTypedArray;
}

export interface ReadSafetensorsOptions {
  /** Names the file or buffer in error messages. */
  source?: string;
}

/**
 * Reads every tensor of an in-memory safetensors file, in file order. Each tensor's array is a
 * fresh copy, so `bytes` can be dropped afterwards. Use `parseSafetensorsHeader` for the metadata,
 * and the Node entry's `openSafetensorsFile` to load tensor by tensor without the whole file.
 */
export function readSafetensors(bytes: Uint8Array, options: ReadSafetensorsOptions = {}): Map<string, SafetensorsTensor> {
  const header = parseSafetensorsHeader(bytes, { source: options.source });
  const tensors = new Map<string, SafetensorsTensor>();
  for (const [name, entry] of header.entries) {
    const raw = bytes.subarray(entry.byteOffset, entry.byteOffset + entry.byteLength);
    const data = decodeTensorData(entry.dtype, entry.shape, raw, { name, source: options.source });
    tensors.set(name, { dtype: entry.dtype, shape: entry.shape, data });
  }
  return tensors;
}
