import { describe, expect, it } from 'vitest';
import { EdoraError } from '@edora/errors';
import { FuzzRng, fuzz, mutateText, shrink } from '../src/index.js';

class ParseError extends EdoraError {
  constructor(message: string) {
    super('E_TEST_PARSE', message);
  }
}

/** A parser with a planted bug: a ')' anywhere after '(' crashes with a TypeError. */
function buggyParse(text: string): number {
  if (text.includes('!')) throw new ParseError('no bangs');
  const open = text.indexOf('(');
  if (open >= 0 && text.indexOf(')', open) > open) return (undefined as unknown as { x: number }).x;
  return text.length;
}

describe('fuzz-kit', () => {
  it('the same seed gives the same stream', () => {
    const a = new FuzzRng(5);
    const b = new FuzzRng(5);
    expect(Array.from({ length: 5 }, () => a.next())).toEqual(Array.from({ length: 5 }, () => b.next()));
  });

  it('typed errors and results pass; counts by error code', async () => {
    const summary = await fuzz({ name: 'bangs', seed: 1, cases: 200, generate: (r) => mutateText('abc', r, ['!', 'x']), run: (t) => (t.includes('(') ? 0 : buggyParse(t)) });
    expect(summary.accepted + (summary.rejected.E_TEST_PARSE ?? 0)).toBe(summary.cases);
    expect(summary.rejected.E_TEST_PARSE).toBeGreaterThan(10);
  });

  it('an untyped error fails with the seed and the shrunk input', async () => {
    const run = fuzz({ name: 'parens', seed: 100, cases: 500, generate: (r) => mutateText('a (bb) c', r, ['(', ')', 'x', 'long text here']), run: buggyParse });
    await expect(run).rejects.toThrow(/parens: case \d+ \(seed \d+: generate\(new FuzzRng\(\d+\)\)\) threw TypeError/);
    await expect(run).rejects.toThrow(/shortest input that fails the same way \(2 of \d+ after \d+ shrink tries\):\n"\(\)"/);
  });

  it('a slow case fails as slow', async () => {
    const slow = fuzz({ name: 'slow', seed: 1, cases: 1, timeLimitMs: 5, generate: () => 'x', run: () => { const end = performance.now() + 50; while (performance.now() < end); } });
    await expect(slow).rejects.toThrow(/slow: case 0 .* slow:\ntook \d+ ms, over the 5 ms bound/);
  });

  it('shrinks byte arrays and folders of files', async () => {
    const bytes = Uint8Array.from([1, 2, 3, 0xff, 4, 5, 0xff, 6]);
    expect((await shrink(bytes, async (b) => b.includes(0xff))).input).toEqual(Uint8Array.from([0xff]));
    const folder = { 'a.json': '{"x": 1, "bad": true}', 'b.bin': Uint8Array.from([9, 9, 7]) };
    const small = await shrink(folder, async (f) => (f['a.json'] as string).includes('bad') && (f['b.bin'] as Uint8Array).includes(7));
    expect(small.input).toEqual({ 'a.json': 'bad', 'b.bin': Uint8Array.from([7]) });
  });
});
