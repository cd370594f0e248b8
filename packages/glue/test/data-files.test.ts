import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { afterAll, describe, expect, it } from 'vitest';
import { GlueFormatError, SeededRandom, collect, parseDataFile, parseParquet, type GlueExample } from '@edora/glue';
import { loadGlueTask, streamDataFile, streamGlueTask } from '@edora/glue/node';

const work = mkdtempSync(join(tmpdir(), 'edora-glue-files-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('CSV / TSV / JSON / JSONL user files (run_glue --train_file)', () => {
  it('CSV follows RFC 4180: quoted delimiters, doubled quotes, newlines inside quotes, CRLF', async () => {
    const csv = 'sentence1,sentence2,label\r\n"A, b","He said ""hi""",1\r\nplain,"two\nlines",0\r\n';
    const rows = await collect(parseDataFile(csv, { format: 'csv' }));
    expect(rows).toEqual([
      { idx: 0, textA: 'A, b', textB: 'He said "hi"', label: 1 },
      { idx: 1, textA: 'plain', textB: 'two\nlines', label: 0 },
    ]);
  });

  it('the CSV reader gives the same records however the bytes are chunked', async () => {
    const rng = new SeededRandom(3);
    const lines = ['text,label'];
    const texts: string[] = [];
    for (let i = 0; i < 60; i++) {
      const t = `é"${'x'.repeat(rng.int(5))}""q,${i}\n"`; // quotes, doubled quotes, a comma, a newline
      texts.push(t);
      lines.push(`"${t.replaceAll('"', '""')}",${i % 2}`);
    }
    const text = `${lines.join('\n')}\n`;
    const whole = await collect(parseDataFile(text, { format: 'csv' }));
    expect(whole.map((r) => r.textA)).toEqual(texts);
    const bytes = new TextEncoder().encode(text);
    for (const size of [1, 2, 5, 17]) {
      async function* chunks(): AsyncGenerator<Uint8Array> {
        for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
      }
      expect(await collect(parseDataFile(chunks(), { format: 'csv' })), `chunks of ${size}`).toEqual(whole);
    }
  });

  it('picks text columns like run_glue: sentence1/sentence2, else the first two non-label columns', async () => {
    const rows = await collect(parseDataFile('idx,premise,claim,label\n4,p,c,1\n', { format: 'csv' }));
    expect(rows).toEqual([{ idx: 4, textA: 'p', textB: 'c', label: 1 }]);
    const one = await collect(parseDataFile('review\tlabel\ngood film\t1\n', { format: 'tsv' }));
    expect(one).toEqual([{ idx: 0, textA: 'good film', label: 1 }]);
    const chosen = await collect(parseDataFile('a,b,c,y\n1,2,3,0\n', { format: 'csv', textColumns: ['c'], labelColumn: 'y' }));
    expect(chosen).toEqual([{ idx: 0, textA: '3', label: 0 }]);
  });

  it('maps label names through a task or labelNames; regression scores; no label column means unlabelled', async () => {
    const jsonl = '{"premise":"p","hypothesis":"h","label":"contradiction"}\n\n{"premise":"q","hypothesis":"i","label":0}\n';
    expect((await collect(parseDataFile(jsonl, { format: 'jsonl', task: 'mnli' }))).map((r) => r.label)).toEqual([2, 0]);
    const names = await collect(parseDataFile('text,label\na,pos\nb,neg\n', { format: 'csv', labelNames: ['neg', 'pos'] }));
    expect(names.map((r) => r.label)).toEqual([1, 0]);
    const json = JSON.stringify({ data: [{ sentence1: 'a', sentence2: 'b', label: 4.25 }] });
    expect(await collect(parseDataFile(json, { format: 'json', task: 'stsb' }))).toEqual([{ idx: 0, textA: 'a', textB: 'b', label: 4.25 }]);
    expect((await collect(parseDataFile('[{"sentence":"x"}]', { format: 'json', task: 'sst2' })))[0]!.label).toBeNull();
    expect((await collect(parseDataFile('[{"sentence":"x","label":-1}]', { format: 'json', task: 'sst2' })))[0]!.label).toBeNull();
  });

  it('bad user files: typed errors with file and line', async () => {
    const cases: [string, Parameters<typeof parseDataFile>[1], string][] = [
      ['text,label\na,1\nb,1,extra\n', { format: 'csv', file: 'x.csv' }, 'x.csv:3: expected 2 fields as in the header; found 3'],
      ['text,label\n"open,1\n', { format: 'csv', file: 'x.csv' }, 'x.csv:2: expected a closing quote for the field opened on this line; the file ended'],
      ['text,label\n"a"b,1\n', { format: 'csv', file: 'x.csv' }, 'x.csv:2: expected "," or a line end after a closing quote; found "b"'],
      ['', { format: 'csv', file: 'x.csv' }, 'x.csv:1: expected a header line; the file is empty'],
      ['text,label\n', { format: 'csv', file: 'x.csv' }, 'x.csv:1: expected at least one CSV record; the file has none'],
      ['text,label\na,neutral\n', { format: 'csv', file: 'x.csv', task: 'rte', textColumns: ['text'] }, 'x.csv:2: expected a label in 0/entailment, 1/not_entailment in column "label"; found "neutral"'],
      ['q,label\na,1\n', { format: 'csv', file: 'x.csv', task: 'qnli' }, 'x.csv:1: missing text column "question"; found columns "q", "label"'],
      ['{"sentence":"a","label":1}\n{"sentence":"b",\n', { format: 'jsonl', file: 'x.jsonl' }, 'x.jsonl:2: expected one JSON object per line; found invalid JSON'],
      ['{"sentence":"a","label":1}\n{"sentence":7,"label":1}\n', { format: 'jsonl', file: 'x.jsonl', task: 'sst2' }, 'x.jsonl:2: expected text in column "sentence"; found 7'],
      ['{"rows": []}', { format: 'json', file: 'x.json' }, 'x.json:1: expected a JSON array of objects, or an object with a "data" array'],
    ];
    for (const [text, options, message] of cases) {
      const run = collect(parseDataFile(text, options));
      await expect(run, message).rejects.toBeInstanceOf(GlueFormatError);
      await expect(collect(parseDataFile(text, options))).rejects.toThrow(message);
    }
    await expect(collect(parseDataFile('a', { format: 'xml' as never }))).rejects.toMatchObject({ code: 'E_GLUE_ARGUMENT' });
  });

  it('the Node entry picks the format by extension and streams the file', async () => {
    const path = join(work, 'train.jsonl');
    writeFileSync(path, Array.from({ length: 1000 }, (_, i) => JSON.stringify({ sentence: `s${i}`, label: i % 2 })).join('\n'));
    const rows = await collect(streamDataFile(path));
    expect(rows).toHaveLength(1000);
    expect(rows[999]).toEqual({ idx: 999, textA: 's999', label: 1 });
    await expect(collect(streamDataFile(join(work, 'x.xml')))).rejects.toThrow('cannot tell the format from ".xml"');
    await expect(collect(streamDataFile(join(work, 'missing.csv')))).rejects.toMatchObject({ code: 'E_GLUE_FILE' });
  });
});

describe('HF datasets parquet (hyparquet)', () => {
  // Written with hyparquet-writer in HF's layout and schema: text columns, label (int64 class id,
  // -1 on test; float32 for STS-B), idx (int32); snappy-compressed, several row groups.
  const sst2Rows = Array.from({ length: 2500 }, (_, i) => ({ sentence: `sentence ${i} ${'é'.repeat(i % 3)}`, label: i % 3 === 0 ? 0 : 1, idx: i }));
  const write = (path: string, rows: { sentence: string; label: number; idx: number }[]): void => {
    const buffer = parquetWriteBuffer({
      columnData: [
        { name: 'sentence', data: rows.map((r) => r.sentence), type: 'STRING' },
        { name: 'label', data: rows.map((r) => BigInt(r.label)), type: 'INT64' },
        { name: 'idx', data: rows.map((r) => r.idx), type: 'INT32' },
      ],
      rowGroupSize: 1000,
    });
    writeFileSync(path, new Uint8Array(buffer));
  };
  const hfDir = join(work, 'hf');
  mkdirSync(join(hfDir, 'sst2'), { recursive: true });
  // train in two shards, as HF writes large splits
  write(join(hfDir, 'sst2', 'train-00000-of-00002.parquet'), sst2Rows.slice(0, 1700));
  write(join(hfDir, 'sst2', 'train-00001-of-00002.parquet'), sst2Rows.slice(1700));
  write(join(hfDir, 'sst2', 'test-00000-of-00001.parquet'), [{ sentence: 'unseen', label: -1, idx: 0 }]);

  const expected = (r: (typeof sst2Rows)[number]): GlueExample => ({ idx: r.idx, textA: r.sentence, label: r.label });

  it('reads the HF layout <dir>/<task>/<split>-*.parquet across shards and row groups', async () => {
    const rows = await loadGlueTask(hfDir, 'sst2', 'train');
    expect(rows).toEqual(sst2Rows.map(expected));
    expect(await loadGlueTask(hfDir, 'sst2', 'test', { layout: 'parquet' })).toEqual([{ idx: 0, textA: 'unseen', label: null }]);
  });

  it('reads parquet bytes in the browser-safe core too, and STS-B float labels', async () => {
    const buffer = parquetWriteBuffer({
      columnData: [
        { name: 'sentence1', data: ['a', 'b'], type: 'STRING' },
        { name: 'sentence2', data: ['c', 'd'], type: 'STRING' },
        { name: 'label', data: [4.75, 0.5], type: 'FLOAT' },
        { name: 'idx', data: [0, 1], type: 'INT32' },
      ],
    });
    expect(await collect(parseParquet(buffer, { task: 'stsb' }))).toEqual([
      { idx: 0, textA: 'a', textB: 'c', label: 4.75 },
      { idx: 1, textA: 'b', textB: 'd', label: 0.5 },
    ]);
  });

  it('streams: the first examples arrive before later row groups are decoded', async () => {
    const it = streamGlueTask(hfDir, 'sst2', 'train')[Symbol.asyncIterator]();
    const first = await it.next();
    expect(first.value).toEqual(expected(sst2Rows[0]!));
    await it.return?.(undefined);
  });

  it('a missing column or a file that is not parquet gives typed errors', async () => {
    await expect(collect(streamGlueTask(hfDir, 'sst2', 'train', { layout: 'parquet' }))).resolves.toHaveLength(2500);
    const buffer = parquetWriteBuffer({ columnData: [{ name: 'text', data: ['a'], type: 'STRING' }] });
    await expect(collect(parseParquet(buffer, { task: 'cola', file: 'c.parquet' }))).rejects.toThrow('c.parquet:1: missing text column "sentence"; found columns "text"');
    await expect(collect(parseParquet(new TextEncoder().encode('not parquet at all'), { file: 'n.parquet' }))).rejects.toThrow(/^n\.parquet:0: expected a parquet file/);
  });
});
