import { readFileSync } from 'node:fs';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { describe, expect, it } from 'vitest';
import { collect, parseParquet, type GlueExample } from '../src/index.js';

// glue's parquet page decoder against files it did not write: pyarrow's (HF `datasets` writes
// with it: data page v1, dictionaries, delta encodings), made by scripts/make-parquet-goldens.py
// with the rows they hold in expected.json, and hyparquet-writer's (data page v2) in every
// encoding it writes, with nulls and many pages.

const dir = new URL('fixtures/parquet/', import.meta.url);
const expected = JSON.parse(readFileSync(new URL('expected.json', dir), 'utf8')) as Record<string, { task: string; rows: GlueExample[]; layout: string[]; rowGroups: number }>;

describe('parquet files written by pyarrow', () => {
  for (const [name, { task, rows, layout, rowGroups }] of Object.entries(expected)) {
    it(`${name} (${rowGroups} row groups; ${layout.join('; ')})`, async () => {
      const found = await collect(parseParquet(new Uint8Array(readFileSync(new URL(name, dir))), { task, file: name }));
      expect(found).toEqual(rows.map((r) => (r.textB === undefined ? { idx: r.idx, textA: r.textA, label: r.label } : r)));
    });
  }
});

describe('parquet files written by hyparquet-writer, in each encoding', () => {
  const n = 300;
  const text = Array.from({ length: n }, (_, i) => `the review number ${Math.floor(i / 4)} says ${'é'.repeat(i % 5)}${i % 9 === 0 ? '' : ' good'}`);
  const labels = Array.from({ length: n }, (_, i) => (i % 11 === 5 ? null : i % 2));
  const indices = Array.from({ length: n }, (_, i) => i * 1009 - 150_000);
  const want = text.map((t, i) => ({ idx: indices[i]!, textA: t, label: labels[i]! }));
  const cases: [string, 'PLAIN' | 'RLE_DICTIONARY' | 'DELTA_BINARY_PACKED' | 'DELTA_LENGTH_BYTE_ARRAY' | 'DELTA_BYTE_ARRAY' | 'BYTE_STREAM_SPLIT', 'PLAIN' | 'DELTA_BINARY_PACKED' | 'BYTE_STREAM_SPLIT' | 'RLE_DICTIONARY'][] = [
    ['plain', 'PLAIN', 'PLAIN'],
    ['dictionaries', 'RLE_DICTIONARY', 'RLE_DICTIONARY'],
    ['delta', 'DELTA_BYTE_ARRAY', 'DELTA_BINARY_PACKED'],
    ['delta lengths, split bytes', 'DELTA_LENGTH_BYTE_ARRAY', 'BYTE_STREAM_SPLIT'],
  ];
  for (const [what, textEncoding, numberEncoding] of cases) {
    for (const codec of ['SNAPPY', 'UNCOMPRESSED'] as const) {
      it(`${what}, ${codec.toLowerCase()}, pages of ~256 bytes`, async () => {
        const bytes = parquetWriteBuffer({
          columnData: [
            { name: 'sentence', data: text, type: 'STRING', encoding: textEncoding },
            { name: 'label', data: labels.map((l) => (l === null ? null : BigInt(l))), type: 'INT64', nullable: true, encoding: numberEncoding },
            { name: 'idx', data: indices, type: 'INT32', encoding: numberEncoding },
          ],
          codec,
          pageSize: 256,
          rowGroupSize: 128,
        });
        expect(await collect(parseParquet(bytes, { task: 'sst2', file: 'w.parquet' }))).toEqual(want);
      });
    }
  }
});
