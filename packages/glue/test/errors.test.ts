import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EdoraError, GlueFileError, GlueFormatError, UnknownTaskError, collect, getTask, parseDataFile, parseGlueTsv, SeededRandom } from '@edora/glue';
import { loadGlueTask, streamGlueTsvFile } from '@edora/glue/node';

const work = mkdtempSync(join(tmpdir(), 'edora-glue-errors-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function failure(run: () => Promise<unknown>): Promise<EdoraError> {
  try {
    await run();
  } catch (e) {
    expect(e).toBeInstanceOf(EdoraError);
    return e as EdoraError;
  }
  throw new Error('expected an error, none was thrown');
}

const RTE = 'index\tsentence1\tsentence2\tlabel\n0\tA cat sat.\tA cat exists.\tentailment\n1\tIt rained.\tIt was dry.\tnot_entailment\n';

describe('bad GLUE input gives typed errors naming file, line and what was expected', () => {
  it('a malformed row: field count, with its line', async () => {
    const text = `${RTE}2\tonly two fields\n`;
    const e = await failure(() => collect(parseGlueTsv(text, 'rte', 'train', { file: 'RTE/train.tsv' })));
    expect(e).toBeInstanceOf(GlueFormatError);
    expect(e).toMatchObject({ code: 'E_GLUE_FORMAT', file: 'RTE/train.tsv', line: 4 });
    expect(e.message).toBe('RTE/train.tsv:4: expected 4 tab-separated fields (as in the header); found 2');
  });

  it('an empty line in the middle is a malformed row', async () => {
    const e = await failure(() => collect(parseGlueTsv(RTE.replace('\n1\t', '\n\n1\t'), 'rte', 'train')));
    expect(e).toMatchObject({ line: 3 });
    expect(e.message).toContain('found 1 (an empty line)');
  });

  it('a wrong label lists the valid ones', async () => {
    const e = await failure(() => collect(parseGlueTsv(RTE.replace('not_entailment', 'contradiction'), 'rte', 'train', { file: 'f.tsv' })));
    expect(e.message).toBe('f.tsv:3: expected a label in entailment, not_entailment; found "contradiction"');
    const ids = await failure(() => collect(parseGlueTsv('sentence\tlabel\ngood\t2\n', 'sst2', 'train', { file: 's.tsv' })));
    expect(ids.message).toBe('s.tsv:2: expected a label id in 0 (negative), 1 (positive); found "2"');
    const score = await failure(() => collect(parseGlueTsv(
      'index\tgenre\tfilename\tyear\told_index\tsource1\tsource2\tsentence1\tsentence2\tscore\n0\tg\tf\ty\t0\tn\tn\ta\tb\t5.2\n', 'stsb', 'train', { file: 'b.tsv' })));
    expect(score.message).toBe('b.tsv:2: expected a similarity score in [0, 5]; found "5.2"');
    const cola = await failure(() => collect(parseGlueTsv('gj04\t1\t\tFine.\ngj04\tyes\t\tNot fine.\n', 'cola', 'train', { file: 'c.tsv' })));
    expect(cola).toMatchObject({ line: 2 });
  });

  it('a missing column names it and shows the header found', async () => {
    const e = await failure(() => collect(parseGlueTsv(RTE.replace('sentence2', 'hypothesis'), 'rte', 'train', { file: 'r.tsv' })));
    expect(e.message).toBe('r.tsv:1: missing column "sentence2" in the header of rte train; found columns "index", "sentence1", "hypothesis", "label"');
    const label = await failure(() => collect(parseGlueTsv('index\tsentence1\tsentence2\n0\ta\tb\n', 'rte', 'validation', { file: 'v.tsv' })));
    expect(label.message).toContain('missing column "label"');
  });

  it('an empty file, and a file with a header only', async () => {
    const empty = await failure(() => collect(parseGlueTsv('', 'sst2', 'train', { file: 'e.tsv' })));
    expect(empty.message).toBe('e.tsv:1: expected a header line for sst2 train; the file is empty');
    const headerOnly = await failure(() => collect(parseGlueTsv('sentence\tlabel\n', 'sst2', 'train', { file: 'h.tsv' })));
    expect(headerOnly.message).toBe('h.tsv:1: expected at least one example for sst2 train; found none');
    const colaEmpty = await failure(() => collect(parseGlueTsv(new Uint8Array(0), 'cola', 'train', { file: 'c.tsv' })));
    expect(colaEmpty).toBeInstanceOf(GlueFormatError);
  });

  it('CRLF line ends (a Windows editor) are accepted by default; the strict mode (allowCrlf: false) reports the first one', async () => {
    const crlf = RTE.replaceAll('\n', '\r\n');
    const lf = await collect(parseGlueTsv(RTE, 'rte', 'train'));
    expect(lf.map((r) => r.textB)).toEqual(['A cat exists.', 'It was dry.']);
    // the \r is dropped, not left at the end of the label (which would then be unknown) or of a text
    expect(await collect(parseGlueTsv(crlf, 'rte', 'train'))).toEqual(lf);
    expect(await collect(parseGlueTsv(crlf, 'rte', 'train', { allowCrlf: true }))).toEqual(lf);
    // a file edited in part: only the second row ends in CRLF
    const mixed = RTE.replace('exists.\tentailment\n', 'exists.\tentailment\r\n');
    expect(await collect(parseGlueTsv(mixed, 'rte', 'train'))).toEqual(lf);
    // a label-last test file: the \r would otherwise stick to the hypothesis
    expect((await collect(parseGlueTsv('index\tsentence1\tsentence2\r\n0\ta\tb\r\n', 'rte', 'test')))[0]!.textB).toBe('b');

    const e = await failure(() => collect(parseGlueTsv(crlf, 'rte', 'train', { file: 'w.tsv', allowCrlf: false })));
    expect(e).toMatchObject({ code: 'E_GLUE_FORMAT', file: 'w.tsv', line: 1 });
    expect(e.message).toBe('w.tsv:1: expected lines ending in LF (\\n) as GLUE files do; found CRLF (\\r\\n) — this is the strict mode (allowCrlf: false)');
    const late = await failure(() => collect(parseGlueTsv(mixed, 'rte', 'train', { file: 'm.tsv', allowCrlf: false })));
    expect(late).toMatchObject({ line: 2 });
    expect(await collect(parseGlueTsv(RTE, 'rte', 'train', { allowCrlf: false }))).toEqual(lf);
  });

  it('invalid UTF-8 is reported with its line', async () => {
    const bytes = new TextEncoder().encode(RTE);
    const bad = new Uint8Array([...bytes.subarray(0, 40), 0xff, ...bytes.subarray(40)]);
    const e = await failure(() => collect(parseGlueTsv(bad, 'rte', 'train', { file: 'u.tsv' })));
    expect(e.message).toMatch(/^u\.tsv:\d+: expected UTF-8 text/);
  });

  it('a missing file or task folder names the path and the layouts expected', async () => {
    const path = join(work, 'nope.tsv');
    const e = await failure(() => collect(streamGlueTsvFile(path, 'rte', 'train')));
    expect(e).toBeInstanceOf(GlueFileError);
    expect(e.message).toBe(`${path}: expected a readable file; it does not exist`);
    const dir = await failure(() => loadGlueTask(work, 'qqp', 'validation'));
    expect(dir).toMatchObject({ code: 'E_GLUE_FILE' });
    expect(dir.message).toContain(join(work, 'QQP', 'dev.tsv'));
    expect(dir.message).toContain(join(work, 'qqp', 'validation-*.parquet'));
  });

  it('errors from files carry the path', async () => {
    const path = join(work, 'bad.tsv');
    writeFileSync(path, `${RTE}2\tx\n`);
    const e = await failure(() => collect(streamGlueTsvFile(path, 'rte', 'train')));
    expect(e.message.startsWith(`${path}:4: `)).toBe(true);
  });

  it('an unknown task or split lists the valid choices', async () => {
    expect(() => getTask('sst-2')).toThrow(UnknownTaskError);
    expect(() => getTask('sst-2')).toThrow('unknown task "sst-2"; expected one of cola, sst2, mrpc, qqp, stsb, mnli, qnli, rte, wnli, synthetic, synthetic-pair (or HF\'s mnli_matched, mnli_mismatched)');
    const split = await failure(() => collect(parseGlueTsv(RTE, 'mnli', 'validation')));
    expect(split.message).toBe('task mnli has no split "validation"; expected one of train, validation_matched, validation_mismatched, test_matched, test_mismatched');
    expect((await failure(() => loadGlueTask(work, 'glue', 'train'))).code).toBe('E_GLUE_TASK');
    expect((await failure(() => loadGlueTask(work, 'synthetic', 'train'))).message).toBe(
      "task synthetic is generated, not loaded from files: use syntheticExamples('synthetic', 'train', { seed })",
    );
  });
});

describe('fuzz: random mutations of GLUE TSVs never crash the parser', () => {
  const seeds: [string, string, string][] = [
    ['rte', 'train', RTE],
    ['cola', 'train', 'gj04\t1\t\tThe sailors rode the breeze.\ngj04\t0\t*\tThe more you eat, the more.\nw_80\t1\t\tJohn talked "to Bill.\n'],
    ['stsb', 'validation', 'index\tgenre\tfilename\tyear\told_index\tsource1\tsource2\tsentence1\tsentence2\tscore\n0\tmain\tMSRvid\t2012\t0\tnone\tnone\tA man.\tA man dances.\t3.800\n'],
    ['mrpc', 'train', '\uFEFFQuality\t#1 ID\t#2 ID\t#1 String\t#2 String\n1\t702876\t702977\tAmrozi "the witness".\tReferring "the witness".\n0\t1\t2\ta\tb\n'],
  ];
  const pieces = ['\t', '\n', '\r', '\r\n', '"', '', 'entailment', '1', '-1', '5.5', 'x', '\uFEFF', '\u0000', 'é', '\t\t'];

  it('5,000 mutated files: every outcome is examples or a GlueFormatError with file:line', async () => {
    const rng = new SeededRandom(12345);
    const outcomes = { parsed: 0, rejected: 0 };
    for (let n = 0; n < 5000; n++) {
      const [task, split, base] = seeds[n % seeds.length]!;
      let text = base;
      for (let m = 1 + rng.int(4); m > 0; m--) {
        const at = rng.int(text.length + 1);
        const kind = rng.int(4);
        if (kind === 0) text = text.slice(0, at) + rng.pick(pieces) + text.slice(at);
        else if (kind === 1) text = text.slice(0, at) + text.slice(at + 1 + rng.int(8));
        else if (kind === 2) text = text.slice(0, at);
        else text = text.slice(0, at) + String.fromCharCode(rng.int(0x80)) + text.slice(at + 1);
      }
      const asBytes = rng.int(2) === 0;
      let source: string | Uint8Array = text;
      if (asBytes) {
        const bytes = new TextEncoder().encode(text);
        if (rng.int(3) === 0 && bytes.length > 0) bytes[rng.int(bytes.length)] = 0x80 + rng.int(0x80); // invalid UTF-8 too
        source = bytes;
      }
      try {
        const rows = await collect(parseGlueTsv(source, task, split, { file: 'fuzz.tsv', allowCrlf: rng.int(2) === 0 }));
        for (const r of rows) {
          expect(typeof r.textA).toBe('string');
          expect(r.label === null || Number.isFinite(r.label)).toBe(true);
        }
        outcomes.parsed++;
      } catch (e) {
        if (!(e instanceof GlueFormatError)) throw new Error(`mutation ${n} of ${task}: ${String(e)}\n${JSON.stringify(text)}`);
        expect(e.message).toMatch(/^fuzz\.tsv:\d+: expected|^fuzz\.tsv:1: missing column/);
        outcomes.rejected++;
      }
    }
    // both outcomes occur, so the fuzz exercised acceptance as well as rejection
    expect(outcomes.parsed).toBeGreaterThan(100);
    expect(outcomes.rejected).toBeGreaterThan(100);
  });

  it('2,000 mutated CSV/JSONL user files: examples or a GlueFormatError, never anything else', async () => {
    const rng = new SeededRandom(777);
    const bases: [string, 'csv' | 'jsonl'][] = [
      ['sentence1,sentence2,label\n"a, ""b""",c,1\nd,"e\nf",0\n', 'csv'],
      ['{"sentence":"a","label":1}\n{"sentence":"b \\"q\\"","label":0}\n', 'jsonl'],
    ];
    const pieces = [',', '"', '""', '\n', '\r\n', '{', '}', ':', '-1', 'x', '\t'];
    let rejected = 0;
    for (let n = 0; n < 2000; n++) {
      const [base, format] = bases[n % bases.length]!;
      let text = base;
      for (let m = 1 + rng.int(3); m > 0; m--) {
        const at = rng.int(text.length + 1);
        text = rng.int(2) === 0 ? text.slice(0, at) + rng.pick(pieces) + text.slice(at) : text.slice(0, at) + text.slice(at + 1 + rng.int(4));
      }
      try {
        await collect(parseDataFile(text, { format, file: 'fuzz' }));
      } catch (e) {
        if (!(e instanceof GlueFormatError)) throw new Error(`${format} mutation ${n}: ${String(e)}\n${JSON.stringify(text)}`);
        rejected++;
      }
    }
    expect(rejected).toBeGreaterThan(100);
  });
});
