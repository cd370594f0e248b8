import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { afterAll, describe, expect, it } from 'vitest';
import { GlueFormatError, MalformedRows, collect, parseDataFile, parseGlueTsv, parseParquet } from '@edora/glue';
import { loadGlueTask } from '@edora/glue/node';

const work = mkdtempSync(join(tmpdir(), 'edora-glue-malformed-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

// RTE train with three malformed rows among five good ones (lines 3, 5 and 7 of the file).
const RTE = [
  'index\tsentence1\tsentence2\tlabel',
  '0\tA cat sat.\tA cat exists.\tentailment',
  '1\tonly two fields',
  '2\tIt rained.\tIt was dry.\tnot_entailment',
  '3\tDogs bark.\tDogs are loud.\tcontradiction',
  '4\tSun is up.\tIt is day.\tentailment',
  '',
  '6\tWe met.\tWe saw each other.\tentailment',
  '7\tIt snowed.\tIt was cold.\tentailment',
].join('\n') + '\n';

describe('skipMalformed: malformed rows counted and skipped instead of thrown (off by default)', () => {
  it('by default the first malformed row is still a GlueFormatError with file:line', async () => {
    await expect(collect(parseGlueTsv(RTE, 'rte', 'train', { file: 'RTE/train.tsv' })))
      .rejects.toThrow('RTE/train.tsv:3: expected 4 tab-separated fields (as in the header); found 2');
  });

  it('GLUE TSV: the good rows come out with idx = their position in the file, the bad ones are counted with their reasons', async () => {
    const skipped = new MalformedRows();
    const rows = await collect(parseGlueTsv(RTE, 'rte', 'train', { file: 'RTE/train.tsv', skipMalformed: skipped }));
    expect(rows.map((r) => [r.idx, r.textA, r.label])).toEqual([
      [0, 'A cat sat.', 0],
      [2, 'It rained.', 1],
      [4, 'Sun is up.', 0],
      [6, 'We met.', 0],
      [7, 'It snowed.', 0],
    ]);
    expect(skipped.count).toBe(3);
    expect(skipped.first.every((e) => e instanceof GlueFormatError)).toBe(true);
    expect(skipped.first.map((e) => [e.file, e.line])).toEqual([['RTE/train.tsv', 3], ['RTE/train.tsv', 5], ['RTE/train.tsv', 7]]);
    expect(skipped.summary()).toBe([
      'skipped 3 malformed rows; the first 3:',
      '  RTE/train.tsv:3: expected 4 tab-separated fields (as in the header); found 2',
      '  RTE/train.tsv:5: expected a label in entailment, not_entailment; found "contradiction"',
      '  RTE/train.tsv:7: expected 4 tab-separated fields (as in the header); found 1 (an empty line)',
    ].join('\n'));
  });

  it('keeps only the first few reasons, and says how many more there were', async () => {
    const skipped = new MalformedRows(2);
    await collect(parseGlueTsv(RTE, 'rte', 'train', { file: 'r.tsv', skipMalformed: skipped }));
    expect(skipped.count).toBe(3);
    expect(skipped.first.map((e) => e.line)).toEqual([3, 5]);
    expect(skipped.summary().split('\n')).toEqual([
      'skipped 3 malformed rows; the first 2:',
      '  r.tsv:3: expected 4 tab-separated fields (as in the header); found 2',
      '  r.tsv:5: expected a label in entailment, not_entailment; found "contradiction"',
      '  … and 1 more',
    ]);
    expect(new MalformedRows().summary()).toBe('no malformed rows skipped');
  });

  it('faults of the whole file still throw: a missing header column; a file of malformed rows only says how many were skipped', async () => {
    const skipped = new MalformedRows();
    await expect(collect(parseGlueTsv(RTE.replace('sentence2', 'hypothesis'), 'rte', 'train', { file: 'h.tsv', skipMalformed: skipped })))
      .rejects.toThrow('h.tsv:1: missing column "sentence2"');
    const bad = 'index\tsentence1\tsentence2\tlabel\n0\ta\n1\tb\n';
    await expect(collect(parseGlueTsv(bad, 'rte', 'train', { file: 'b.tsv', skipMalformed: new MalformedRows() })))
      .rejects.toThrow('b.tsv:1: expected at least one example for rte train; found none (2 malformed rows skipped)');
  });

  it('reaches the files of a data directory through loadGlueTask', async () => {
    mkdirSync(join(work, 'RTE'), { recursive: true });
    const path = join(work, 'RTE', 'train.tsv');
    writeFileSync(path, RTE);
    const skipped = new MalformedRows();
    expect(await loadGlueTask(work, 'rte', 'train', { skipMalformed: skipped })).toHaveLength(5);
    expect(skipped.first[0]!.message).toBe(`${path}:3: expected 4 tab-separated fields (as in the header); found 2`);
    await expect(loadGlueTask(work, 'rte', 'train')).rejects.toThrow(`${path}:3: `);
  });

  it('user files: CSV field counts, labels, JSON Lines that do not parse; position stays the default idx', async () => {
    const csv = 'sentence,label\ngood one,1\n"two",fields,0\nbad label,7\nlast,0\n';
    const skipped = new MalformedRows();
    const rows = await collect(parseDataFile(csv, { format: 'csv', file: 'u.csv', labelNames: ['neg', 'pos'], skipMalformed: skipped }));
    expect(rows).toEqual([{ idx: 0, textA: 'good one', label: 1 }, { idx: 3, textA: 'last', label: 0 }]);
    expect(skipped.first.map((e) => e.message)).toEqual([
      'u.csv:3: expected 2 fields as in the header; found 3',
      'u.csv:4: expected a label in 0/neg, 1/pos in column "label"; found "7"',
    ]);
    await expect(collect(parseDataFile(csv, { format: 'csv', file: 'u.csv', labelNames: ['neg', 'pos'] }))).rejects.toThrow('u.csv:3: expected 2 fields');

    const jsonl = '{"sentence":"a","label":0}\n{"sentence": oops}\n[1]\n{"sentence":"d","label":1}\n';
    const j = new MalformedRows();
    expect(await collect(parseDataFile(jsonl, { format: 'jsonl', file: 'u.jsonl', skipMalformed: j }))).toEqual([
      { idx: 0, textA: 'a', label: 0 },
      { idx: 3, textA: 'd', label: 1 },
    ]);
    expect(j.first.map((e) => e.line)).toEqual([2, 3]);
    // a first record that is malformed: the columns come from the first good one
    const k = new MalformedRows();
    expect(await collect(parseDataFile('not json\n{"sentence":"x","label":1}\n', { format: 'jsonl', skipMalformed: k }))).toEqual([{ idx: 1, textA: 'x', label: 1 }]);
    expect(k.count).toBe(1);
  });

  it('parquet rows with a label outside the task', async () => {
    const buffer = parquetWriteBuffer({
      columnData: [
        { name: 'sentence', data: ['a', 'b', 'c'], type: 'STRING' },
        { name: 'label', data: [0n, 5n, 1n], type: 'INT64' },
      ],
    });
    const skipped = new MalformedRows();
    expect(await collect(parseParquet(new Uint8Array(buffer), { task: 'sst2', file: 'p.parquet', skipMalformed: skipped }))).toEqual([
      { idx: 0, textA: 'a', label: 0 },
      { idx: 2, textA: 'c', label: 1 },
    ]);
    expect(skipped.first.map((e) => e.message)).toEqual(['p.parquet:2: expected a label in 0/negative, 1/positive in column "label"; found 5']);
  });
});
