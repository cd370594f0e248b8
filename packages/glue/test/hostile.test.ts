import { describe, expect, it } from 'vitest';
import { GlueFormatError, collect, parseDataFile, readLines } from '../src/index.js';

// Hostile data files (issue 21): values nested thousands deep or whose toString is not a function
// must give a GlueFormatError with a short message; line splitting is linear in the line length.

const DEEP = 50_000;
const deep = `${'['.repeat(DEEP)}1${']'.repeat(DEEP)}`;

async function errorOf(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}

describe('hostile JSONL values in error messages', () => {
  const cases: [string, string, RegExp][] = [
    ['a text field nested 50,000 deep', `{"sentence": ${deep}, "label": 0}\n`, /expected text in column "sentence"; found \[\[\[\[…\]\]\]\]/],
    ['a text field whose toString is not a function', '{"sentence": {"toString": 1}, "label": 0}\n', /found \{"toString": 1\}/],
    ['a label whose toString is not a function', '{"sentence": "a", "label": {"toString": 1}}\n', /in column "label"; found \{"toString": 1\}/],
    ['a label nested 50,000 deep', `{"sentence": "a", "label": ${deep}}\n`, /in column "label"; found \[\[\[\[…\]\]\]\]/],
    ['a line that is an array nested 50,000 deep', `${deep}\n`, /expected a JSON object; found \[\[\[\[…\]\]\]\]/],
  ];
  for (const [what, text, message] of cases) {
    it(`${what}: a GlueFormatError with a bounded message`, async () => {
      const err = await errorOf(() => collect(parseDataFile(text, { format: 'jsonl', file: 'h.jsonl' })));
      expect(err).toBeInstanceOf(GlueFormatError);
      expect((err as Error).message).toMatch(/^h\.jsonl:1: /);
      expect((err as Error).message).toMatch(message);
      expect((err as Error).message.length).toBeLessThan(300);
    });
  }

  it('a JSON document whose record is nested 50,000 deep', async () => {
    const err = await errorOf(() => collect(parseDataFile(`[${deep}]`, { format: 'json', file: 'h.json' })));
    expect(err).toBeInstanceOf(GlueFormatError);
    expect((err as Error).message).toMatch(/expected record 1 to be an object; found \[\[\[\[…\]\]\]\]/);
  });
});

describe('readLines on a long line in small chunks', () => {
  /** Chunks of `size` bytes of `bytes`. */
  function* chunks(bytes: Uint8Array, size: number): Generator<Uint8Array> {
    for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
  }

  it('work is linear: a 1 MiB CR-only file in 256-byte chunks looks at each character a bounded number of times', async () => {
    // A CR-only file is one long line to an LF splitter. Count the characters searched for '\n':
    // the old splitter rescanned the whole pending line on every chunk (4,096 chunks → ~2^31
    // characters), a linear one looks at each character a bounded number of times.
    const line = `${'a\r'.repeat(2 ** 19)}a`;
    const bytes = new TextEncoder().encode(`${line}\nnext\n`);
    const original = String.prototype.indexOf;
    let scanned = 0;
    String.prototype.indexOf = function (this: string, search: string, from?: number): number {
      if (search === '\n') scanned += this.length - (from ?? 0);
      return original.call(this, search, from);
    } as typeof String.prototype.indexOf;
    let lines: { text: string; line: number }[];
    try {
      lines = [];
      for await (const l of readLines(chunks(bytes, 256), 'cr.tsv')) lines.push({ text: l.text, line: l.line });
    } finally {
      String.prototype.indexOf = original;
    }
    expect(lines.map((l) => l.line)).toEqual([1, 2]);
    expect(lines[0]!.text).toBe(line);
    expect(lines[1]!.text).toBe('next');
    // every character is searched for '\n' a bounded number of times
    expect(scanned).toBeLessThan(4 * bytes.length);
  });

  it('results do not depend on chunking', async () => {
    const text = 'x\ty\r\n\nz' + 'é'.repeat(1000) + '\na\r\rb\n\nlast';
    const bytes = new TextEncoder().encode(text);
    const whole = await collect(readLines(bytes, 'f'));
    for (const size of [1, 2, 3, 7, 64, 4096]) expect(await collect(readLines(chunks(bytes, size), 'f'))).toEqual(whole);
  });
});
