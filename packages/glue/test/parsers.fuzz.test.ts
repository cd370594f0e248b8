import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HOSTILE_JSON_VALUES, fuzz, mutateBytes, mutateText, type FuzzRng } from '@edora/fuzz-kit';
import { parquetMetadata, type AsyncBuffer } from 'hyparquet';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { GlueFormatError, collect, parseDataFile, parseGlueTsv, parseParquet, type DataFileFormat, type GlueExample } from '../src/index.js';
import { sst2SeedParquet } from './parquet-seeds.js';

// Seeded fuzzing of every glue parser (issue 21), on @edora/fuzz-kit: each case must give examples
// or a GlueFormatError whose message starts with file:line, within the kit's time and memory
// bounds, the text parsers must give the same outcome however the bytes are chunked, and parquet
// the same from whole bytes as through ranged reads. CI runs
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
      expect(r.textB === undefined || typeof r.textB === 'string').toBe(true);
      expect(r.label === null || Number.isFinite(r.label)).toBe(true);
      expect(Number.isInteger(r.idx)).toBe(true);
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

  // parquet seed files: hyparquet-writer's (data page v2) and pyarrow's (data page v1, as HF
  // `datasets` writes: dictionaries, delta encodings), each with the task whose columns it has
  const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(`fixtures/parquet/${name}`, import.meta.url)));
  const scores = Array.from({ length: 30 }, (_, i) => (i % 7 === 3 ? null : i / 8));
  const PARQUET_SEEDS: { task: string; bytes: Uint8Array }[] = [
    { task: 'sst2', bytes: sst2SeedParquet() },
    {
      task: 'stsb',
      bytes: new Uint8Array(parquetWriteBuffer({
        columnData: [
          { name: 'sentence1', data: scores.map((_, i) => `a man ${i % 3}`), type: 'STRING' },
          { name: 'sentence2', data: scores.map((_, i) => `a woman ${i}`), type: 'STRING' },
          { name: 'label', data: scores, type: 'FLOAT', nullable: true },
          { name: 'idx', data: scores.map((_, i) => i), type: 'INT32' },
        ],
        codec: 'UNCOMPRESSED',
        pageSize: 64,
        rowGroupSize: 12,
      })),
    },
    { task: 'sst2', bytes: fixture('hf-sst2.parquet') },
    { task: 'mnli', bytes: fixture('delta-v1.parquet') },
  ];
  // where the column chunks begin (their first page header), for the lies aimed at page headers
  const CHUNK_STARTS = PARQUET_SEEDS.map(({ bytes }) =>
    parquetMetadata(bytes.slice().buffer).row_groups.flatMap((g) => g.columns.map((c) => Number(c.meta_data!.dictionary_page_offset || c.meta_data!.data_page_offset))),
  );
  /** Counts a page header or run might hold: zero, a byte's worth, 2^30, 2^31 - 1, 2^32 - 1, 2^64 - 1. */
  const LYING_VARINTS = [[0], [0x7f], [0x80, 0x80, 0x80, 0x80, 0x04], [0xfe, 0xff, 0xff, 0xff, 0x0f], [0xff, 0xff, 0xff, 0xff, 0x0f], [...new Array<number>(9).fill(0xff), 0x01]];

  /** A seed file's index, then its bytes: the task travels with the input (and survives shrinking). */
  const withSeed = (k: number, bytes: Uint8Array): Uint8Array => Uint8Array.from([k, ...bytes]);

  /** Examples or the GlueFormatError's message, the same from the bytes as through ranged reads. */
  async function parquetOutcome(input: Uint8Array): Promise<void> {
    const seed = PARQUET_SEEDS[(input[0] ?? 0) % PARQUET_SEEDS.length]!;
    const bytes = input.subarray(1);
    const options = { task: seed.task, file: 'fuzz.parquet' };
    const ranged: AsyncBuffer = { byteLength: bytes.length, slice: (start, end) => Promise.resolve(bytes.slice(start, end).buffer) };
    const whole = await outcome(() => collect(parseParquet(bytes, options)), 'fuzz.parquet');
    expect(await outcome(() => collect(parseParquet(ranged, options)), 'fuzz.parquet')).toEqual(whole);
    if (typeof whole === 'string') throw new GlueFormatError({ file: 'fuzz.parquet', line: 0 }, 'rejected'); // counted as a typed rejection
  }

  it('parquet files with bytes changed, inserted, deleted, cut: examples or file:row errors', { timeout: 600_000 }, async () => {
    const summary = await fuzz({
      name: 'glue-parquet',
      seed: 2300,
      cases: 300,
      // case c is mutateBytes(seed file c % 4, new FuzzRng(2300 + c), 4): issue 21's case 112 is the first file's
      generate: (r, c) => withSeed(c % PARQUET_SEEDS.length, mutateBytes(PARQUET_SEEDS[c % PARQUET_SEEDS.length]!.bytes, r, 4)),
      run: parquetOutcome,
    });
    expect(summary.accepted).toBeGreaterThan(10);
    expect(summary.rejected.E_GLUE_FORMAT).toBeGreaterThan(100);
  });

  it('parquet files whose counts and sizes lie (long varints written over page headers and anywhere): examples or file:row errors', { timeout: 600_000 }, async () => {
    const lie = (bytes: Uint8Array, r: FuzzRng, starts: readonly number[]): Uint8Array => {
      const out = bytes.slice();
      for (let m = 1 + r.int(2); m > 0; m--) {
        const at = r.chance(0.7) ? r.pick(starts) + r.int(24) : r.int(out.length);
        const varint = r.pick(LYING_VARINTS);
        out.set(varint.slice(0, Math.max(0, out.length - at)), Math.min(at, out.length));
      }
      return out;
    };
    const summary = await fuzz({
      name: 'glue-parquet-counts',
      seed: 2400,
      cases: 300,
      generate: (r, c) => withSeed(c % PARQUET_SEEDS.length, lie(PARQUET_SEEDS[c % PARQUET_SEEDS.length]!.bytes, r, CHUNK_STARTS[c % PARQUET_SEEDS.length]!)),
      run: parquetOutcome,
    });
    expect(summary.accepted).toBeGreaterThan(5);
    expect(summary.rejected.E_GLUE_FORMAT).toBeGreaterThan(100);
  });
});

