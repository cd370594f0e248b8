import { ArgumentError, ShapeError } from '../../errors.js';
import { dtypeRank, type WritableDType } from './dtype.js';
import { LENGTH_PREFIX_BYTES, METADATA_KEY } from './header.js';
import { littleEndianBytes } from './little-endian.js';

/**
 * Writing safetensors exactly as the reference writer does, so files are byte-identical:
 * tensors sorted by dtype (most strictly aligned first, the reference enum order) then by name
 * (byte order of UTF-8, i.e. code point order), compact JSON with `__metadata__` first and each
 * entry's keys in the order dtype, shape, data_offsets, the JSON padded with spaces to a multiple
 * of 8 bytes so every tensor starts 8-byte aligned.
 *
 * One deliberate choice: the reference keeps `__metadata__` in a hash map, so its key order is
 * unspecified; we sort the keys (code point order) so our output is deterministic.
 */

export interface SafetensorsWriteEntry {
  dtype: WritableDType;
  shape: readonly number[];
  /**
   * Row-major values. F32/F64 take any numbers (F32 rounds to float32); I32 takes integers in
   * int32 range; I64 takes a BigInt64Array, an Int32Array, or safe integers.
   */
  data: ArrayLike<number> | BigInt64Array;
}

/** A file split into its header bytes (length prefix included) and each tensor's bytes, in order. */
export interface SafetensorsLayout {
  header: Uint8Array;
  tensors: { name: string; bytes: Uint8Array }[];
  byteLength: number;
}

const WRITABLE: readonly WritableDType[] = ['F32', 'F64', 'I32', 'I64'];

/** Code point order, which is UTF-8 byte order; `<` on JS strings compares UTF-16 units instead. */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x - y;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}

function integerArray(name: string, dtype: 'I32' | 'I64', data: ArrayLike<number>, min: number, max: number): void {
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (!Number.isInteger(v) || v < min || v > max) {
      throw new ArgumentError(`tensor ${JSON.stringify(name)} (${dtype}): value ${v} at flat index ${i} is not an integer in ${min}..${max}`);
    }
  }
}

/** The little-endian bytes of one tensor (a view of `data` when it already has that layout). */
function encodeTensorData(name: string, entry: SafetensorsWriteEntry): Uint8Array {
  const { dtype, data } = entry;
  if (data instanceof BigInt64Array && dtype !== 'I64') {
    throw new ArgumentError(`tensor ${JSON.stringify(name)}: a BigInt64Array can only be written as I64, not ${dtype}`);
  }
  switch (dtype) {
    case 'F32':
      return littleEndianBytes(data instanceof Float32Array ? data : Float32Array.from(data as ArrayLike<number>));
    case 'F64':
      return littleEndianBytes(data instanceof Float64Array ? data : Float64Array.from(data as ArrayLike<number>));
    case 'I32':
      if (data instanceof Int32Array) return littleEndianBytes(data);
      integerArray(name, dtype, data as ArrayLike<number>, -0x80000000, 0x7fffffff);
      return littleEndianBytes(Int32Array.from(data as ArrayLike<number>));
    case 'I64': {
      if (data instanceof BigInt64Array) return littleEndianBytes(data);
      if (!(data instanceof Int32Array)) integerArray(name, dtype, data, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
      const wide = new BigInt64Array(data.length);
      for (let i = 0; i < data.length; i++) wide[i] = BigInt(data[i]!);
      return littleEndianBytes(wide);
    }
    default:
      throw new ArgumentError(`tensor ${JSON.stringify(name)}: cannot write dtype ${String(dtype)}; expected one of ${WRITABLE.join(', ')}`);
  }
}

function checkShape(name: string, entry: SafetensorsWriteEntry): void {
  const { shape, data } = entry;
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new ArgumentError(`tensor ${JSON.stringify(name)}: shape must be an array of non-negative integers, found ${JSON.stringify(shape)}`);
  }
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length) {
    throw new ShapeError(`tensor ${JSON.stringify(name)}: shape [${shape.join(', ')}] holds ${count} elements, but data has ${data.length}`);
  }
}

/**
 * Validates and lays out a file without concatenating it, so a file writer can stream the tensors
 * one after another. `writeSafetensors` is this plus concatenation.
 */
export function layoutSafetensors(
  entries: Record<string, SafetensorsWriteEntry>,
  metadata?: Record<string, string>,
): SafetensorsLayout {
  const names = Object.keys(entries);
  if (names.includes(METADATA_KEY)) {
    throw new ArgumentError(`${JSON.stringify(METADATA_KEY)} is reserved for metadata and cannot name a tensor`);
  }
  for (const name of names) {
    const dtype = entries[name]!.dtype;
    if (!WRITABLE.includes(dtype)) {
      throw new ArgumentError(`tensor ${JSON.stringify(name)}: cannot write dtype ${String(dtype)}; expected one of ${WRITABLE.join(', ')}`);
    }
    checkShape(name, entries[name]!);
  }
  names.sort((a, b) => dtypeRank(entries[b]!.dtype) - dtypeRank(entries[a]!.dtype) || compareCodePoints(a, b));

  // Built by hand, not with JSON.stringify(object): an object would put integer-like names first.
  const parts: string[] = [];
  if (metadata !== undefined) {
    const keys = Object.keys(metadata).sort(compareCodePoints);
    for (const key of keys) {
      if (typeof metadata[key] !== 'string') {
        throw new ArgumentError(`metadata[${JSON.stringify(key)}] must be a string, found ${typeof metadata[key]}`);
      }
    }
    const fields = keys.map((key) => `${JSON.stringify(key)}:${JSON.stringify(metadata[key])}`);
    parts.push(`${JSON.stringify(METADATA_KEY)}:{${fields.join(',')}}`);
  }
  const tensors: SafetensorsLayout['tensors'] = [];
  let offset = 0;
  for (const name of names) {
    const entry = entries[name]!;
    const bytes = encodeTensorData(name, entry);
    const info = { dtype: entry.dtype, shape: [...entry.shape], data_offsets: [offset, offset + bytes.length] };
    parts.push(`${JSON.stringify(name)}:${JSON.stringify(info)}`);
    tensors.push({ name, bytes });
    offset += bytes.length;
  }

  const json = new TextEncoder().encode(`{${parts.join(',')}}`);
  const padded = Math.ceil(json.length / 8) * 8;
  const header = new Uint8Array(LENGTH_PREFIX_BYTES + padded).fill(0x20, LENGTH_PREFIX_BYTES + json.length);
  new DataView(header.buffer).setBigUint64(0, BigInt(padded), true);
  header.set(json, LENGTH_PREFIX_BYTES);
  return { header, tensors, byteLength: header.length + offset };
}

/** Serializes tensors (and optional string metadata) to the bytes of a safetensors file. */
export function writeSafetensors(entries: Record<string, SafetensorsWriteEntry>, metadata?: Record<string, string>): Uint8Array {
  const layout = layoutSafetensors(entries, metadata);
  const out = new Uint8Array(layout.byteLength);
  out.set(layout.header, 0);
  let at = layout.header.length;
  for (const { bytes } of layout.tensors) {
    out.set(bytes, at);
    at += bytes.length;
  }
  return out;
}
