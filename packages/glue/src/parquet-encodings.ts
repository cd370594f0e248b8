import type { ParquetType } from 'hyparquet';
import { MAX_EXPANSION, ParquetBytes } from './parquet-bytes.js';

/**
 * Parquet's value encodings, decoding exactly the number of values a page was checked to hold.
 * Each run length, bit width, block size and byte length is compared with the values left and
 * the bytes left before it is used, so the work is linear in the page's bytes and its values.
 * Values come out as JavaScript values: BOOLEAN → boolean, INT32/FLOAT/DOUBLE → number,
 * INT64/INT96 → bigint, BYTE_ARRAY/FIXED_LEN_BYTE_ARRAY → bytes (decoded as text by the caller).
 */

/** Bits `bit .. bit + width` of `bytes`, least significant first (width ≤ 32). */
function bitsAt(bytes: Uint8Array, bit: number, width: number): number {
  let value = 0;
  for (let got = 0; got < width; ) {
    const at = bit + got;
    const shift = at & 7;
    const take = Math.min(8 - shift, width - got);
    value += ((bytes[at >> 3]! >> shift) & ((1 << take) - 1)) * 2 ** got;
    got += take;
  }
  return value;
}

/**
 * The RLE / bit-packed hybrid (definition levels, dictionary indices, booleans): `count` values
 * of `bitWidth` (0..32) bits. An RLE run may not be longer than the values left; a bit-packed
 * run must have its bytes.
 */
export function readHybrid(r: ParquetBytes, bitWidth: number, count: number, what: string): Uint32Array {
  const out = new Uint32Array(count);
  const valueBytes = (bitWidth + 7) >> 3;
  for (let n = 0; n < count; ) {
    const header = r.varint(`a run of ${what}`);
    const length = Math.floor(header / 2);
    if (header % 2 === 1) {
      // `length` groups of 8 values, `bitWidth` bytes each; the last group may hold padding
      const bytes = r.take(length * bitWidth, `a bit-packed run of ${what}`);
      const take = Math.min(length * 8, count - n);
      for (let i = 0; i < take; i++) out[n + i] = bitsAt(bytes, i * bitWidth, bitWidth);
      n += take;
    } else {
      if (length > count - n) r.fail(`expected a run of at most ${count - n} ${what} (the values left in the page); found ${length}`);
      const value = bitsAt(r.take(valueBytes, `the value of a run of ${what}`), 0, bitWidth);
      out.fill(value, n, n + length);
      n += length;
    }
  }
  return out;
}

const WIDTH: Partial<Record<ParquetType, number>> = { INT32: 4, FLOAT: 4, INT64: 8, DOUBLE: 8, INT96: 12 };

/** The bytes one PLAIN value of `type` takes (at least; a BYTE_ARRAY's 4-byte length and more). */
export function plainWidth(type: ParquetType, typeLength: number): number {
  return type === 'BOOLEAN' ? 1 / 8 : type === 'BYTE_ARRAY' ? 4 : type === 'FIXED_LEN_BYTE_ARRAY' ? typeLength : WIDTH[type]!;
}

/** `count` PLAIN values (also the layout of dictionary pages). */
export function readPlain(r: ParquetBytes, type: ParquetType, count: number, typeLength: number): unknown[] {
  const out: unknown[] = new Array<unknown>(count);
  if (type === 'BYTE_ARRAY') {
    if (count * 4 > r.left) r.fail(`expected ${count} text values of 4 bytes or more each; ${r.left} bytes are left`);
    for (let i = 0; i < count; i++) out[i] = r.take(r.u32('the length of a text value'), 'a text value');
    return out;
  }
  const bytes = r.take(Math.ceil(count * plainWidth(type, typeLength)), `${count} ${type} values`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < count; i++) {
    switch (type) {
      case 'BOOLEAN':
        out[i] = ((bytes[i >> 3]! >> (i & 7)) & 1) === 1;
        break;
      case 'INT32':
        out[i] = view.getInt32(4 * i, true);
        break;
      case 'INT64':
        out[i] = view.getBigInt64(8 * i, true);
        break;
      case 'INT96':
        out[i] = (BigInt(view.getInt32(12 * i + 8, true)) << 64n) | view.getBigUint64(12 * i, true);
        break;
      case 'FLOAT':
        out[i] = view.getFloat32(4 * i, true);
        break;
      case 'DOUBLE':
        out[i] = view.getFloat64(8 * i, true);
        break;
      default:
        out[i] = bytes.subarray(i * typeLength, (i + 1) * typeLength);
    }
  }
  return out;
}

/**
 * DELTA_BINARY_PACKED: a header (block size, miniblocks per block, value count, first value),
 * then blocks of (min delta, bit widths, miniblocks). 64-bit arithmetic that wraps, as the spec
 * says; INT32 values wrap to 32 bits.
 */
export function readDeltaBinary(r: ParquetBytes, count: number, what: string): bigint[] {
  const blockSize = r.varint(`the block size of ${what}`);
  const miniblocks = r.varint(`the miniblocks per block of ${what}`);
  const total = r.varint(`the value count of ${what}`);
  const perMiniblock = blockSize / miniblocks;
  if (!(blockSize > 0 && blockSize % 128 === 0 && Number.isInteger(perMiniblock) && perMiniblock % 32 === 0)) {
    r.fail(`expected ${what} in blocks of a multiple of 128 values, split into miniblocks of a multiple of 32; found blocks of ${blockSize} in ${miniblocks} miniblocks`);
  }
  if (total !== count) r.fail(`expected ${count} values of ${what} (the page's); found ${total}`);
  let value = r.zigzagBig(`the first value of ${what}`);
  const out: bigint[] = count > 0 ? [value] : [];
  while (out.length < count) {
    const minDelta = r.zigzagBig(`the min delta of a block of ${what}`);
    const widths = r.take(miniblocks, `the bit widths of a block of ${what}`);
    for (let m = 0; m < miniblocks && out.length < count; m++) {
      const width = widths[m]!;
      if (width > 64) r.fail(`expected miniblock bit widths of at most 64 in ${what}; found ${width}`);
      const bytes = r.take((perMiniblock * width) / 8, `a miniblock of ${what}`);
      for (let j = 0; j < perMiniblock && out.length < count; j++) {
        const bit = j * width;
        const bits = width <= 32 ? BigInt(bitsAt(bytes, bit, width)) : (BigInt(bitsAt(bytes, bit + 32, width - 32)) << 32n) | BigInt(bitsAt(bytes, bit, 32));
        value = BigInt.asIntN(64, value + minDelta + bits);
        out.push(value);
      }
    }
  }
  return out;
}

/** DELTA_LENGTH_BYTE_ARRAY: the lengths (delta-packed), then the bytes of every value. */
export function readDeltaLengthByteArray(r: ParquetBytes, count: number): Uint8Array[] {
  return readDeltaBinary(r, count, 'DELTA_LENGTH_BYTE_ARRAY lengths').map((length) => r.take(Number(length), 'a DELTA_LENGTH_BYTE_ARRAY value'));
}

/**
 * DELTA_BYTE_ARRAY: each value is a prefix of the one before plus a suffix. The only encoding
 * whose distinct values can outgrow its bytes many times over, so the bytes of new values are
 * bounded by `maxBytes` (a value repeated is the same bytes, and free).
 */
export function readDeltaByteArray(r: ParquetBytes, count: number): Uint8Array[] {
  const maxBytes = MAX_EXPANSION * r.left;
  const prefixes = readDeltaBinary(r, count, 'DELTA_BYTE_ARRAY prefix lengths');
  const suffixes = readDeltaLengthByteArray(r, count);
  const out: Uint8Array[] = [];
  let previous = new Uint8Array(0);
  let decoded = 0;
  for (let i = 0; i < count; i++) {
    const prefix = Number(prefixes[i]!);
    if (!(prefix >= 0 && prefix <= previous.length)) r.fail(`expected a DELTA_BYTE_ARRAY prefix of at most ${previous.length} bytes (the value before); found ${prefix}`);
    if (prefix === previous.length && suffixes[i]!.length === 0 && i > 0) {
      out.push(previous); // the same value again costs nothing
      continue;
    }
    decoded += prefix + suffixes[i]!.length;
    if (decoded > maxBytes) r.fail(`expected new DELTA_BYTE_ARRAY values of at most ${maxBytes} bytes in all (${MAX_EXPANSION} times the page's bytes); found more`);
    const value = new Uint8Array(prefix + suffixes[i]!.length);
    value.set(previous.subarray(0, prefix));
    value.set(suffixes[i]!, prefix);
    out.push(value);
    previous = value;
  }
  return out;
}

/** BYTE_STREAM_SPLIT: byte b of every value, then byte b + 1 ...; reassembled to PLAIN. */
export function readByteStreamSplit(r: ParquetBytes, type: ParquetType, count: number, typeLength: number): unknown[] {
  if (type === 'BOOLEAN' || type === 'BYTE_ARRAY') r.fail(`expected BYTE_STREAM_SPLIT only for fixed-width values; found it for ${type}`);
  const width = plainWidth(type, typeLength);
  const split = r.take(count * width, `${count} BYTE_STREAM_SPLIT values`);
  const plain = new Uint8Array(split.length);
  for (let b = 0; b < width; b++) for (let i = 0; i < count; i++) plain[i * width + b] = split[b * count + i]!;
  return readPlain(r.over(plain), type, count, typeLength);
}
