import { snappyUncompress, type CompressionCodec, type ParquetType } from 'hyparquet';
import { shown } from './errors.js';
import { ParquetBytes, countIn } from './parquet-bytes.js';
import { plainWidth, readByteStreamSplit, readDeltaBinary, readDeltaByteArray, readDeltaLengthByteArray, readHybrid, readPlain } from './parquet-encodings.js';
import { readThriftStruct, type ThriftStruct } from './parquet-thrift.js';

/**
 * The pages of one column chunk, decoded into one value per row. Only flat columns (one value
 * per row, maybe null) are read — all a GLUE file has — so a page's value count is bounded by the
 * rows left in its row group, every page must lie inside its chunk, and a page's sizes, levels
 * and runs are checked against its bytes before they are used (see ParquetBytes). hyparquet's
 * own page decoder trusts them: a lying run length or value count made it loop for minutes or
 * allocate gigabytes (issue 21), so glue decodes pages itself and uses hyparquet for the footer
 * and snappy only.
 */
export interface FlatColumn {
  name: string;
  type: ParquetType;
  /** FIXED_LEN_BYTE_ARRAY's width; 0 for the other types. */
  typeLength: number;
  /** OPTIONAL: each row has a definition level (0: null, 1: a value). */
  optional: boolean;
}

export interface ChunkPlace {
  file: string;
  /** 0-based row of the row group's first row in the file. */
  firstRow: number;
  /** 1-based row group. */
  group: number;
}

const DATA_PAGE = 0;
const INDEX_PAGE = 1;
const DICTIONARY_PAGE = 2;
const DATA_PAGE_V2 = 3;

const ENCODINGS = ['PLAIN', 'GROUP_VAR_INT', 'PLAIN_DICTIONARY', 'RLE', 'BIT_PACKED', 'DELTA_BINARY_PACKED', 'DELTA_LENGTH_BYTE_ARRAY', 'DELTA_BYTE_ARRAY', 'RLE_DICTIONARY', 'BYTE_STREAM_SPLIT'] as const;
type Encoding = (typeof ENCODINGS)[number];
const VALUE_ENCODINGS: readonly Encoding[] = ['PLAIN', 'PLAIN_DICTIONARY', 'RLE_DICTIONARY', 'RLE', 'DELTA_BINARY_PACKED', 'DELTA_LENGTH_BYTE_ARRAY', 'DELTA_BYTE_ARRAY', 'BYTE_STREAM_SPLIT'];

/** Snappy's densest element is a 3-byte copy of 64 bytes: no snappy data expands more than 64/3 times. */
const SNAPPY_EXPANSION = 64 / 3;

/** The `rows` values of a column chunk, null where a row has none. */
export function readColumnChunk(chunk: Uint8Array, column: FlatColumn, codec: CompressionCodec, rows: number, place: ChunkPlace): unknown[] {
  const values = new Array<unknown>(rows);
  let dictionary: unknown[] | null = null;
  let row = 0;
  let offset = 0;
  for (let page = 1; row < rows; page++) {
    const r = new ParquetBytes(chunk.subarray(offset), { file: place.file, line: place.firstRow + row + 1 }, `column ${shown(column.name)} (row group ${place.group}, page ${page})`);
    if (r.left === 0) r.fail(`expected ${rows - row} more values (the row group has ${rows} rows); found the end of the column chunk`);
    const header = readThriftStruct(r);
    const type = countIn(r, header.get(1), 'a page type (0 to 3)', 0, 3);
    const stored = countIn(r, header.get(3), 'a stored page size', 0, r.left);
    const size = countIn(r, header.get(2), 'an uncompressed page size', 0, 2 ** 31 - 1);
    const body = r.take(stored, 'a page');
    offset += r.pos;
    if (type === DICTIONARY_PAGE) {
      if (dictionary !== null || row > 0) r.fail('expected one dictionary page, before the data pages; found another');
      const h = struct(r, header, 7, 'a dictionary page header');
      encodingIn(r, h.get(2), ['PLAIN', 'PLAIN_DICTIONARY'], 'dictionary');
      const data = decompress(r, body, size, codec);
      const most = Math.floor(data.length / plainWidth(column.type, column.typeLength));
      const count = countIn(r, h.get(1), `a dictionary size (at most the ${most} values its ${data.length} bytes hold)`, 0, most);
      dictionary = asText(column, readPlain(r.over(data), column.type, count, column.typeLength));
    } else if (type === DATA_PAGE) {
      const h = struct(r, header, 5, 'a data page header');
      const count = countIn(r, h.get(1), `a value count (at most the ${rows - row} rows left in the row group)`, 0, rows - row);
      const encoding = encodingIn(r, h.get(2), VALUE_ENCODINGS, 'value');
      const data = r.over(decompress(r, body, size, codec));
      let levels: Uint32Array | null = null;
      if (column.optional) {
        encodingIn(r, h.get(3), ['RLE'], 'definition level');
        levels = readHybrid(data.sub(data.u32('the length of the definition levels'), 'definition levels'), 1, count, 'definition levels');
      }
      fill(values, row, levels, asText(column, readValues(data.rest(), encoding, column, present(levels, count), dictionary)));
      row += count;
    } else if (type === DATA_PAGE_V2) {
      const h = struct(r, header, 8, 'a data page v2 header');
      const count = countIn(r, h.get(1), `a value count (at most the ${rows - row} rows left in the row group)`, 0, rows - row);
      const nulls = countIn(r, h.get(2), `a null count (at most the page's ${count} values)`, 0, count);
      countIn(r, h.get(3), `a row count equal to the value count ${count} (a flat column)`, count, count);
      const encoding = encodingIn(r, h.get(4), VALUE_ENCODINGS, 'value');
      const levelBytes = countIn(r, h.get(5), `a definition levels length (at most the page's ${stored} bytes)`, 0, stored);
      countIn(r, h.get(6), 'a repetition levels length of 0 (a flat column)', 0, 0);
      const page = r.over(body);
      const levelData = page.sub(levelBytes, 'definition levels');
      const levels = column.optional ? readHybrid(levelData, 1, count, 'definition levels') : null;
      const given = present(levels, count);
      if (given !== count - nulls) r.fail(`expected ${count - nulls} values (${count} less ${nulls} nulls, as the header says); the definition levels give ${given}`);
      const compressed = h.get(7) !== false;
      const rest = page.rest().bytes;
      const data = compressed ? decompress(r, rest, size - levelBytes, codec) : rest;
      fill(values, row, levels, asText(column, readValues(r.over(data), encoding, column, count - nulls, dictionary)));
      row += count;
    } else if (type !== INDEX_PAGE) {
      r.fail(`expected a data, dictionary or index page; found page type ${type}`);
    }
  }
  return values;
}

/** A text value that is not UTF-8: the row holding it is malformed (and may be skipped). */
export const INVALID_TEXT: unique symbol = Symbol('invalid UTF-8');

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * BYTE_ARRAY values as text, decoded once per value read — a dictionary's once per entry, so rows
 * that repeat one long text share one string rather than each holding a copy.
 */
function asText(column: FlatColumn, values: unknown[]): unknown[] {
  if (column.type !== 'BYTE_ARRAY') return values;
  let last: unknown = null;
  let text: unknown = null;
  return values.map((v) => {
    if (!(v instanceof Uint8Array)) return v;
    if (v !== last) {
      last = v;
      try {
        text = utf8.decode(v);
      } catch {
        text = INVALID_TEXT;
      }
    }
    return text;
  });
}

function struct(r: ParquetBytes, header: ThriftStruct, field: number, what: string): ThriftStruct {
  const value = header.get(field);
  if (!(value instanceof Map)) r.fail(`expected ${what}; found none`);
  return value;
}

function encodingIn(r: ParquetBytes, value: unknown, allowed: readonly Encoding[], what: string): Encoding {
  const name = typeof value === 'number' ? ENCODINGS[value] : undefined;
  if (name === undefined || !allowed.includes(name)) r.fail(`expected a ${what} encoding ${allowed.join(', ')}; found ${name ?? shown(value)}`);
  return name;
}

function present(levels: Uint32Array | null, count: number): number {
  if (levels === null) return count;
  let n = 0;
  for (const level of levels) n += level;
  return n;
}

/** Puts a page's values in place: in order, a null where the level says the row has none. */
function fill(values: unknown[], row: number, levels: Uint32Array | null, found: unknown[]): void {
  if (levels === null) {
    for (let i = 0; i < found.length; i++) values[row + i] = found[i];
    return;
  }
  for (let i = 0, k = 0; i < levels.length; i++) values[row + i] = levels[i] ? found[k++] : null;
}

function decompress(r: ParquetBytes, bytes: Uint8Array, size: number, codec: CompressionCodec): Uint8Array {
  if (codec === 'UNCOMPRESSED') {
    if (size !== bytes.length) r.fail(`expected an uncompressed size equal to the ${bytes.length} bytes stored (the page is not compressed); found ${size}`);
    return bytes;
  }
  // SNAPPY: the footer was checked to name no other codec. Its own length must agree, and be one
  // snappy can reach, before the output is allocated.
  const length = r.over(bytes).varint('the length of snappy data');
  if (length !== size) r.fail(`expected snappy data of ${size} bytes (the page header's size); found ${length}`);
  if (size > SNAPPY_EXPANSION * bytes.length) r.fail(`expected at most ${Math.floor(SNAPPY_EXPANSION * bytes.length)} bytes (the most ${bytes.length} bytes of snappy data expand to); found ${size}`);
  const out = new Uint8Array(size);
  try {
    snappyUncompress(bytes, out);
  } catch (cause) {
    r.fail(`expected valid snappy data; ${(cause as Error).message}`);
  }
  return out;
}

function readValues(r: ParquetBytes, encoding: Encoding, column: FlatColumn, count: number, dictionary: unknown[] | null): unknown[] {
  const { type, typeLength } = column;
  const only = (types: readonly ParquetType[]): void => {
    if (!types.includes(type)) r.fail(`expected ${encoding} values of type ${types.join(' or ')}; found ${type}`);
  };
  switch (encoding) {
    case 'PLAIN':
      return readPlain(r, type, count, typeLength);
    case 'PLAIN_DICTIONARY':
    case 'RLE_DICTIONARY': {
      if (dictionary === null) r.fail('expected a dictionary page before dictionary-encoded values; found none');
      if (count === 0) return [];
      const width = r.u8('the bit width of the dictionary indices');
      if (width > 32) r.fail(`expected dictionary indices of at most 32 bits; found ${width}`);
      const indices = readHybrid(r, width, count, 'dictionary indices');
      const out = new Array<unknown>(count);
      for (let i = 0; i < count; i++) {
        if (indices[i]! >= dictionary.length) r.fail(`expected dictionary indices below ${dictionary.length} (the dictionary's size); found ${indices[i]}`);
        out[i] = dictionary[indices[i]!];
      }
      return out;
    }
    case 'RLE':
      only(['BOOLEAN']);
      return Array.from(readHybrid(r.sub(r.u32('the length of RLE booleans'), 'RLE booleans'), 1, count, 'booleans'), (b) => b === 1);
    case 'DELTA_BINARY_PACKED':
      only(['INT32', 'INT64']);
      return readDeltaBinary(r, count, 'DELTA_BINARY_PACKED values').map((v) => (type === 'INT32' ? Number(BigInt.asIntN(32, v)) : v));
    case 'DELTA_LENGTH_BYTE_ARRAY':
      only(['BYTE_ARRAY']);
      return readDeltaLengthByteArray(r, count);
    case 'DELTA_BYTE_ARRAY':
      only(['BYTE_ARRAY', 'FIXED_LEN_BYTE_ARRAY']);
      return readDeltaByteArray(r, count);
    default:
      return readByteStreamSplit(r, type, count, typeLength);
  }
}
