import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DTypeError, FormatError, ArgumentError, ShapeError } from '../src/errors.js';
import {
  decodeTensorData,
  parseSafetensorsHeader,
  readSafetensors,
  writeSafetensors,
  MAX_HEADER_LENGTH,
  type SafetensorsDType,
  type SafetensorsWriteEntry,
  type WritableDType,
} from '../src/io/index.js';
import { fixtureBytes, fixtureJson, firstMismatch, toNumber, type JsonNumber } from './fixtures/safetensors/expected.js';

interface ExpectedTensor {
  dtype: SafetensorsDType;
  shape: number[];
  data_offsets?: [number, number];
  values: JsonNumber[];
}

/** A file from a header object and a data section, as a liar would write it. */
function handMade(header: unknown, data: Uint8Array = new Uint8Array(0), headerText?: string): Uint8Array {
  const json = new TextEncoder().encode(headerText ?? JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

function formatErrorOf(fn: () => unknown): FormatError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(FormatError);
    return err as FormatError;
  }
  throw new Error('expected a FormatError, nothing was thrown');
}

describe('reading the golden fixtures (written by scripts/make-safetensors-fixtures.py)', () => {
  const expected = fixtureJson<{ metadata: Record<string, string>; tensors: Record<string, ExpectedTensor> }>('dtypes.json');
  const bytes = fixtureBytes('dtypes.safetensors');

  it('parses header, metadata and offsets', () => {
    const header = parseSafetensorsHeader(bytes, { source: 'dtypes.safetensors' });
    expect({ ...header.metadata }).toEqual(expected.metadata);
    expect(header.headerLength % 8).toBe(0);
    expect(header.dataOffset).toBe(8 + header.headerLength);
    expect(new Set(header.entries.keys())).toEqual(new Set(Object.keys(expected.tensors)));
    for (const [name, e] of Object.entries(expected.tensors)) {
      const entry = header.entries.get(name)!;
      expect(entry.dtype, name).toBe(e.dtype);
      expect(entry.shape, name).toEqual(e.shape);
      expect(entry.byteOffset - header.dataOffset, name).toBe(e.data_offsets![0]);
      expect(entry.byteLength, name).toBe(e.data_offsets![1] - e.data_offsets![0]);
    }
    // Map order is file order.
    const begins = [...header.entries.values()].map((e) => e.byteOffset);
    expect(begins).toEqual([...begins].sort((a, b) => a - b));
  });

  it('decodes every dtype exactly (F16/BF16 subnormals, infinities and NaN included)', () => {
    const tensors = readSafetensors(bytes);
    const hostType: Record<string, string> = {
      F32: 'Float32Array', F16: 'Float32Array', BF16: 'Float32Array', F64: 'Float64Array',
      I64: 'Int32Array', I32: 'Int32Array', I8: 'Int32Array', U8: 'Int32Array', BOOL: 'Int32Array',
    };
    for (const [name, e] of Object.entries(expected.tensors)) {
      const t = tensors.get(name)!;
      expect(t.dtype, name).toBe(e.dtype);
      expect(t.shape, name).toEqual(e.shape);
      expect(t.data.constructor.name, name).toBe(hostType[e.dtype]);
      expect(firstMismatch(t.data, e.values.map(toNumber)), name).toBeUndefined();
    }
  });

  it('reads a valid file whose header is unordered and unpadded (unaligned tensors)', () => {
    const want = fixtureJson<Record<string, ExpectedTensor>>('unordered.json');
    const bytes = fixtureBytes('unordered.safetensors');
    const header = parseSafetensorsHeader(bytes);
    expect(header.headerLength % 8).not.toBe(0);
    expect([...header.entries.keys()]).toEqual(['first', 'second', 'third']);
    expect(header.entries.get('second')!.byteOffset % 4).not.toBe(0);
    const tensors = readSafetensors(bytes);
    for (const [name, e] of Object.entries(want)) {
      expect(firstMismatch(tensors.get(name)!.data, e.values.map(toNumber)), name).toBeUndefined();
    }
  });
});

describe('decodeTensorData', () => {
  function canonicalSha256(values: Float32Array): { sha256: string; nans: number } {
    const bits = new Uint32Array(values.length);
    const view = new Uint32Array(values.buffer, values.byteOffset, values.length);
    let nans = 0;
    for (let i = 0; i < values.length; i++) {
      if (Number.isNaN(values[i])) {
        bits[i] = 0x7fc00000;
        nans++;
      } else bits[i] = view[i]!;
    }
    const bytes = new Uint8Array(bits.buffer);
    return { sha256: createHash('sha256').update(bytes).digest('hex'), nans };
  }

  it('widens all 65536 F16 and BF16 bit patterns exactly as torch does', () => {
    const want = fixtureJson<Record<'F16' | 'BF16', { sha256: string; nans: number }>>('half-exhaustive.json');
    const patterns = new Uint8Array(65536 * 2);
    const dv = new DataView(patterns.buffer);
    for (let i = 0; i < 65536; i++) dv.setUint16(2 * i, i, true);
    for (const dtype of ['F16', 'BF16'] as const) {
      const out = decodeTensorData(dtype, [65536], patterns);
      expect(out).toBeInstanceOf(Float32Array);
      expect(canonicalSha256(out as Float32Array), dtype).toEqual(want[dtype]);
    }
  });

  it('F16 closed forms: smallest subnormal 2^-24, largest subnormal 1023·2^-24, max 65504', () => {
    const bytes = new Uint8Array(new Uint16Array([0x0001, 0x03ff, 0x7bff, 0xfbff]).buffer);
    expect(Array.from(decodeTensorData('F16', [4], bytes))).toEqual([2 ** -24, 1023 * 2 ** -24, 65504, -65504]);
  });

  it('works on unaligned input and never aliases it', () => {
    const raw = new Uint8Array(1 + 8);
    new DataView(raw.buffer).setFloat32(1, 1.5, true);
    new DataView(raw.buffer).setFloat32(5, -3, true);
    const out = decodeTensorData('F32', [2], raw.subarray(1));
    expect(Array.from(out)).toEqual([1.5, -3]);
    raw.fill(0);
    expect(Array.from(out)).toEqual([1.5, -3]);
  });

  it('rejects I64/U64/U32 values outside int32 with a DTypeError naming the tensor and index', () => {
    const bytes = new Uint8Array(new BigInt64Array([5n, 2n ** 31n]).buffer);
    expect(() => decodeTensorData('I64', [2], bytes, { name: 'ids', source: 'x.safetensors' })).toThrow(
      /x\.safetensors: tensor "ids" \(I64\) holds 2147483648 at flat index 1, which does not fit int32/,
    );
    const negative = new Uint8Array(new BigInt64Array([-(2n ** 31n) - 1n]).buffer);
    expect(() => decodeTensorData('I64', [1], negative)).toThrow(DTypeError);
    expect(() => decodeTensorData('I64', [1], negative)).toThrow(/-2147483649/);
    const u64 = new Uint8Array(new BigUint64Array([2n ** 63n]).buffer);
    expect(() => decodeTensorData('U64', [1], u64)).toThrow(/9223372036854775808/);
    const u32 = new Uint8Array(new Uint32Array([2 ** 31]).buffer);
    expect(() => decodeTensorData('U32', [1], u32)).toThrow(DTypeError);
    const fits = new Uint8Array(new BigInt64Array([-(2n ** 31n), 2n ** 31n - 1n, -1n]).buffer);
    expect(Array.from(decodeTensorData('I64', [3], fits))).toEqual([-(2 ** 31), 2 ** 31 - 1, -1]);
  });

  it('decodes I16, U16 and U32 within range', () => {
    const i16 = new Uint8Array(new Int16Array([-32768, 32767, -1]).buffer);
    expect(Array.from(decodeTensorData('I16', [3], i16))).toEqual([-32768, 32767, -1]);
    const u16 = new Uint8Array(new Uint16Array([65535, 0]).buffer);
    expect(Array.from(decodeTensorData('U16', [2], u16))).toEqual([65535, 0]);
    const u32 = new Uint8Array(new Uint32Array([2 ** 31 - 1]).buffer);
    expect(Array.from(decodeTensorData('U32', [1], u32))).toEqual([2 ** 31 - 1]);
  });

  it('rejects BOOL bytes other than 0 and 1, wrong byte counts, and undecodable dtypes', () => {
    expect(() => decodeTensorData('BOOL', [2], new Uint8Array([1, 2]), { name: 'mask' })).toThrow(
      /tensor "mask": BOOL byte at flat index 1 is 2, expected 0 or 1/,
    );
    expect(() => decodeTensorData('F32', [2, 3], new Uint8Array(20))).toThrow(/shape \[2, 3\] needs 24 bytes, found 20/);
    expect(() => decodeTensorData('F8_E4M3', [1], new Uint8Array(1), { name: 'q' })).toThrow(DTypeError);
    expect(() => decodeTensorData('F8_E4M3', [1], new Uint8Array(1), { name: 'q' })).toThrow(/supported: F32, F16/);
  });
});

describe('writeSafetensors', () => {
  const golden = fixtureJson<{ metadata: Record<string, string>; tensors: Record<string, ExpectedTensor> }>('writer-golden.json');

  function entriesFromGolden(): Record<string, SafetensorsWriteEntry> {
    const entries: Record<string, SafetensorsWriteEntry> = {};
    for (const [name, t] of Object.entries(golden.tensors)) {
      entries[name] = { dtype: t.dtype as WritableDType, shape: t.shape, data: t.values.map(toNumber) };
    }
    return entries;
  }

  it('writes byte-for-byte the file the reference layout gives (header, padding, order, data)', () => {
    const ours = writeSafetensors(entriesFromGolden(), golden.metadata);
    const theirs = fixtureBytes('writer-golden.safetensors');
    const headerEnd = 8 + Number(new DataView(theirs.buffer, theirs.byteOffset).getBigUint64(0, true));
    const text = (b: Uint8Array) => new TextDecoder().decode(b.subarray(8, headerEnd));
    expect(text(ours)).toBe(text(theirs));
    expect(Buffer.from(ours).equals(Buffer.from(theirs))).toBe(true);
  });

  it('matches the reference implementation’s own serialization test vectors', () => {
    // From huggingface/safetensors' tests: an F32 [1,2,3] tensor 0..5 named "attn.0" gives a
    // 64-byte header with no padding needed; named "attn0" with shape [1,1,2,3], 7 spaces.
    const data = Float32Array.from([0, 1, 2, 3, 4, 5]);
    const a = writeSafetensors({ 'attn.0': { dtype: 'F32', shape: [1, 2, 3], data } });
    expect(Array.from(a.subarray(0, 8))).toEqual([64, 0, 0, 0, 0, 0, 0, 0]);
    expect(new TextDecoder().decode(a.subarray(8, 72))).toBe('{"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}}');
    expect(Array.from(a.subarray(72))).toEqual([0, 0, 0, 0, 0, 0, 128, 63, 0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160, 64]);
    const b = writeSafetensors({ attn0: { dtype: 'F32', shape: [1, 1, 2, 3], data } });
    expect(Array.from(b.subarray(0, 8))).toEqual([72, 0, 0, 0, 0, 0, 0, 0]);
    expect(new TextDecoder().decode(b.subarray(8, 80))).toBe('{"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}}       ');
    expect(Array.from(writeSafetensors({}))).toEqual([8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32]);
    expect(new TextDecoder().decode(writeSafetensors({}, { framework: 'pt' }))).toBe(
      '\x28\0\0\0\0\0\0\0{"__metadata__":{"framework":"pt"}}     ',
    );
  });

  it('round-trips through the reader, metadata included', () => {
    const entries = entriesFromGolden();
    const bytes = writeSafetensors(entries, golden.metadata);
    expect({ ...parseSafetensorsHeader(bytes).metadata }).toEqual(golden.metadata);
    // "café" holds I64 values beyond int32, which our reader refuses (see decodeTensorData).
    expect(() => readSafetensors(bytes)).toThrow(/tensor "café" \(I64\) holds -9007199254740991 at flat index 0/);
    const header = parseSafetensorsHeader(bytes);
    expect(new Set(header.entries.keys())).toEqual(new Set(Object.keys(entries)));
    for (const [name, e] of Object.entries(entries)) {
      if (name === 'café') continue;
      const entry = header.entries.get(name)!;
      expect(entry.dtype).toBe(e.dtype);
      expect(entry.shape).toEqual(e.shape);
      const t = { data: decodeTensorData(entry.dtype, entry.shape, bytes.subarray(entry.byteOffset, entry.byteOffset + entry.byteLength)) };
      const want = e.dtype === 'F32' ? Array.from(Float32Array.from(e.data as number[])) : Array.from(e.data as number[]);
      expect(firstMismatch(t.data, want), name).toBeUndefined();
    }
  });

  it('accepts typed arrays, including BigInt64Array for I64, and writes them without change', () => {
    const bytes = writeSafetensors({
      f: { dtype: 'F32', shape: [2], data: new Float32Array([1.25, NaN]) },
      d: { dtype: 'F64', shape: [1], data: new Float64Array([Math.PI]) },
      i: { dtype: 'I32', shape: [1], data: new Int32Array([-7]) },
      l: { dtype: 'I64', shape: [2], data: new BigInt64Array([-5n, 2n ** 31n - 1n]) },
      k: { dtype: 'I64', shape: [1], data: new Int32Array([-2]) },
    });
    const back = readSafetensors(bytes);
    expect(Array.from(back.get('f')!.data)).toEqual([1.25, NaN]);
    expect(Array.from(back.get('d')!.data)).toEqual([Math.PI]);
    expect(Array.from(back.get('i')!.data)).toEqual([-7]);
    expect(Array.from(back.get('l')!.data)).toEqual([-5, 2 ** 31 - 1]);
    expect(Array.from(back.get('k')!.data)).toEqual([-2]);
  });

  it('rejects bad input with typed errors that say what was expected', () => {
    const f32 = (shape: number[], data: number[]): SafetensorsWriteEntry => ({ dtype: 'F32', shape, data });
    expect(() => writeSafetensors({ x: f32([2, 2], [1, 2, 3]) })).toThrow(ShapeError);
    expect(() => writeSafetensors({ x: f32([2, 2], [1, 2, 3]) })).toThrow(/shape \[2, 2\] holds 4 elements, but data has 3/);
    expect(() => writeSafetensors({ x: f32([-1], []) })).toThrow(ArgumentError);
    expect(() => writeSafetensors({ __metadata__: f32([1], [1]) })).toThrow(/reserved/);
    expect(() => writeSafetensors({ x: { dtype: 'F16' as WritableDType, shape: [1], data: [1] } })).toThrow(
      /cannot write dtype F16; expected one of F32, F64, I32, I64/,
    );
    expect(() => writeSafetensors({ x: { dtype: 'I32', shape: [1], data: [2 ** 31] } })).toThrow(/2147483648 at flat index 0/);
    expect(() => writeSafetensors({ x: { dtype: 'I32', shape: [1], data: [0.5] } })).toThrow(ArgumentError);
    expect(() => writeSafetensors({ x: { dtype: 'I64', shape: [1], data: [2 ** 53] } })).toThrow(ArgumentError);
    expect(() => writeSafetensors({ x: { dtype: 'F32', shape: [1], data: new BigInt64Array(1) } })).toThrow(/only be written as I64/);
    expect(() => writeSafetensors({}, { k: 3 as unknown as string })).toThrow(/metadata\["k"\] must be a string/);
  });
});

describe('header validation', () => {
  const f32 = (begin: number, end: number, shape = [(end - begin) / 4]) => ({ dtype: 'F32', shape, data_offsets: [begin, end] });

  it('accepts an empty file body and `"__metadata__": null`', () => {
    expect(parseSafetensorsHeader(handMade({})).entries.size).toBe(0);
    expect({ ...parseSafetensorsHeader(handMade({ __metadata__: null })).metadata }).toEqual({});
  });

  it('allows the same key in different objects, and key-like strings in values', () => {
    const text = '{"__metadata__":{"dtype":"x","a":"a"},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"note":{"a":"dtype"}}}';
    expect(parseSafetensorsHeader(handMade(undefined, new Uint8Array(4), text)).entries.get('a')!.byteLength).toBe(4);
  });

  it('treats "__proto__" as an ordinary key', () => {
    const header = parseSafetensorsHeader(
      handMade(undefined, new Uint8Array(4), '{"__metadata__":{"__proto__":"x"},"__proto__":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}'),
    );
    expect(header.metadata['__proto__']).toBe('x');
    expect(header.entries.get('__proto__')!.byteLength).toBe(4);
  });

  const cases: [string, Uint8Array, RegExp][] = [
    ['fewer than 8 bytes', new Uint8Array(5), /expected at least 8 bytes \(the header length\), found 5/],
    ['an absurd header length', (() => {
      const b = handMade({});
      new DataView(b.buffer).setBigUint64(0, 2n ** 62n, true);
      return b;
    })(), /header length 4611686018427387904 exceeds the limit of 100000000 bytes/],
    ['a header length over the limit', (() => {
      const b = handMade({});
      new DataView(b.buffer).setBigUint64(0, BigInt(MAX_HEADER_LENGTH + 1), true);
      return b;
    })(), /exceeds the limit/],
    ['a header length past the end', (() => {
      const b = handMade({});
      new DataView(b.buffer).setBigUint64(0, 100n, true);
      return b;
    })(), /header length 100 runs past the end of the file/],
    ['invalid UTF-8', handMade(undefined, undefined, '{"ab":1}').map((x, i) => (i === 10 ? 0xff : x)), /not valid UTF-8/],
    ['invalid JSON', handMade(undefined, undefined, '{"a":'), /not valid JSON/],
    ['a header not starting with "{"', handMade(undefined, undefined, ' {}'), /header must start with "\{", found " \{\}"/],
    ['a repeated tensor name', handMade(undefined, new Uint8Array(4), '{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}'), /repeats the key "a"; keys must be unique/],
    ['a repeated name spelled with an escape', handMade(undefined, new Uint8Array(8), '{"ab":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"\\u0061b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}'), /repeats the key "ab"/],
    ['a repeated metadata key', handMade(undefined, undefined, '{"__metadata__":{"k":"1","x":["k"],"k":"2"}}'), /repeats the key "k"/],
    ['a JSON array', handMade([1, 2]), /header must start with "\{", found "\[1,2\]"/],
    ['non-string metadata', handMade({ __metadata__: { a: 1 } }), /__metadata__\["a"\] must be a string, found 1/],
    ['an unknown dtype', handMade({ x: { dtype: 'F128', shape: [], data_offsets: [0, 0] } }), /unknown dtype "F128"; expected one of BOOL/],
    ['a negative dimension', handMade({ x: { dtype: 'F32', shape: [-1], data_offsets: [0, 0] } }), /shape must be an array of non-negative integers/],
    ['a fractional offset', handMade({ x: { dtype: 'F32', shape: [1], data_offsets: [0, 4.5] } }), /data_offsets must be \[begin, end\]/],
    ['three offsets', handMade({ x: { dtype: 'F32', shape: [1], data_offsets: [0, 4, 8] } }, new Uint8Array(4)), /data_offsets must be/],
    ['reversed offsets', handMade({ x: { dtype: 'U8', shape: [0], data_offsets: [4, 0] } }, new Uint8Array(4)), /end before they begin/],
    ['a size that disagrees with the shape', handMade({ x: f32(0, 8, [3]) }, new Uint8Array(8)), /dtype F32 with shape \[3\] needs 12 bytes, but data_offsets \[0, 8\] declare 8/],
    ['a shape too large to count', handMade({ x: f32(0, 4, [2 ** 40, 2 ** 40]) }, new Uint8Array(4)), /more elements than a file can hold/],
    ['sub-byte elements that do not fill a byte', handMade({ x: { dtype: 'F4', shape: [3], data_offsets: [0, 1] } }, new Uint8Array(1)), /3 elements of F4 do not fill whole bytes/],
    ['out-of-range offsets', handMade({ x: f32(0, 8) }, new Uint8Array(4)), /tensor "x": data_offsets \[0, 8\] run past the data section, which holds 4 bytes/],
    ['overlapping tensors', handMade({ a: f32(0, 8), b: f32(4, 12) }, new Uint8Array(12)), /tensor "b": data_offsets \[4, 12\] overlap tensor "a" \[0, 8\]/],
    ['a gap', handMade({ a: f32(0, 4), b: f32(8, 12) }, new Uint8Array(12)), /tensor "b": data_offsets begin at 8, expected 4/],
    ['data not starting at 0', handMade({ a: f32(4, 8) }, new Uint8Array(8)), /begin at 4, expected 0/],
    ['trailing bytes', handMade({ a: f32(0, 4) }, new Uint8Array(8)), /cover 4 bytes of the data section but it holds 8/],
  ];
  for (const [what, bytes, message] of cases) {
    it(`rejects ${what}`, () => {
      const err = formatErrorOf(() => parseSafetensorsHeader(bytes, { source: 'bad.safetensors' }));
      expect(err.code).toBe('E_FORMAT');
      expect(err.message.startsWith('bad.safetensors: ')).toBe(true);
      expect(err.message).toMatch(message);
    });
  }

  it('reads a header from a prefix when told the file length, and checks it against that length', () => {
    const whole = writeSafetensors({ w: { dtype: 'F32', shape: [4], data: [1, 2, 3, 4] } });
    const header = parseSafetensorsHeader(whole, {});
    const prefix = whole.subarray(0, header.dataOffset);
    expect(parseSafetensorsHeader(prefix, { fileLength: whole.length }).entries).toEqual(header.entries);
    expect(() => parseSafetensorsHeader(prefix, { fileLength: whole.length + 4 })).toThrow(/trailing bytes/);
    expect(() => parseSafetensorsHeader(prefix.subarray(0, 20), { fileLength: whole.length })).toThrow(ArgumentError);
  });
});
