/**
 * Parquet files made byte by byte for the hostile-file tests: thrift compact values, pages and a
 * footer, written from the format's spec (parquet.thrift) without the reader under test, so a
 * test can put one lie — a count, a size, a missing field — into an otherwise honest file. An
 * honest crafted file reads the same through hyparquet's reader (checked in parquet-hostile.test.ts).
 */

/** A thrift compact value: its type id and how its bytes are written. */
export interface Thrift {
  type: number;
  write(out: number[]): void;
}

export function varint(out: number[], n: bigint | number): void {
  let v = BigInt(n);
  do {
    const low = Number(v & 0x7fn);
    v >>= 7n;
    out.push(v ? low | 0x80 : low);
  } while (v);
}

const zigzag = (n: bigint | number): bigint => {
  const v = BigInt(n);
  return v >= 0n ? v << 1n : (-v << 1n) - 1n;
};

export const i32 = (n: number): Thrift => ({ type: 5, write: (o) => varint(o, zigzag(n)) });
export const i64 = (n: number | bigint): Thrift => ({ type: 6, write: (o) => varint(o, zigzag(n)) });
export const bool = (b: boolean): Thrift => ({ type: b ? 1 : 2, write: () => {} });
export const bin = (b: string | Uint8Array): Thrift => {
  const bytes = typeof b === 'string' ? new TextEncoder().encode(b) : b;
  return { type: 8, write: (o) => (varint(o, bytes.length), o.push(...bytes)) };
};
/** A value of type `type` whose bytes are given as they are (a lying length, a long varint). */
export const raw = (type: number, bytes: readonly number[]): Thrift => ({ type, write: (o) => o.push(...bytes) });

export function struct(fields: Record<number, Thrift | undefined>): Thrift {
  return {
    type: 12,
    write: (o) => {
      let last = 0;
      for (const id of Object.keys(fields).map(Number).sort((a, b) => a - b)) {
        const value = fields[id];
        if (!value) continue;
        if (id > last && id - last <= 15) o.push(((id - last) << 4) | value.type);
        else {
          o.push(value.type);
          varint(o, zigzag(id));
        }
        value.write(o);
        last = id;
      }
      o.push(0);
    },
  };
}

export function list(elementType: number, items: readonly Thrift[]): Thrift {
  return {
    type: 9,
    write: (o) => {
      if (items.length < 15) o.push((items.length << 4) | elementType);
      else {
        o.push(0xf0 | elementType);
        varint(o, items.length);
      }
      for (const item of items) item.write(o);
    },
  };
}

export function bytesOf(value: Thrift): Uint8Array {
  const out: number[] = [];
  value.write(out);
  return Uint8Array.from(out);
}

// parquet.thrift enums
export const TYPE = { BOOLEAN: 0, INT32: 1, INT64: 2, INT96: 3, FLOAT: 4, DOUBLE: 5, BYTE_ARRAY: 6, FIXED_LEN_BYTE_ARRAY: 7 } as const;
export const ENC = { PLAIN: 0, PLAIN_DICTIONARY: 2, RLE: 3, BIT_PACKED: 4, DELTA_BINARY_PACKED: 5, DELTA_LENGTH_BYTE_ARRAY: 6, DELTA_BYTE_ARRAY: 7, RLE_DICTIONARY: 8 } as const;
export const CODEC = { UNCOMPRESSED: 0, SNAPPY: 1, GZIP: 2, ZSTD: 6 } as const;

/** A page: its header (PageHeader fields) and its stored bytes. Sizes default to the body's length. */
export function page(type: 'data' | 'dictionary' | 'v2', sub: Record<number, Thrift | undefined>, body: Uint8Array, sizes: { uncompressed?: number; stored?: number } = {}): Uint8Array {
  const field = type === 'data' ? 5 : type === 'dictionary' ? 7 : 8;
  const header = bytesOf(struct({ 1: i32(type === 'data' ? 0 : type === 'dictionary' ? 2 : 3), 2: i32(sizes.uncompressed ?? body.length), 3: i32(sizes.stored ?? body.length), [field]: struct(sub) }));
  return concat([header, body]);
}

/** A data page v1 of `count` values: 1 num_values, 2 encoding, 3 definition level encoding, 4 repetition level encoding. */
export const dataPage = (count: number, body: Uint8Array, encoding: number = ENC.PLAIN, sizes?: { uncompressed?: number; stored?: number }): Uint8Array =>
  page('data', { 1: i32(count), 2: i32(encoding), 3: i32(ENC.RLE), 4: i32(ENC.RLE) }, body, sizes);

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export const u32 = (n: number): Uint8Array => Uint8Array.from([n & 255, (n >>> 8) & 255, (n >>> 16) & 255, (n >>> 24) & 255]);
export const int32s = (values: readonly number[]): Uint8Array => concat(values.map(u32));
export const int64s = (values: readonly number[]): Uint8Array => concat(values.map((v) => concat([u32(v), u32(v < 0 ? -1 : 0)])));
export const strings = (values: readonly string[]): Uint8Array => concat(values.flatMap((s) => [u32(new TextEncoder().encode(s).length), new TextEncoder().encode(s)]));
/** An RLE run of the hybrid encoding: header (count << 1), then the value in ceil(width / 8) bytes. */
export const rleRun = (count: number | bigint, value: number, width = 1): number[] => {
  const out: number[] = [];
  varint(out, BigInt(count) << 1n);
  for (let i = 0; i < (width + 7) >> 3; i++) out.push((value >> (8 * i)) & 255);
  return out;
};
/** Definition levels of a v1 page: the 4-byte length, then the hybrid runs. */
export const levelsV1 = (runs: readonly number[]): Uint8Array => concat([u32(runs.length), Uint8Array.from(runs)]);

export interface CraftColumn {
  name: string;
  type: keyof typeof TYPE;
  optional?: boolean;
  /** A REPEATED column (a list): not one value per row. */
  repeated?: boolean;
  typeLength?: number;
  /** The column chunk: its pages, one after the other. */
  pages: readonly Uint8Array[];
  codec?: number;
  /** ColumnMetaData fields to replace (a lying offset or size). */
  meta?: Record<number, Thrift | undefined>;
}

/** A file of one row group of `rows` rows (`groupRows` if it lies about them). */
export function craftParquet(columns: readonly CraftColumn[], rows: number, groupRows: number | bigint = rows): Uint8Array {
  const parts: Uint8Array[] = [new TextEncoder().encode('PAR1')];
  let at = 4;
  const chunks: Thrift[] = [];
  for (const c of columns) {
    const data = concat(c.pages);
    parts.push(data);
    const meta = struct({
      1: i32(TYPE[c.type]),
      2: list(5, [i32(ENC.PLAIN), i32(ENC.RLE)]),
      3: list(8, [bin(c.name)]),
      4: i32(c.codec ?? CODEC.UNCOMPRESSED),
      5: i64(rows),
      6: i64(data.length),
      7: i64(data.length),
      9: i64(at),
      ...c.meta,
    });
    chunks.push(struct({ 2: i64(at), 3: meta }));
    at += data.length;
  }
  const schema = [
    struct({ 4: bin('schema'), 5: i32(columns.length) }),
    ...columns.map((c) => struct({ 1: i32(TYPE[c.type]), 2: c.typeLength === undefined ? undefined : i32(c.typeLength), 3: i32(c.repeated ? 2 : c.optional ? 1 : 0), 4: bin(c.name), 6: c.type === 'BYTE_ARRAY' ? i32(0) : undefined })),
  ];
  const footer = bytesOf(struct({ 1: i32(1), 2: list(12, schema), 3: i64(groupRows), 4: list(12, [struct({ 1: list(12, chunks), 2: i64(at - 4), 3: i64(groupRows) })]) }));
  parts.push(footer, u32(footer.length), new TextEncoder().encode('PAR1'));
  return concat(parts);
}

/** Snappy data of literals only: the length, then literal elements of at most 60 bytes. */
export function snappyLiterals(bytes: Uint8Array): Uint8Array {
  const out: number[] = [];
  varint(out, bytes.length);
  for (let i = 0; i < bytes.length; i += 60) {
    const piece = bytes.subarray(i, i + 60);
    out.push((piece.length - 1) << 2, ...piece);
  }
  return Uint8Array.from(out);
}

/**
 * DELTA_BINARY_PACKED as the spec lays it out: blocks of 128 values in 4 miniblocks of 32, each
 * block's min delta, then each miniblock's offsets from it in the fewest bits.
 */
export function deltaBinary(values: readonly number[]): Uint8Array {
  const out: number[] = [];
  varint(out, 128);
  varint(out, 4);
  varint(out, values.length);
  varint(out, zigzag(values[0] ?? 0));
  const deltas = values.slice(1).map((v, i) => BigInt(v) - BigInt(values[i]!));
  for (let b = 0; b < deltas.length; b += 128) {
    const block = deltas.slice(b, b + 128);
    const min = block.reduce((m, d) => (d < m ? d : m));
    varint(out, zigzag(min));
    const minis = [0, 1, 2, 3].map((m) => block.slice(32 * m, 32 * m + 32).map((d) => d - min));
    const widths = minis.map((m) => m.reduce((w, d) => Math.max(w, d.toString(2).length * (d > 0n ? 1 : 0)), 0));
    out.push(...widths);
    for (const [m, offsets] of minis.entries()) {
      if (offsets.length === 0) break;
      const bits: number[] = [];
      for (let j = 0; j < 32; j++) for (let k = 0; k < widths[m]!; k++) bits.push(Number(((offsets[j] ?? 0n) >> BigInt(k)) & 1n));
      for (let i = 0; i < bits.length; i += 8) out.push(bits.slice(i, i + 8).reduce((byte, bit, k) => byte | (bit << k), 0));
    }
  }
  return Uint8Array.from(out);
}
