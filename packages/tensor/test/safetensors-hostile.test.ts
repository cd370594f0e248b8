import { describe, expect, it } from 'vitest';
import { readSafetensors } from '../src/io/index.js';
import { FormatError } from '../src/errors.js';

function withHeader(json: string): Uint8Array {
  const text = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + text.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(text.length), true);
  out.set(text, 8);
  return out;
}

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
