import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { afterAll, describe, expect, it } from 'vitest';
import { GlueArgumentError, GlueFormatError, collect, dataFileFormatOf, parseDataBlob } from '@edora/glue';
import { streamDataFile } from '@edora/glue/node';

// A file dropped into a page is a Blob: it reads to exactly what the CLI's --train-file reads from
// the same bytes on disk, with the same file:line errors.
const work = mkdtempSync(join(tmpdir(), 'edora-glue-blob-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function both(name: string, bytes: string | Uint8Array): { path: string; blob: Blob } {
  const path = join(work, name);
  writeFileSync(path, bytes);
  return { path, blob: new Blob([typeof bytes === 'string' ? bytes : new Uint8Array(bytes)]) };
}

describe('parseDataBlob (files dropped into a page)', () => {
  it('reads TSV, CSV, JSONL and parquet as streamDataFile reads the same files', async () => {
    const parquet = new Uint8Array(parquetWriteBuffer({
      columnData: [
        { name: 'sentence', data: ['a fine film', 'dull', 'bright'], type: 'STRING' },
        { name: 'label', data: [1n, 0n, 1n], type: 'INT64' },
        { name: 'idx', data: [0, 1, 2], type: 'INT32' },
      ],
    }));
    const files: [string, string | Uint8Array][] = [
      ['train.tsv', 'sentence\tlabel\na fine film\t1\ndull\t0\n'],
      ['train.csv', 'sentence,label\n"a, fine film",1\ndull,0\n'],
      ['train.jsonl', '{"sentence": "a fine film", "label": 1}\n{"sentence": "dull", "label": 0}\n'],
      ['train.parquet', parquet],
    ];
    for (const [name, bytes] of files) {
      const { path, blob } = both(name, bytes);
      const want = await collect(streamDataFile(path, { task: 'sst2' }));
      expect(want.length, name).toBeGreaterThan(1);
      expect(await collect(parseDataBlob(blob, name, { task: 'sst2' })), name).toEqual(want);
    }
  });

  it('a malformed row is a GlueFormatError at file:line, as on the command line', async () => {
    const text = 'sentence\tlabel\ngood\t1\nno label here\n';
    const { path, blob } = both('bad.tsv', text);
    const cli = await collect(streamDataFile(path, { task: 'sst2', file: 'bad.tsv' })).catch((e: unknown) => e);
    const page = await collect(parseDataBlob(blob, 'bad.tsv', { task: 'sst2' })).catch((e: unknown) => e);
    expect(page).toBeInstanceOf(GlueFormatError);
    expect((page as GlueFormatError).message).toBe((cli as Error).message);
    expect((page as GlueFormatError).message).toMatch(/^bad\.tsv:3: expected 2 fields as in the header; found 1/);
    expect((page as GlueFormatError).line).toBe(3);
  });

  it('the format comes from the name, or is an error listing the choices', () => {
    expect(dataFileFormatOf('dev.TSV')).toBe('tsv');
    expect(dataFileFormatOf('x/y.parquet')).toBe('parquet');
    expect(dataFileFormatOf('data.txt', 'csv')).toBe('csv');
    expect(() => dataFileFormatOf('a.v2/README')).toThrow(GlueArgumentError);
    expect(() => dataFileFormatOf('notes.txt')).toThrow(/notes\.txt: cannot tell the format from "\.txt"; expected \.csv, \.tsv, \.jsonl, \.json, \.parquet/);
  });
});
