import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { afterAll, describe, expect, it } from 'vitest';
import {
  AX_SIZE, AX_SPLIT, GlueFileError, UnknownTaskError, collect, glueSubmission, parseGlueDiagnosticTsv, submissionSplits, submissionTargetOf,
} from '@edora/glue';
import { loadGlueDiagnostic } from '@edora/glue/node';

const work = mkdtempSync(join(tmpdir(), 'edora-glue-ax-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

// The layout of GLUE's AX.tsv (the download script saves it as diagnostic/diagnostic.tsv):
// index, sentence1, sentence2, no label. The first two rows are those of the real file.
const AX_ROWS = [
  ['The cat sat on the mat.', 'The cat did not sit on the mat.'],
  ['The cat did not sit on the mat.', 'The cat sat on the mat.'],
  ['When you\'ve got no snow, it\'s really hard to learn a snow sport "so we looked.', 'When you\'ve got snow, it\'s really hard to learn a snow sport.'],
];
const axTsv = (rows: string[][]): string => ['index\tsentence1\tsentence2', ...rows.map(([a, b], i) => `${i}\t${a}\t${b}`)].join('\n') + '\n';

describe('the GLUE diagnostic set AX', () => {
  it('parses index/sentence1/sentence2 into unlabelled premise-hypothesis pairs, quoting off', async () => {
    const rows = await collect(parseGlueDiagnosticTsv(axTsv(AX_ROWS)));
    expect(rows).toEqual(AX_ROWS.map(([a, b], idx) => ({ idx, textA: a, textB: b, label: null })));
    expect(await collect(parseGlueDiagnosticTsv(axTsv(AX_ROWS).replaceAll('\n', '\r\n')))).toEqual(rows);
    await expect(collect(parseGlueDiagnosticTsv('index\tpremise\thypothesis\n0\ta\tb\n', { file: 'AX.tsv' })))
      .rejects.toThrow('AX.tsv:1: missing column "sentence1" in the header of the AX diagnostic set; found columns "index", "premise", "hypothesis"');
    await expect(collect(parseGlueDiagnosticTsv('index\tsentence1\tsentence2\n0\tonly one\n', { file: 'AX.tsv' })))
      .rejects.toThrow('AX.tsv:2: expected 3 tab-separated fields (as in the header); found 2');
  });

  it('loads from a data directory: the download script\'s diagnostic/diagnostic.tsv, the site\'s AX.tsv, or HF\'s ax parquet', async () => {
    const expected = AX_ROWS.map(([a, b], idx) => ({ idx, textA: a, textB: b, label: null }));
    const script = join(work, 'script');
    mkdirSync(join(script, 'diagnostic'), { recursive: true });
    writeFileSync(join(script, 'diagnostic', 'diagnostic.tsv'), axTsv(AX_ROWS));
    expect(await loadGlueDiagnostic(script)).toEqual(expected);

    const site = join(work, 'site');
    mkdirSync(site, { recursive: true });
    writeFileSync(join(site, 'AX.tsv'), axTsv(AX_ROWS));
    expect(await loadGlueDiagnostic(site)).toEqual(expected);
    const path = join(site, 'AX.tsv');
    writeFileSync(path, axTsv(AX_ROWS) + '3\tbroken\n');
    await expect(loadGlueDiagnostic(site)).rejects.toThrow(`${path}:5: expected 3 tab-separated fields`);

    // HF datasets' `glue/ax` config: premise, hypothesis, label -1, idx
    const hf = join(work, 'hf');
    mkdirSync(join(hf, 'ax'), { recursive: true });
    writeFileSync(join(hf, 'ax', 'test-00000-of-00001.parquet'), new Uint8Array(parquetWriteBuffer({
      columnData: [
        { name: 'premise', data: AX_ROWS.map((r) => r[0]!), type: 'STRING' },
        { name: 'hypothesis', data: AX_ROWS.map((r) => r[1]!), type: 'STRING' },
        { name: 'label', data: AX_ROWS.map(() => -1n), type: 'INT64' },
        { name: 'idx', data: AX_ROWS.map((_, i) => i), type: 'INT32' },
      ],
    })));
    expect(await loadGlueDiagnostic(hf)).toEqual(expected);
    await expect(loadGlueDiagnostic(hf, { layout: 'tsv' })).rejects.toBeInstanceOf(GlueFileError);
  });

  it('a folder without it names every place it looked', async () => {
    const empty = join(work, 'empty');
    mkdirSync(empty, { recursive: true });
    const e = await loadGlueDiagnostic(empty).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(GlueFileError);
    expect((e as GlueFileError).code).toBe('E_GLUE_FILE');
    for (const p of [join(empty, 'diagnostic', 'diagnostic.tsv'), join(empty, 'diagnostic', 'AX.tsv'), join(empty, 'AX.tsv'), join(empty, 'ax', 'test-*.parquet')]) {
      expect((e as Error).message).toContain(p);
    }
  });

  it('an MNLI model\'s predictions on it become AX.tsv: 1,104 rows of label names in index order', async () => {
    const rows = Array.from({ length: AX_SIZE }, (_, i) => [`premise ${i}`, `hypothesis ${i}`]);
    const dir = join(work, 'full');
    mkdirSync(join(dir, 'diagnostic'), { recursive: true });
    writeFileSync(join(dir, 'diagnostic', 'diagnostic.tsv'), axTsv(rows));
    const examples = await loadGlueDiagnostic(dir);
    expect(examples).toHaveLength(AX_SIZE);
    const target = submissionTargetOf('mnli', AX_SPLIT);
    expect(target).toBe('ax');
    const file = glueSubmission(target, examples.map((e) => e.idx), examples.map((e) => e.idx % 3)); // the size check is on
    const lines = file.contents.trimEnd().split('\n');
    expect(file.fileName).toBe('AX.tsv');
    expect(lines).toHaveLength(AX_SIZE + 1);
    expect(lines.slice(0, 4)).toEqual(['index\tprediction', '0\tentailment', '1\tneutral', '2\tcontradiction']);
    expect(lines.at(-1)).toBe(`${AX_SIZE - 1}\tcontradiction`); // 1103 = 3·367 + 2
  });
});

describe('submission splits', () => {
  it('maps each task\'s test splits (and MNLI\'s ax) to the file the server expects', () => {
    expect(submissionSplits('mnli')).toEqual(['test_matched', 'test_mismatched', 'ax']);
    expect(submissionSplits('rte')).toEqual(['test']);
    expect(submissionSplits('synthetic')).toEqual([]);
    expect(submissionTargetOf('mnli', 'test_matched')).toBe('mnli-m');
    expect(submissionTargetOf('mnli', 'test_mismatched')).toBe('mnli-mm');
    expect(submissionTargetOf('sst2', 'test')).toBe('sst2');
    expect(() => submissionTargetOf('mnli', 'validation_matched')).toThrow(UnknownTaskError);
    expect(() => submissionTargetOf('mnli', 'validation_matched')).toThrow('no GLUE submission file for mnli "validation_matched"; expected one of test_matched, test_mismatched, ax');
    expect(() => submissionTargetOf('rte', 'ax')).toThrow('expected one of test');
    expect(() => submissionTargetOf('synthetic', 'test')).toThrow('expected one of (none: a generated task)');
  });
});
