import { ArgumentError, FormatError } from '../../errors.js';
import { findDuplicateKey } from './duplicate-keys.js';
import { formatValue } from '@edora/errors';
import { isSafetensorsDType, tensorByteLength, SAFETENSORS_DTYPES, type SafetensorsDType } from './dtype.js';

/**
 * Parsing and validating a safetensors header.
 *
 * Layout: an unsigned 64-bit little-endian header length N, N bytes of UTF-8 JSON, then the data
 * section. The JSON maps each tensor name to `{ dtype, shape, data_offsets: [begin, end] }` with
 * offsets relative to the data section, plus an optional `__metadata__` object of string values.
 * As the reference reader requires, the tensors' byte ranges must tile the data section exactly:
 * sorted by offset, the first begins at 0, each begins where the previous ended, and the last ends
 * at the end of the file. That rules out gaps, overlaps, out-of-range offsets and trailing bytes.
 * The header must start with "{" and repeat no key, as the format's specification says.
 */

/** The reference reader refuses longer headers; so do we, before allocating anything. */
export const MAX_HEADER_LENGTH = 100_000_000;

/** Bytes before the JSON: the little-endian u64 header length. */
export const LENGTH_PREFIX_BYTES = 8;

export const METADATA_KEY = '__metadata__';

export interface SafetensorsEntry {
  dtype: SafetensorsDType;
  shape: number[];
  /** Offset of the tensor's first byte from the start of the file (not of the data section). */
  byteOffset: number;
  byteLength: number;
}

export interface SafetensorsHeader {
  /** N, the JSON length (including the writer's padding). */
  headerLength: number;
  /** Offset of the data section from the start of the file: 8 + N. */
  dataOffset: number;
  /** `__metadata__`, or an empty object when the file has none. Null prototype: keys are data. */
  metadata: Record<string, string>;
  /** Tensors in file order (by offset). */
  entries: Map<string, SafetensorsEntry>;
}

export interface ParseHeaderOptions {
  /**
   * Total length of the file. Defaults to `bytes.length`, i.e. `bytes` is the whole file; pass it
   * when `bytes` holds only the first 8 + N bytes (reading a file header-first).
   */
  fileLength?: number;
  /** Names the file or buffer in error messages. */
  source?: string;
}

const DEFAULT_SOURCE = 'safetensors data';

function fail(source: string, message: string, cause?: unknown): never {
  throw new FormatError(`${source}: ${message}`, cause === undefined ? undefined : { cause });
}

/**
 * Reads and checks the 8-byte length prefix: N must fit the limit and, with the prefix, the file.
 * Exposed so a file reader can learn how many bytes to read before it has the header.
 */
export function readHeaderLength(bytes: Uint8Array, options: ParseHeaderOptions = {}): number {
  const source = options.source ?? DEFAULT_SOURCE;
  const fileLength = options.fileLength ?? bytes.length;
  if (fileLength < LENGTH_PREFIX_BYTES) {
    fail(source, `expected at least ${LENGTH_PREFIX_BYTES} bytes (the header length), found ${fileLength}`);
  }
  if (bytes.length < LENGTH_PREFIX_BYTES) {
    throw new ArgumentError(`${source}: pass at least the first ${LENGTH_PREFIX_BYTES} bytes; got ${bytes.length}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, LENGTH_PREFIX_BYTES);
  const low = view.getUint32(0, true);
  const high = view.getUint32(4, true);
  if (high !== 0 || low > MAX_HEADER_LENGTH) {
    const declared = (BigInt(high) << 32n) | BigInt(low);
    fail(source, `header length ${declared} exceeds the limit of ${MAX_HEADER_LENGTH} bytes`);
  }
  if (LENGTH_PREFIX_BYTES + low > fileLength) {
    fail(
      source,
      `header length ${low} runs past the end of the file: expected at most ${fileLength - LENGTH_PREFIX_BYTES} bytes after the length prefix, found ${fileLength - LENGTH_PREFIX_BYTES}`,
    );
  }
  return low;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isIndex(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function parseMetadata(value: unknown, source: string): Record<string, string> {
  const metadata: Record<string, string> = Object.create(null);
  // The reference reads `"__metadata__": null` as "no metadata".
  if (value === null) return metadata;
  if (!isPlainObject(value)) fail(source, `${METADATA_KEY} must be an object of strings, found ${formatValue(value)}`);
  for (const [key, text] of Object.entries(value)) {
    if (typeof text !== 'string') {
      fail(source, `${METADATA_KEY}[${formatValue(key)}] must be a string, found ${formatValue(text)}`);
    }
    metadata[key] = text;
  }
  return metadata;
}

interface RawEntry {
  name: string;
  dtype: SafetensorsDType;
  shape: number[];
  begin: number;
  end: number;
}

function parseEntry(name: string, value: unknown, source: string): RawEntry {
  const where = `tensor ${formatValue(name)}`;
  if (!isPlainObject(value)) fail(source, `${where}: expected an object with dtype, shape and data_offsets, found ${formatValue(value)}`);
  const { dtype, shape, data_offsets: offsets } = value;
  if (!isSafetensorsDType(dtype)) {
    fail(source, `${where}: unknown dtype ${formatValue(dtype)}; expected one of ${SAFETENSORS_DTYPES.join(', ')}`);
  }
  if (!Array.isArray(shape) || !shape.every(isIndex)) {
    fail(source, `${where}: shape must be an array of non-negative integers, found ${formatValue(shape)}`);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isIndex)) {
    fail(source, `${where}: data_offsets must be [begin, end] with non-negative integers, found ${formatValue(offsets)}`);
  }
  const [begin, end] = offsets as [number, number];
  if (end < begin) fail(source, `${where}: data_offsets [${begin}, ${end}] end before they begin`);
  let count = 1;
  for (const dim of shape as number[]) count *= dim;
  if (!Number.isSafeInteger(count)) {
    fail(source, `${where}: shape [${shape.join(', ')}] has more elements than a file can hold`);
  }
  const expected = tensorByteLength(dtype, count);
  if (expected === undefined) {
    fail(source, `${where}: ${count} elements of ${dtype} do not fill whole bytes`);
  }
  if (expected !== end - begin) {
    fail(
      source,
      `${where}: dtype ${dtype} with shape [${shape.join(', ')}] needs ${expected} bytes, but data_offsets [${begin}, ${end}] declare ${end - begin}`,
    );
  }
  return { name, dtype, shape: shape as number[], begin, end };
}

/**
 * Parses and validates the header of a safetensors file.
 *
 * `bytes` holds the file, or at least its first 8 + N bytes when `options.fileLength` gives the full
 * length. Every problem is a `FormatError` naming `options.source` and, where there is one, the tensor.
 */
export function parseSafetensorsHeader(bytes: Uint8Array, options: ParseHeaderOptions = {}): SafetensorsHeader {
  const source = options.source ?? DEFAULT_SOURCE;
  const fileLength = options.fileLength ?? bytes.length;
  const headerLength = readHeaderLength(bytes, options);
  const dataOffset = LENGTH_PREFIX_BYTES + headerLength;
  if (bytes.length < dataOffset) {
    throw new ArgumentError(`${source}: pass at least the first ${dataOffset} bytes (prefix and header); got ${bytes.length}`);
  }

  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(LENGTH_PREFIX_BYTES, dataOffset));
  } catch (err) {
    fail(source, `header is not valid UTF-8`, err);
  }
  // The format requires the first byte to be "{"; JSON.parse alone would accept leading spaces.
  if (!text.startsWith('{')) fail(source, `header must start with "{", found ${JSON.stringify(text.slice(0, 16))}`);
  // Valid JSON that starts with "{" is an object.
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch (err) {
    fail(source, `header is not valid JSON (${(err as Error).message})`, err);
  }
  const duplicate = findDuplicateKey(text);
  if (duplicate !== undefined) fail(source, `header repeats the key ${formatValue(duplicate)}; keys must be unique`);

  let metadata: Record<string, string> = Object.create(null);
  const raw: RawEntry[] = [];
  for (const [name, value] of Object.entries(json)) {
    if (name === METADATA_KEY) metadata = parseMetadata(value, source);
    else raw.push(parseEntry(name, value, source));
  }

  // Tile check. Sorting by (begin, end) puts empty tensors before a non-empty one at the same offset.
  raw.sort((a, b) => a.begin - b.begin || a.end - b.end);
  const dataLength = fileLength - dataOffset;
  let cursor = 0;
  let previous: RawEntry | undefined;
  for (const entry of raw) {
    const where = `tensor ${formatValue(entry.name)}`;
    if (entry.end > dataLength) {
      fail(source, `${where}: data_offsets [${entry.begin}, ${entry.end}] run past the data section, which holds ${dataLength} bytes`);
    }
    if (entry.begin < cursor) {
      fail(
        source,
        `${where}: data_offsets [${entry.begin}, ${entry.end}] overlap tensor ${formatValue(previous!.name)} [${previous!.begin}, ${previous!.end}]`,
      );
    }
    if (entry.begin > cursor) {
      fail(source, `${where}: data_offsets begin at ${entry.begin}, expected ${cursor} (a gap of ${entry.begin - cursor} bytes no tensor covers)`);
    }
    cursor = entry.end;
    previous = entry;
  }
  if (cursor !== dataLength) {
    fail(source, `the tensors cover ${cursor} bytes of the data section but it holds ${dataLength} (trailing bytes no tensor covers)`);
  }

  const entries = new Map<string, SafetensorsEntry>();
  for (const e of raw) {
    entries.set(e.name, { dtype: e.dtype, shape: e.shape, byteOffset: dataOffset + e.begin, byteLength: e.end - e.begin });
  }
  return { headerLength, dataOffset, metadata, entries };
}
