import { describe, expect, it } from 'vitest';
import { HOSTILE_JSON_VALUES, fuzz, mutateText } from '@edora/fuzz-kit';
import { GlueFormatError, collect, parseDataFile, parseGlueTsv, type DataFileFormat, type GlueExample } from '../src/index.js';

// Seeded fuzzing of every glue parser (issue 21), on @edora/fuzz-kit: each case must give examples
// or a GlueFormatError whose message starts with file:line, within the kit's time and memory
// bounds, and the text parsers must give the same outcome however the bytes are chunked. CI runs
// the counts below (a few seconds); `pnpm fuzz` runs 50 times as many.

const CHUNKS = [1, 3, 64];
const enc = new TextEncoder();

function* chunked(bytes: Uint8Array, size: number): Generator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

/** Examples, or the GlueFormatError's message; anything else propagates (and fails the case). */
async function outcome(run: () => Promise<GlueExample[]>, file: string): Promise<GlueExample[] | string> {
  try {
    const rows = await run();
    for (const r of rows) {
      expect(typeof r.textA).toBe('string');
      expect(r.label === null || Number.isFinite(r.label)).toBe(true);
    }
    return rows;
  } catch (e) {
    if (!(e instanceof GlueFormatError)) throw e;
    expect(e.message.startsWith(`${file}:`)).toBe(true);
    return e.message;
  }
}

/** The same outcome from the whole text, its bytes, and its bytes in chunks of 1, 3 and 64. */
async function sameEveryWay(parse: (source: string | Uint8Array | Iterable<Uint8Array>) => Promise<GlueExample[]>, text: string, file: string): Promise<void> {
  const whole = await outcome(() => parse(text), file);
  const bytes = enc.encode(text);
  expect(await outcome(() => parse(bytes), file)).toEqual(whole);
  for (const size of CHUNKS) expect(await outcome(() => parse(chunked(bytes, size)), file)).toEqual(whole);
  if (typeof whole === 'string') throw new GlueFormatError({ file, line: 0 }, 'rejected'); // counted as a typed rejection
}

const TSV_SEEDS: [string, string, string][] = [
  ['rte', 'train', 'index\tsentence1\tsentence2\tlabel\n0\tA cat sat.\tA cat exists.\tentailment\n1\tIt rained.\tIt was dry.\tnot_entailment\n'],
  ['cola', 'train', 'gj04\t1\t\tThe sailors rode the breeze.\ngj04\t0\t*\tThe more you eat, the more.\nw_80\t1\t\tJohn talked "to Bill.\n'],
  ['stsb', 'validation', 'index\tgenre\tfilename\tyear\told_index\tsource1\tsource2\tsentence1\tsentence2\tscore\n0\tmain\tMSRvid\t2012\t0\tnone\tnone\tA man.\tA man dances.\t3.800\n'],
  ['mrpc', 'train', '\uFEFFQuality\t#1 ID\t#2 ID\t#1 String\t#2 String\n1\t702876\t702977\tAmrozi "the witness".\tReferring "the witness".\n'],
  ['sst2', 'train', 'sentence\tlabel\nit is good \t1\nbad\t0\n'],
];
const TSV_PIECES = ['\t', '\n', '\r', '\r\n', '"', 'entailment', '1', '-1', '5.5', '1e400', 'NaN', '\uFEFF', '\u0000', 'é', '\t\t', 'x'.repeat(5000)];

describe('glue parsers under seeded fuzzing', () => {
  it('GLUE TSV (all tasks\' layouts): examples or file:line errors, the same for every chunking', { timeout: 600_000 }, async () => {
    const summary = await fuzz({
      name: 'glue-tsv',
      seed: 2100,
      cases: 400,
      generate: (r, c) => `${c % TSV_SEEDS.length}|${mutateText(TSV_SEEDS[c % TSV_SEEDS.length]![2], r, TSV_PIECES, 4)}`,
      run: async (input) => {
        const bar = input.indexOf('|');
        const seed = TSV_SEEDS[Number(input.slice(0, bar))] ?? TSV_SEEDS[0]!;
        await sameEveryWay((s) => collect(parseGlueTsv(s, seed[0], seed[1], { file: 'fuzz.tsv' })), input.slice(bar + 1), 'fuzz.tsv');
      },
    });
    expect(summary.accepted).toBeGreaterThan(20);
    expect(summary.rejected.E_GLUE_FORMAT).toBeGreaterThan(20);
  });

  const USER_SEEDS: [DataFileFormat, string][] = [
    ['csv', 'sentence1,sentence2,label\n"a, ""b""",c,1\nd,"e\nf",0\n'],
    ['tsv', 'sentence\tlabel\n"quoted\ttab"\t1\nplain\t0\n'],
    ['jsonl', '{"sentence":"a","label":1}\n{"sentence":"b \\"q\\"","label":0,"idx":7}\n'],
    ['json', '[{"sentence":"a","label":1},{"sentence":"b","label":0}]'],
  ];
  const USER_PIECES = [',', '"', '""', '\n', '\r\n', '\t', '{', '}', '[', ']', ':', '-1', 'x', ...HOSTILE_JSON_VALUES];

  it('user CSV/TSV/JSONL/JSON files: examples or file:line errors, the same for every chunking', { timeout: 600_000 }, async () => {
    const summary = await fuzz({
      name: 'glue-data-file',
      seed: 2200,
      cases: 400,
      generate: (r, c) => `${c % USER_SEEDS.length}|${mutateText(USER_SEEDS[c % USER_SEEDS.length]![1], r, USER_PIECES, 3)}`,
      run: async (input) => {
        const bar = input.indexOf('|');
        const format = (USER_SEEDS[Number(input.slice(0, bar))] ?? USER_SEEDS[0]!)[0];
        await sameEveryWay((s) => collect(parseDataFile(s, { format, file: 'fuzz' })), input.slice(bar + 1), 'fuzz');
      },
    });
    expect(summary.accepted).toBeGreaterThan(20);
    expect(summary.rejected.E_GLUE_FORMAT).toBeGreaterThan(20);
  });
});
