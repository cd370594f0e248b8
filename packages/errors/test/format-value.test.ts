import { describe, expect, it } from 'vitest';
import { formatValue } from '@edora/errors';

function nested(depth: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = [v];
  return v;
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
