import type { ParquetBytes } from './parquet-bytes.js';

/**
 * Thrift's compact protocol, which parquet's page headers are written in: a struct is a list of
 * (field id, type, value) ending in a stop byte. Every length is checked against the bytes left
 * (each element of a list takes at least one byte, so a list cannot claim more elements than
 * there are bytes) and nesting is bounded, so a hostile header costs at most its own bytes.
 */
export type ThriftValue = boolean | number | Uint8Array | ThriftValue[] | ThriftStruct;
export type ThriftStruct = Map<number, ThriftValue>;

/** Page headers nest three deep (header → data page header → statistics); more is a corrupt file. */
const MAX_DEPTH = 8;

const STOP = 0;
const TRUE = 1;
const FALSE = 2;

export function readThriftStruct(r: ParquetBytes, depth = 0): ThriftStruct {
  if (depth > MAX_DEPTH) r.fail(`expected thrift structs nested at most ${MAX_DEPTH} deep; found deeper ones`);
  const out: ThriftStruct = new Map();
  let id = 0;
  for (;;) {
    const byte = r.u8('a thrift field (or the end of a struct)');
    const type = byte & 0x0f;
    if (type === STOP) return out;
    const delta = byte >> 4;
    id = delta ? id + delta : r.zigzag('a thrift field id');
    out.set(id, readValue(r, type, depth));
  }
}

function readValue(r: ParquetBytes, type: number, depth: number): ThriftValue {
  switch (type) {
    case TRUE:
      return true;
    case FALSE:
      return false;
    case 3: // byte
      return r.u8('a thrift byte');
    case 4: // i16
    case 5: // i32
    case 6: // i64
      return r.zigzag('a thrift integer');
    case 7: {
      const b = r.take(8, 'a thrift double');
      return new DataView(b.buffer, b.byteOffset, 8).getFloat64(0, true);
    }
    case 8: // binary
      return r.take(r.varint('a thrift binary length'), 'thrift binary');
    case 9: // list
    case 10: {
      // set
      const head = r.u8('a thrift list header');
      const size = head >> 4 === 15 ? r.varint('a thrift list size') : head >> 4;
      if (size > r.left) r.fail(`expected a thrift list of at most ${r.left} elements (the bytes left); found ${size}`);
      const out: ThriftValue[] = [];
      for (let i = 0; i < size; i++) out.push(readElement(r, head & 0x0f, depth + 1));
      return out;
    }
    case 11: {
      // map: not in parquet's page headers; read past it
      const size = r.varint('a thrift map size');
      if (size === 0) return [];
      if (2 * size > r.left) r.fail(`expected a thrift map of at most ${r.left >> 1} entries (the bytes left); found ${size}`);
      const types = r.u8('thrift map types');
      for (let i = 0; i < size; i++) {
        readElement(r, types >> 4, depth + 1);
        readElement(r, types & 0x0f, depth + 1);
      }
      return [];
    }
    case 12:
      return readThriftStruct(r, depth + 1);
    default:
      return r.fail(`expected a thrift type 1 to 12; found ${type}`);
  }
}

/** An element of a list or map: as a field's value, except that a boolean takes a byte of its own. */
function readElement(r: ParquetBytes, type: number, depth: number): ThriftValue {
  return type === TRUE || type === FALSE ? r.u8('a thrift boolean') === TRUE : readValue(r, type, depth);
}
