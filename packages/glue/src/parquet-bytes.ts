import { GlueFormatError, type DataLocation } from './errors.js';

/**
 * The most a row group or a page may decode to per byte it takes in the file: rows per byte of
 * the column chunks read, bytes of text per byte of a prefix-compressed page. A row of a text
 * dataset takes bytes of text, and shared prefixes expand text a few times, so real files stay
 * far below it; a file past it lies about its counts (or repeats one row endlessly), and is
 * refused before anything is allocated for those counts.
 */
export const MAX_EXPANSION = 64;

/**
 * A cursor over bytes of a parquet file — a column chunk, a page — that checks every count and
 * size read from the file against the bytes there are before anything is allocated or looped
 * over, and reports a departure as a GlueFormatError saying where (file, first row of the page,
 * column and page) and what was expected and found.
 */
export class ParquetBytes {
  pos = 0;
  constructor(
    readonly bytes: Uint8Array,
    readonly at: DataLocation,
    /** Where in the file, for messages: `column "idx" (row group 2, page 1)`. */
    readonly where: string,
  ) {}

  get left(): number {
    return this.bytes.length - this.pos;
  }

  fail(message: string): never {
    throw new GlueFormatError(this.at, `${this.where}: ${message}`);
  }

  /** The next `n` bytes (`n` read from the file: any number). */
  take(n: number, what: string): Uint8Array {
    if (!(Number.isSafeInteger(n) && n >= 0 && n <= this.left)) this.fail(`expected ${what} of ${n} bytes; ${this.left} bytes are left`);
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** Other bytes of the same place (a decompressed page) as a reader, failing with the same location. */
  over(bytes: Uint8Array): ParquetBytes {
    return new ParquetBytes(bytes, this.at, this.where);
  }

  /** The next `n` bytes as a reader of their own (a length-prefixed block: levels, RLE booleans). */
  sub(n: number, what: string): ParquetBytes {
    return this.over(this.take(n, what));
  }

  /** The rest of the bytes as a reader of its own (a page's values after its levels). */
  rest(): ParquetBytes {
    return this.sub(this.left, 'the rest');
  }

  u8(what: string): number {
    if (this.left < 1) this.fail(`expected ${what}; found the end of the data`);
    return this.bytes[this.pos++]!;
  }

  /** 4 bytes little-endian, unsigned. */
  u32(what: string): number {
    const b = this.take(4, what);
    return (b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0;
  }

  /** A ULEB128 varint of at most 10 bytes (64 bits); exact below 2^53, which is all that is used. */
  varint(what: string): number {
    let value = 0;
    for (let i = 0, scale = 1; i < 10; i++, scale *= 128) {
      const byte = this.u8(what);
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
    }
    this.fail(`expected ${what} (a varint of at most 10 bytes); found a longer one`);
  }

  /** A zigzag varint: 0, -1, 1, -2, ... */
  zigzag(what: string): number {
    const n = this.varint(what);
    return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
  }

  /** A zigzag varint as a bigint (DELTA_BINARY_PACKED's 64-bit deltas). */
  zigzagBig(what: string): bigint {
    let n = 0n;
    for (let i = 0n; i < 10n; i++) {
      const byte = this.u8(what);
      n |= BigInt(byte & 0x7f) << (7n * i);
      if (byte < 0x80) return (n >> 1n) ^ -(n & 1n);
    }
    this.fail(`expected ${what} (a varint of at most 10 bytes); found a longer one`);
  }
}

/** Something that fails with a GlueFormatError at `at`, each message after `prefix` (a row group, a column). */
export function failingAt(at: DataLocation, prefix: string): { fail(message: string): never } {
  return {
    fail(message: string): never {
      throw new GlueFormatError(at, `${prefix}: ${message}`);
    },
  };
}

/** A count read from a file (a number or a bigint from the footer) as an integer in [min, max], or a failure. */
export function countIn(r: { fail(message: string): never }, value: unknown, what: string, min: number, max: number): number {
  const n = typeof value === 'bigint' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
    r.fail(`expected ${what} in [${min}, ${max}]; found ${typeof value === 'number' || typeof value === 'bigint' ? String(value) : value === undefined ? 'none' : typeof value}`);
  }
  return n;
}
