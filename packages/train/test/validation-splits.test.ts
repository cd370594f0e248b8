import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tokenizeExamples, type Batch, type GlueExample, type TokenizedDataset } from '@edora/glue';
import { byteLevelTokenizer } from '@edora/models';
import { tensor, zeros, type Tensor } from '@edora/tensor';
import {
  decodeCheckpoint, evaluateValidation, fit, validationSplits,
  type CheckpointMeta, type EpochRecord, type SequenceClassifier, type TrainSink,
} from '../src/index.js';
import { RUN_FILES, writeRunResults } from '../src/node.js';

// MNLI-shaped evaluation with fixed predictions, so that every metric is a hand count. The model
// predicts, for the example with a given idx, the class a table says, with logit 5 on it and 0 on
// the two others; the table changes with the epoch (it counts the train(true) calls fit makes
// before training and after each evaluation but the last). Matched examples have idx 0..6, mismatched ones idx 100..104.
const MATCHED_LABELS = [0, 1, 2, 0, 1, 2, 2];
const MISMATCHED_LABELS = [1, 1, 2, 0, 0];
const PREDICTED: Record<number, number>[] = [
  // epoch 1: matched 6 of 7 right (idx 6 says 0, is 2); mismatched 3 of 5 (idx 100 and 104 wrong)
  { 0: 0, 1: 1, 2: 2, 3: 0, 4: 1, 5: 2, 6: 0, 100: 0, 101: 1, 102: 2, 103: 0, 104: 1 },
  // epoch 2: matched 2 of 7 (only the two 0 labels); mismatched 5 of 5
  { 0: 0, 1: 0, 2: 0, 3: 0, 4: 0, 5: 0, 6: 0, 100: 1, 101: 1, 102: 2, 103: 0, 104: 0 },
];

class TableModel implements SequenceClassifier {
  /** A trainable tensor the logits depend on with weight 0, so the optimizer has something to step. */
  readonly bias: Tensor;
  private epochsStarted = 0;
  constructor() {
    this.bias = zeros([3]);
    this.bias.requiresGrad = true;
  }

  train(mode = true): void {
    if (mode) this.epochsStarted++;
  }

  logits(batch: Batch): Tensor {
    const table = PREDICTED[Math.max(0, this.epochsStarted - 1)]!;
    const values = new Float32Array(batch.batchSize * 3);
    for (let i = 0; i < batch.batchSize; i++) values[i * 3 + (table[batch.idx[i]!] ?? 0)] = 5;
    return tensor(values, [batch.batchSize, 3]).add(this.bias.mul(0));
  }
}

function dataset(labels: number[], firstIdx: number): TokenizedDataset {
  const examples: GlueExample[] = labels.map((label, i) => ({ idx: firstIdx + i, textA: `premise ${i}`, textB: `hypothesis ${i}`, label }));
  return tokenizeExamples(examples, byteLevelTokenizer(), { maxLength: 32 });
}
const matched = dataset(MATCHED_LABELS, 0);
const mismatched = dataset(MISMATCHED_LABELS, 100);
const train = dataset([0, 1, 2, 0, 1, 2], 0);

// cross-entropy of logits (5, 0, 0): log(e⁵ + 2) − 5 when right, log(e⁵ + 2) when wrong
const LSE = Math.log(Math.exp(5) + 2);
const meanLoss = (right: number, n: number): number => (right * (LSE - 5) + (n - right) * LSE) / n;

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function runMnli(extra: Partial<Parameters<typeof fit>[0]> = {}): Promise<{ results: Awaited<ReturnType<typeof fit>>; epochs: EpochRecord[]; checkpoints: CheckpointMeta[] }> {
  const model = new TableModel();
  const epochs: EpochRecord[] = [];
  const checkpoints: CheckpointMeta[] = [];
  const sink: TrainSink = {
    log: (r) => void (r.type === 'epoch' && epochs.push(r)),
    checkpoint: (_bytes, meta) => void checkpoints.push(structuredClone(meta)),
  };
  const results = await fit({
    model, groups: [{ name: 'head', params: [{ name: 'bias', tensor: model.bias }], lr: 0.1 }],
    task: 'mnli', train, validation: { validation_matched: matched, validation_mismatched: mismatched },
    epochs: 2, batchSize: 4, seed: 1, padding: 'longest', sink, ...extra,
  });
  return { results, epochs, checkpoints };
}

describe('several validation splits (MNLI matched and mismatched)', () => {
  it('each epoch scores both splits (hand counts), reports the matched split on top, and picks the best epoch by it', async () => {
    const { results, epochs, checkpoints } = await runMnli();
    expect(results.reportedSplit).toBe('validation_matched');
    expect(results.mainMetric).toBe('accuracy');
    const byEpoch = results.epochs.map((e) => ({
      matched: e.splits!.validation_matched!.metrics.accuracy,
      mismatched: e.splits!.validation_mismatched!.metrics.accuracy,
    }));
    expect(byEpoch[0]!.matched).toBeCloseTo(6 / 7, 15);
    expect(byEpoch[0]!.mismatched).toBeCloseTo(3 / 5, 15);
    expect(byEpoch[1]!.matched).toBeCloseTo(2 / 7, 15);
    expect(byEpoch[1]!.mismatched).toBeCloseTo(5 / 5, 15);
    expect(results.epochs[0]!.splits!.validation_matched!.evalLoss).toBeCloseTo(meanLoss(6, 7), 5);
    expect(results.epochs[0]!.splits!.validation_mismatched!.evalLoss).toBeCloseTo(meanLoss(3, 5), 5);
    expect(results.epochs[1]!.splits!.validation_mismatched!.evalLoss).toBeCloseTo(meanLoss(5, 5), 5);
    // the top-level scores are the reported split's, the same numbers
    for (const e of results.epochs) {
      expect(e.metrics).toEqual(e.splits!.validation_matched!.metrics);
      expect(e.evalLoss).toBe(e.splits!.validation_matched!.evalLoss);
    }
    // best by matched is epoch 1, although mismatched is better in epoch 2
    expect(results.best!.epoch).toBe(1);
    expect(results.last!.epoch).toBe(2);
    expect(results.best!.splits!.validation_mismatched!.metrics.accuracy).toBeCloseTo(3 / 5, 15);
    // the epochs.jsonl records and the checkpoint's history carry the same per-split scores
    expect(epochs.map((e) => e.splits)).toEqual(results.epochs.map((e) => e.splits));
    expect(checkpoints.at(-1)!.history.map((e) => e.splits)).toEqual(results.epochs.map((e) => e.splits));
  });

  it('a resumed run keeps the splits of the epochs before the checkpoint', async () => {
    const model = new TableModel();
    let first: Uint8Array | null = null;
    await fit({
      model, groups: [{ name: 'head', params: [{ name: 'bias', tensor: model.bias }], lr: 0.1 }],
      task: 'mnli', train, validation: { validation_matched: matched, validation_mismatched: mismatched },
      epochs: 2, batchSize: 4, seed: 1, padding: 'longest',
      sink: { checkpoint: (bytes, meta) => void (meta.epoch === 1 && (first = bytes)) },
    });
    expect(decodeCheckpoint(first!).meta.history[0]!.splits!.validation_mismatched!.metrics.accuracy).toBeCloseTo(3 / 5, 15);
    const { results } = await runMnli({ resume: first! });
    expect(results.epochs).toHaveLength(2);
    expect(results.epochs[0]!.splits!.validation_matched!.metrics.accuracy).toBeCloseTo(6 / 7, 15);
    expect(results.best!.epoch).toBe(1);
  });

  it('reportedSplit picks another split to rank epochs', async () => {
    const { results } = await runMnli({ reportedSplit: 'validation_mismatched' });
    expect(results.reportedSplit).toBe('validation_mismatched');
    expect(results.best!.epoch).toBe(2);
    expect(results.best!.metrics.accuracy).toBe(1);
  });

  it('one split (a dataset, or a record of one) leaves the records as they were: no splits, no reportedSplit', async () => {
    for (const validation of [matched, { validation_matched: matched }]) {
      const { results, epochs } = await runMnli({ validation });
      expect(Object.keys(results.epochs[0]!)).toEqual(['epoch', 'step', 'epochFraction', 'trainLoss', 'evalLoss', 'metrics', 'tokensPerSecond', 'seconds']);
      expect(Object.keys(epochs[0]!)).toEqual(['type', 'epoch', 'step', 'epochFraction', 'trainLoss', 'evalLoss', 'metrics', 'tokensPerSecond', 'seconds']);
      expect('reportedSplit' in results).toBe(false);
      expect(results.epochs[0]!.metrics.accuracy).toBeCloseTo(6 / 7, 15);
    }
  });

  it('refuses validation splits without the reported one, or none at all, before training', async () => {
    await expect(runMnli({ validation: { dev_a: matched, dev_b: mismatched } })).rejects.toMatchObject({
      code: 'E_TRAIN_OPTION',
      message: 'validation: expected the split "validation_matched" among the validation splits (its scores are reported and rank epochs); found "dev_a", "dev_b"',
    });
    await expect(runMnli({ validation: {} })).rejects.toThrow('validation: expected at least one validation split; found none');
    expect(validationSplits(matched, 'rte')).toEqual({ reported: 'validation', splits: [['validation', matched]] });
  });

  it('evaluateValidation returns each split\'s predictions in dataset order', async () => {
    const model = new TableModel();
    model.train(true);
    const { scores, evaluations } = await evaluateValidation(model, 'mnli', validationSplits({ validation_matched: matched, validation_mismatched: mismatched }, 'mnli'), 3);
    expect(Object.keys(evaluations)).toEqual(['validation_matched', 'validation_mismatched']);
    expect(Array.from(evaluations.validation_matched!.predictions)).toEqual([0, 1, 2, 0, 1, 2, 0]);
    expect(Array.from(evaluations.validation_mismatched!.idx)).toEqual([100, 101, 102, 103, 104]);
    expect(Array.from(evaluations.validation_mismatched!.predictions)).toEqual([0, 1, 2, 0, 1]);
    expect(scores.metrics.accuracy).toBeCloseTo(6 / 7, 15);
    expect(scores.splits!.validation_mismatched!.metrics.accuracy).toBeCloseTo(3 / 5, 15);
  });

  it('results.json names the reported split and holds both; the plot draws one metric line per split', async () => {
    const { results } = await runMnli();
    const dir = await mkdtemp(join(tmpdir(), 'edora-mnli-'));
    dirs.push(dir);
    await writeRunResults(dir, results, 'MNLI');
    const json = JSON.parse(await readFile(join(dir, RUN_FILES.results), 'utf8')) as typeof results;
    expect(json.reportedSplit).toBe('validation_matched');
    expect(json.best!.splits!.validation_mismatched!.metrics.accuracy).toBeCloseTo(3 / 5, 15);
    const svg = await readFile(join(dir, RUN_FILES.plotSvg), 'utf8');
    const lines = [...svg.matchAll(/<polyline[^>]*?(stroke-dasharray="[^"]*")?[^>]*points="([^"]+)"/g)];
    expect(lines).toHaveLength(4); // train loss, eval loss, accuracy matched, accuracy mismatched
    expect(svg).toContain('>accuracy matched</text>');
    expect(svg).toContain('>accuracy mismatched</text>');
    // matched (reported) is solid, mismatched dashed; mismatched's epoch-2 point (1.0) is the top of the metric axis
    const [, , m, mm] = lines;
    expect(m![0]).not.toContain('stroke-dasharray');
    expect(mm![0]).toContain('stroke-dasharray');
    const y = (pts: string): number[] => pts.split(' ').map((p) => Number(p.split(',')[1]));
    expect(Math.min(...y(mm![2]!))).toBeCloseTo(36, 5); // PAD.top
  });
});
