import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AX_SIZE, SUBMISSION_TARGETS, getTask, glueSubmission } from '@edora/glue';
import { writeSubmissionFiles } from '@edora/glue/node';

const work = mkdtempSync(join(tmpdir(), 'edora-glue-sub-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

describe('GLUE submission files', () => {
  it('writes index\\tprediction in idx order: ids for CoLA-like tasks, names for NLI tasks, 3-decimal clipped scores for STS-B', () => {
    const off = { checkSize: false };
    expect(glueSubmission('cola', [2, 0, 1], [1, 0, 1], off)).toEqual({ fileName: 'CoLA.tsv', contents: 'index\tprediction\n0\t0\n1\t1\n2\t1\n' });
    expect(glueSubmission('rte', [0, 1], [1, 0], off).contents).toBe('index\tprediction\n0\tnot_entailment\n1\tentailment\n');
    expect(glueSubmission('mnli-mm', [0, 1, 2], [0, 1, 2], off)).toEqual({
      fileName: 'MNLI-mm.tsv',
      contents: 'index\tprediction\n0\tentailment\n1\tneutral\n2\tcontradiction\n',
    });
    expect(glueSubmission('ax', [0], [2], off)).toEqual({ fileName: 'AX.tsv', contents: 'index\tprediction\n0\tcontradiction\n' });
    expect(glueSubmission('stsb', [0, 1, 2], [5.4, -0.2, 2.34567], off).contents).toBe('index\tprediction\n0\t5.000\n1\t0.000\n2\t2.346\n');
    expect(glueSubmission('wnli', [0], [1], off).contents).toBe('index\tprediction\n0\t1\n');
  });

  it('names the file the server expects for each of the 11 targets', () => {
    const names = SUBMISSION_TARGETS.map((t) => glueSubmission(t, [0], [0], { checkSize: false }).fileName);
    expect(names).toEqual(['CoLA.tsv', 'SST-2.tsv', 'MRPC.tsv', 'QQP.tsv', 'STS-B.tsv', 'MNLI-m.tsv', 'MNLI-mm.tsv', 'QNLI.tsv', 'RTE.tsv', 'WNLI.tsv', 'AX.tsv']);
  });

  it('checks one prediction per test example, distinct idx, valid class ids', () => {
    expect(() => glueSubmission('rte', [0, 1], [0, 1])).toThrow('RTE.tsv: expected 3000 predictions (the rte test set); found 2');
    const n = getTask('wnli').sizes.test!;
    expect(glueSubmission('wnli', range(n), range(n).map((i) => i % 2)).contents.split('\n')).toHaveLength(n + 2);
    expect(() => glueSubmission('cola', [0, 0], [1, 1], { checkSize: false })).toThrow('CoLA.tsv: expected distinct idx; found 0 twice');
    expect(() => glueSubmission('qnli', [0], [2], { checkSize: false })).toThrow('QNLI.tsv: expected a class id 0..1 (entailment, not_entailment); found 2');
    expect(() => glueSubmission('mnli', [0], [0])).toThrow('unknown submission target "mnli"; expected one of cola, sst2, mrpc, qqp, stsb, mnli-m, mnli-mm, qnli, rte, wnli, ax');
    expect(AX_SIZE).toBe(1104);
  });

  it('round trip: a written RTE submission reads back, line by line, as the predictions in idx order', async () => {
    const n = getTask('rte').sizes.test!;
    const preds = range(n).map((i) => (i * 7919) % 3 === 0 ? 1 : 0);
    const shuffled = range(n).reverse(); // given out of order, written in idx order
    const [path] = await writeSubmissionFiles(work, [glueSubmission('rte', shuffled, shuffled.map((i) => preds[i]!))]);
    expect(readdirSync(work)).toEqual(['RTE.tsv']);
    const lines = readFileSync(path!, 'utf8').split('\n');
    expect(lines[0]).toBe('index\tprediction');
    expect(lines.at(-1)).toBe('');
    const back = lines.slice(1, -1).map((l) => l.split('\t'));
    expect(back.map(([i]) => Number(i))).toEqual(range(n));
    expect(back.map(([, name]) => getTask('rte').labelNames.indexOf(name!))).toEqual(preds);
  });
});
