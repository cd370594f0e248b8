import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main, type Io } from '../src/cli.js';

function capture(): Io & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  const stream = (append: (s: string) => void): NodeJS.WriteStream => ({ write: (s: string) => (append(s), true), isTTY: false, columns: 80 }) as unknown as NodeJS.WriteStream;
  return { stdout: stream((s) => (out += s)), stderr: stream((s) => (err += s)), out: () => out, err: () => err };
}

// The shared data has no MNLI files, so this writes a tiny GLUE folder in the download script's
// MNLI layout: train.tsv with 12 columns, dev_matched / dev_mismatched with 16 (five annotator
// labels, then gold_label), test_matched / test_mismatched with 10, plus the AX diagnostic file.
const HEAD = ['index', 'promptID', 'pairID', 'genre', 'sentence1_binary_parse', 'sentence2_binary_parse', 'sentence1_parse', 'sentence2_parse', 'sentence1', 'sentence2'];
const PARSE = '( ( The cat ) ( sat . ) )';
const row = (i: number, genre: string, premise: string, hypothesis: string, ...labels: string[]): string =>
  [String(i), String(1000 + i), `${1000 + i}c`, genre, PARSE, PARSE, PARSE, PARSE, premise, hypothesis, ...labels].join('\t');
const file = (header: string[], rows: string[]): string => [header.join('\t'), ...rows].join('\n') + '\n';

// Every training pair is a contradiction, so the trained classifier predicts contradiction for
// every input, and each validation accuracy is the share of contradictions in its split, counted
// by hand below. Line 9 of train.tsv (index 7) has gold label "-", as unresolved pairs do in the
// NLI corpora: a malformed row for --skip-malformed.
const TRAIN_PAIRS: [string, string][] = [
  ['The cat sat on the mat.', 'The cat has never sat.'],
  ['A man is playing a guitar.', 'Nobody is playing music.'],
  ['The shop opens at nine.', 'The shop never opens.'],
  ['Two dogs run in the park.', 'No animals are outside.'],
  ['She bought three apples.', 'She bought nothing.'],
  ['The train left on time.', 'The train was cancelled.'],
  ['He is reading a book.', 'He cannot read.'],
  ['The river is frozen.', 'The river is warm.'],
];
const TRAIN = file([...HEAD, 'label1', 'gold_label'], [
  ...[0, 1, 2].flatMap((round) => TRAIN_PAIRS.map(([p, h], k) => row(round * 8 + k, 'fiction', p, h, 'contradiction', 'contradiction'))),
]).replace(/^(7\t.*)contradiction$/m, '$1-');

const MATCHED: [string, string, string][] = [
  ['The children are asleep.', 'The children are sleeping.', 'entailment'],
  ['The door is open.', 'The door is shut.', 'contradiction'],
  ['A woman walks her dog.', 'The woman is going home.', 'neutral'],
  ['It is raining hard.', 'The weather is dry.', 'contradiction'],
  ['The tea is hot.', 'The tea is warm.', 'entailment'],
  ['He sold his car.', 'He needed the money.', 'neutral'],
  ['The lights are on.', 'It is dark inside.', 'contradiction'],
  ['They won the match.', 'They played a match.', 'entailment'],
]; // 3 contradictions of 8
const MISMATCHED: [string, string, string][] = [
  ['The letter arrived today.', 'No letter ever came.', 'contradiction'],
  ['The bridge is closed.', 'Cars cross the bridge.', 'contradiction'],
  ['The baby laughed.', 'The baby made a sound.', 'entailment'],
  ['The museum is free.', 'Tickets cost a lot.', 'contradiction'],
  ['A bird sang.', 'It was morning.', 'neutral'],
  ['The glass is empty.', 'The glass is full of milk.', 'contradiction'],
]; // 4 contradictions of 6
const dev = (rows: [string, string, string][], genre: string): string =>
  file([...HEAD, 'label1', 'label2', 'label3', 'label4', 'label5', 'gold_label'], rows.map(([p, h, l], i) => row(i, genre, p, h, l, l, l, l, l, l)));
const test = (n: number, genre: string): string => file(HEAD, Array.from({ length: n }, (_, i) => row(i, genre, `Premise ${i} of the ${genre} test.`, `Hypothesis ${i}.`)));
const AX = 'index\tsentence1\tsentence2\n0\tThe cat sat on the mat.\tThe cat did not sit on the mat.\n1\tThe cat did not sit on the mat.\tThe cat sat on the mat.\n2\tNo dog barked.\tA dog barked.\n';

let dir = '';
let glue = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'edora-mnli-'));
  glue = join(dir, 'glue');
  await mkdir(join(glue, 'MNLI'), { recursive: true });
  await mkdir(join(glue, 'diagnostic'), { recursive: true });
  await writeFile(join(glue, 'MNLI', 'train.tsv'), TRAIN);
  await writeFile(join(glue, 'MNLI', 'dev_matched.tsv'), dev(MATCHED, 'slate'));
  await writeFile(join(glue, 'MNLI', 'dev_mismatched.tsv'), dev(MISMATCHED, 'letters'));
  await writeFile(join(glue, 'MNLI', 'test_matched.tsv'), test(5, 'slate'));
  await writeFile(join(glue, 'MNLI', 'test_mismatched.tsv'), test(4, 'letters'));
  await writeFile(join(glue, 'diagnostic', 'diagnostic.tsv'), AX);
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
});

const MATCHED_ACCURACY = 3 / 8;
const MISMATCHED_ACCURACY = 4 / 6;

interface Scores { evalLoss: number; metrics: { accuracy: number } }
interface Epoch extends Scores { epoch: number; splits: Record<string, Scores> }

describe('MNLI matched and mismatched, end to end on the tiny preset', () => {
  it('train and eval score both validation splits (hand counts), report each, rank epochs by matched; predict writes MNLI-m, MNLI-mm and AX', async () => {
    const run = join(dir, 'run');
    const args = ['train', '--task', 'mnli', '--data-dir', glue, '--model', 'tiny', '--method', 'edora', '--rank', '4', '--epochs', '3',
      '--batch-size', '8', '--max-seq-length', '64', '--padding', 'longest', '--lr', '5e-2', '--cls-lr', '5e-2', '--seed', '2',
      '--backend', 'cpu', '--output-dir', run];

    // the "-" gold label is a typed error with file:line by default, and skipped and reported with --skip-malformed
    await expect(main(args, capture())).rejects.toThrow(`${join(glue, 'MNLI', 'train.tsv')}:9: expected a label in entailment, neutral, contradiction; found "-"`);
    const io = capture();
    expect(await main([...args, '--skip-malformed'], io)).toBe(0);
    expect(io.err()).toContain(`skipped 1 malformed row; the first 1:\n  ${join(glue, 'MNLI', 'train.tsv')}:9: expected a label`);
    expect(io.err()).toContain('23 train / 8 validation_matched + 6 validation_mismatched examples');
    // the progress lines and the table name both splits
    expect(io.err()).toMatch(/epoch 3 \(step 9\): train loss \d\.\d{4} validation_matched: eval loss \d\.\d{4} accuracy 0\.3750; validation_mismatched: eval loss \d\.\d{4} accuracy 0\.6667 \(/);
    expect(io.out()).toContain('last evaluation, epoch 3 (step 9): validation_matched: accuracy 0.3750; validation_mismatched: accuracy 0.6667\n');
    expect(io.out()).toContain('best evaluation, by validation_matched, epoch 1 (step 3): validation_matched: accuracy 0.3750; validation_mismatched: accuracy 0.6667\n');

    // results.json: every epoch holds both splits; the top-level metrics and best are matched's
    const results = JSON.parse(await readFile(join(run, 'results.json'), 'utf8')) as {
      reportedSplit: string; mainMetric: string; skippedMalformedRows: number; epochs: Epoch[]; last: Epoch; best: Epoch;
    };
    expect(results).toMatchObject({ reportedSplit: 'validation_matched', mainMetric: 'accuracy', skippedMalformedRows: 1 });
    expect(results.epochs).toHaveLength(3);
    for (const e of results.epochs) {
      expect(e.splits.validation_matched!.metrics.accuracy).toBeCloseTo(MATCHED_ACCURACY, 12);
      expect(e.splits.validation_mismatched!.metrics.accuracy).toBeCloseTo(MISMATCHED_ACCURACY, 12);
      expect(e.metrics).toEqual(e.splits.validation_matched!.metrics);
      expect(e.evalLoss).toBe(e.splits.validation_matched!.evalLoss);
    }
    // the JSON log has the same per-split scores, one line per epoch
    const logged = (await readFile(join(run, 'epochs.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Epoch);
    expect(logged.map((e) => e.splits)).toEqual(results.epochs.map((e) => e.splits));

    // eval: both splits, the same numbers, in text and JSON
    const text = capture();
    expect(await main(['eval', '--run', run, '--backend', 'cpu'], text)).toBe(0);
    const lines = text.out().trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^mnli validation_matched \(8 examples\): loss \d\.\d{4}, accuracy 0\.3750$/);
    expect(lines[1]).toMatch(/^mnli validation_mismatched \(6 examples\): loss \d\.\d{4}, accuracy 0\.6667$/);
    const json = capture();
    expect(await main(['eval', '--run', run, '--backend', 'cpu', '--json'], json)).toBe(0);
    const ev = JSON.parse(json.out()) as { task: string; examples: number; loss: number; metrics: { accuracy: number }; reportedSplit: string; splits: Record<string, { examples: number; loss: number; metrics: { accuracy: number } }> };
    expect(ev).toMatchObject({ task: 'mnli', examples: 8, reportedSplit: 'validation_matched' });
    expect(ev.metrics.accuracy).toBeCloseTo(MATCHED_ACCURACY, 12);
    expect(ev.splits.validation_mismatched).toMatchObject({ examples: 6 });
    expect(ev.splits.validation_mismatched!.metrics.accuracy).toBeCloseTo(MISMATCHED_ACCURACY, 12);
    // the trained weights are the last epoch's: eval recomputes its losses
    expect(ev.splits.validation_matched!.loss).toBeCloseTo(results.last.splits.validation_matched!.evalLoss, 4);
    expect(ev.splits.validation_mismatched!.loss).toBeCloseTo(results.last.splits.validation_mismatched!.evalLoss, 4);

    // predict: both test splits by default, label names in index order; AX on request
    const submission = join(dir, 'submission');
    const pr = capture();
    expect(await main(['predict', '--run', run, '--backend', 'cpu', '--output-dir', submission, '--json'], pr)).toBe(0);
    expect(JSON.parse(pr.out())).toEqual({
      files: [join(submission, 'MNLI-m.tsv'), join(submission, 'MNLI-mm.tsv')], rows: 9,
      splits: { test_matched: { file: join(submission, 'MNLI-m.tsv'), rows: 5 }, test_mismatched: { file: join(submission, 'MNLI-mm.tsv'), rows: 4 } },
    });
    const tsv = async (name: string): Promise<string[]> => (await readFile(join(submission, name), 'utf8')).trimEnd().split('\n');
    expect(await tsv('MNLI-m.tsv')).toEqual(['index\tprediction', ...[0, 1, 2, 3, 4].map((i) => `${i}\tcontradiction`)]);
    expect(await tsv('MNLI-mm.tsv')).toEqual(['index\tprediction', ...[0, 1, 2, 3].map((i) => `${i}\tcontradiction`)]);
    const ax = capture();
    expect(await main(['predict', '--run', run, '--backend', 'cpu', '--output-dir', submission, '--split', 'ax'], ax)).toBe(0);
    expect(ax.out()).toBe(`wrote ${join(submission, 'AX.tsv')} (3 rows)\n`);
    expect(await tsv('AX.tsv')).toEqual(['index\tprediction', '0\tcontradiction', '1\tcontradiction', '2\tcontradiction']);
    await expect(main(['predict', '--run', run, '--split', 'validation_matched'], capture()))
      .rejects.toThrow('--split: mnli has no submission file for "validation_matched"; valid choices: test_matched, test_mismatched, ax');
  }, 180_000);
});
