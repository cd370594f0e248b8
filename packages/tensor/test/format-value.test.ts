import { describe, expect, it } from 'vitest';
import { formatValue } from '../src/format-value.js';
import { readSafetensors } from '../src/io/index.js';
import { FormatError } from '../src/errors.js';

function nested(depth: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}

function withHeader(json: string): Uint8Array {
  const text = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + text.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(text.length), true);
  out.set(text, 8);
  return out;
}

describe('formatValue: any value, bounded', () => {
  it('reads like JSON for JSON values', () => {
    expect(formatValue('a"b')).toBe('"a\\"b"');
    expect(formatValue([1, -0, null, true])).toBe('[1, -0, null, true]');
    expect(formatValue({ a: 1, b: [2] })).toBe('{"a": 1, "b": [2]}');
    expect(formatValue(undefined)).toBe('undefined');
    expect(formatValue(12n)).toBe('12n');
    expect(formatValue(new Map())).toBe('Map');
    expect(formatValue(new Float32Array(3))).toBe('Float32Array(3)');
  });

  it('bounds depth: 100,000 nested arrays format without overflowing the stack', () => {
    const deep = nested(100_000);
    expect(() => JSON.stringify(deep)).toThrow(RangeError);
    expect(formatValue(deep)).toBe('[[[[…]]]]');
    expect(formatValue(deep, { maxDepth: 1 })).toBe('[[…]]');
  });

  it('bounds length: a 10^7-character string and a 10^5-key object give at most maxLength characters', () => {
    const s = formatValue('x'.repeat(10_000_000));
    expect(s.length).toBe(80);
    expect(s.endsWith('…')).toBe(true);
    const wide = Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`k${i}`, i]));
    expect(formatValue(wide, { maxLength: 30 })).toHaveLength(30);
  });

  it('never calls toString/valueOf/toJSON: an object whose toString is not a function formats', () => {
    const hostile = JSON.parse('{"toString": 1, "valueOf": 2, "toJSON": 3}') as object;
    expect(() => String(hostile)).toThrow(TypeError);
    expect(formatValue(hostile)).toBe('{"toString": 1, "valueOf": 2, "toJSON": 3}');
    expect(formatValue(Object.create(null))).toBe('{}');
  });
});

describe('safetensors header errors with hostile values', () => {
  it('a dtype nested 10,000 arrays deep is a FormatError, not a RangeError', () => {
    const header = `{"w":{"dtype":${'['.repeat(10_000)}1${']'.repeat(10_000)},"shape":[1],"data_offsets":[0,4]}}`;
    expect(() => readSafetensors(withHeader(header))).toThrow(FormatError);
    expect(() => readSafetensors(withHeader(header))).toThrow(/unknown dtype \[\[\[\[…\]\]\]\]/);
  });

  it('a shape object whose toString is not a function is a FormatError', () => {
    const header = '{"w":{"dtype":"F32","shape":{"toString":1},"data_offsets":[0,4]}}';
    expect(() => readSafetensors(withHeader(header))).toThrow(FormatError);
  });
});
