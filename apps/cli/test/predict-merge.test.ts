import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batches, syntheticExamples, tokenizeExamples } from '@edora/glue';
import { byteLevelTokenizer, RobertaForSequenceClassification, robertaPreset } from '@edora/models';
import { fromPretrained } from '@edora/models/node';
import { argmax, manualSeed, noGrad, tensor, tidy, type Tensor } from '@edora/tensor';
import { readSafetensorsFile } from '@edora/tensor/node';
import { main, type Io } from '../src/cli.js';
import { hasTinyRoberta, repoRoot, runCli, tinyRoberta } from './helpers.js';
import { loadTrainedRun } from '../src/trained-run.js';

function capture(): Io & { out: () => string } {
  let text = '';
  const stream = { write: (s: string) => ((text += s), true), isTTY: false, columns: 80 } as unknown as NodeJS.WriteStream;
  return { stdout: stream, stderr: stream, out: () => text };
}

// A GLUE folder in the download layout, SST-2 only, written here: sentences from the synthetic
// generator stand in for reviews (the commands only care about the layout). test.tsv has GLUE's
// unlabelled `index\tsentence` form.
const TEST_ROWS = 37;
let dir = '';
let glue = '';
let testSentences: string[] = [];
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'edora-predict-'));
  glue = join(dir, 'glue');
  await mkdir(join(glue, 'SST-2'), { recursive: true });
  const rows = (split: string, size: number): { textA: string; label: unknown }[] => syntheticExamples('synthetic', split, { seed: 4, size });
  const labelled = (examples: { textA: string; label: unknown }[]): string => ['sentence\tlabel', ...examples.map((e) => `${e.textA}\t${String(e.label)}`)].join('\n') + '\n';
  await writeFile(join(glue, 'SST-2', 'train.tsv'), labelled(rows('train', 48)));
  await writeFile(join(glue, 'SST-2', 'dev.tsv'), labelled(rows('validation', 16)));
  testSentences = rows('test', TEST_ROWS).map((e) => e.textA);
  await writeFile(join(glue, 'SST-2', 'test.tsv'), ['index\tsentence', ...testSentences.map((s, i) => `${i}\t${s}`)].join('\n') + '\n');
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
});

describe('predict and merge of a trained run', () => {
  it('predict writes the GLUE submission; merge writes a plain safetensors RoBERTa that predicts as the adapted model', async () => {
    const run = join(dir, 'run');
    const train = ['train', '--task', 'sst2', '--data-dir', glue, '--model', 'tiny', '--method', 'edora', '--rank', '4', '--epochs', '2',
      '--batch-size', '16', '--max-seq-length', '64', '--padding', 'longest', '--lr', '2e-2', '--cls-lr', '2e-2', '--seed', '5', '--output-dir', run, '--json'];
    const trained = capture();
    expect(await main(train, trained)).toBe(0);
    // one validation split: the records and outputs have no per-split parts
    const summary = JSON.parse(trained.out()) as Record<string, unknown>;
    expect('reportedSplit' in summary).toBe(false);
    const last = summary.last as Record<string, unknown>;
    expect(Object.keys(last)).toEqual(['epoch', 'step', 'epochFraction', 'trainLoss', 'evalLoss', 'metrics', 'tokensPerSecond', 'seconds']);
    // evaluated at the end of epoch 2: the global step is the run's last one, the fraction a whole epoch count
    expect(last.epoch).toBe(2);
    expect(last.epochFraction).toBe(2);
    expect(last.step).toBe(summary.steps);
    const evalText = capture();
    expect(await main(['eval', '--run', run], evalText)).toBe(0);
    expect(evalText.out()).toMatch(/^sst2 validation \(16 examples\): loss \d\.\d{4}, accuracy \d\.\d{4}\n$/);
    const evalJson = capture();
    expect(await main(['eval', '--run', run, '--json'], evalJson)).toBe(0);
    expect(Object.keys(JSON.parse(evalJson.out()) as object)).toEqual(['task', 'examples', 'loss', 'metrics']);

    // predict: SST-2.tsv, header `index\tprediction`, one row per test example in index order, class ids
    const io = capture();
    expect(await main(['predict', '--run', run, '--json'], io)).toBe(0);
    expect(JSON.parse(io.out())).toEqual({ files: [join(run, 'submission', 'SST-2.tsv')], rows: TEST_ROWS });
    const lines = (await readFile(join(run, 'submission', 'SST-2.tsv'), 'utf8')).trimEnd().split('\n');
    expect(lines[0]).toBe('index\tprediction');
    expect(lines).toHaveLength(TEST_ROWS + 1);
    const submitted = lines.slice(1).map((l, i) => {
      const [index, prediction] = l.split('\t');
      expect(Number(index)).toBe(i);
      expect(['0', '1']).toContain(prediction);
      return Number(prediction);
    });

    // merge: config.json + model.safetensors holding plain RoBERTa weights, no adapter tensors
    const merged = join(dir, 'merged');
    expect(await main(['merge', '--run', run, '--output-dir', merged, '--json'], capture())).toBe(0);
    const weights = await readSafetensorsFile(join(merged, 'model.safetensors'));
    expect([...weights.keys()].filter((k) => /lora|magnitude/.test(k))).toEqual([]);
    const query = weights.get('roberta.encoder.layer.0.attention.self.query.weight')!;
    expect(query.shape).toEqual([64, 64]);
    // the adapter's update is in it: the query weight moved away from the run's seeded random base
    manualSeed(5);
    const base = new RobertaForSequenceClassification(robertaPreset('tiny', { numLabels: 2 }), { seed: 5 });
    const before = (await base.namedParameters().find(([n]) => n === 'roberta.encoder.layer.0.attention.self.query.weight')![1].data()) as Float32Array;
    const moved = Math.max(...Array.from(query.data as Float32Array, (x, i) => Math.abs(x - before[i]!)));
    expect(moved).toBeGreaterThan(1e-4);

    // the merged folder loaded as any checkpoint (no adapters) against the run rebuilt with its
    // adapter: same logits up to float32 rounding, and the predictions predict wrote
    const { model: plain } = await fromPretrained(merged, { numLabels: 2 });
    plain.eval();
    const { built } = await loadTrainedRun(run);
    const data = tokenizeExamples(testSentences.map((textA, idx) => ({ idx, textA, label: null })), byteLevelTokenizer(), { maxLength: 64, kind: 'classification' });
    const mergedPredictions: number[] = [];
    for (const b of batches(data, { batchSize: 16 })) {
      const shape = [b.batchSize, b.seqLength];
      const [a, m] = noGrad(() => tidy((): [Tensor, Tensor] => [
        built.classifier.logits(b),
        plain.forward({ inputIds: tensor(b.inputIds, shape), attentionMask: tensor(b.attentionMask, shape) }),
      ]));
      const adapted = (await a.data()) as Float32Array;
      const plainLogits = (await m.data()) as Float32Array;
      for (let i = 0; i < adapted.length; i++) expect(Math.abs(plainLogits[i]! - adapted[i]!)).toBeLessThan(1e-4);
      const p = argmax(m, 1);
      mergedPredictions.push(...Array.from((await p.data()) as ArrayLike<number>, Number));
      for (const t of [a, m, p]) t.dispose();
    }
    expect(mergedPredictions).toEqual(submitted);
  }, 300_000);
});

describe.skipIf(!hasTinyRoberta)(`a run folder used later, from elsewhere (tiny-roberta-mlm base${hasTinyRoberta ? '' : `; skipped: no model.safetensors in ${tinyRoberta}`})`, () => {
  it('eval finds a base given relative to another directory; best/ and numbered checkpoints are kept; merge writes a complete HF folder that eval takes as --model', async () => {
    const run = join(dir, 'later');
    // trained from the repository root with a relative --model; evaluated from this test's directory, where that path means nothing
    const model = relative(repoRoot, tinyRoberta);
    const trained = await runCli(['train', '--task', 'sst2', '--data-dir', glue, '--model', model, '--method', 'lora', '--rank', '2', '--epochs', '2',
      '--batch-size', '16', '--max-seq-length', '32', '--padding', 'longest', '--lr', '2e-3', '--cls-lr', '2e-3', '--backend', 'cpu',
      '--save-total-limit', '1', '--output-dir', run, '--json']);
    expect(trained.code, trained.output).toBe(0);
    const results = JSON.parse(await readFile(join(run, 'results.json'), 'utf8')) as { best: { epoch: number }; trainedEpoch: unknown; steps: number; paths: { model: { fromRun: string } } };
    expect(results.trainedEpoch).toEqual({ from: 'last', epoch: 2, step: results.steps });
    expect(join(run, results.paths.model.fromRun)).toBe(tinyRoberta);
    expect(JSON.parse(await readFile(join(run, 'best', 'epoch.json'), 'utf8'))).toMatchObject({ epoch: results.best.epoch, metric: 'accuracy' });
    expect((await readdir(join(run, 'best'))).sort()).toEqual(['adapter', 'epoch.json', 'trained.safetensors']);
    expect(await readdir(join(run, 'checkpoints'))).toHaveLength(1);
    expect(JSON.parse(await readFile(join(run, 'adapter', 'adapter_config.json'), 'utf8'))).toMatchObject({ base_model_name_or_path: tinyRoberta });

    const byRun = capture();
    expect(await main(['eval', '--run', run, '--max-eval-samples', '8', '--backend', 'cpu', '--json'], byRun)).toBe(0);
    const fromRun = JSON.parse(byRun.out()) as { examples: number; loss: number };
    expect(fromRun.examples).toBe(8);
    expect(await main(['eval', '--run', run, '--best-epoch', '--max-eval-samples', '8', '--backend', 'cpu', '--json'], capture())).toBe(0);

    const merged = join(dir, 'later-merged');
    expect(await main(['merge', '--run', run, '--output-dir', merged, '--backend', 'cpu', '--json'], capture())).toBe(0);
    expect((await readdir(merged)).sort()).toEqual(['config.json', 'merges.txt', 'model.safetensors', 'vocab.json']);
    const config = JSON.parse(await readFile(join(merged, 'config.json'), 'utf8')) as { id2label: Record<string, string>; label2id: Record<string, number> };
    expect(config.id2label).toEqual({ 0: 'negative', 1: 'positive' });
    expect(config.label2id).toEqual({ negative: 0, positive: 1 });

    const byFolder = capture();
    expect(await main(['eval', '--model', merged, '--task', 'sst2', '--data-dir', glue, '--max-seq-length', '32', '--max-eval-samples', '8', '--backend', 'cpu', '--json'], byFolder)).toBe(0);
    const fromFolder = JSON.parse(byFolder.out()) as { examples: number; loss: number };
    expect(fromFolder.examples).toBe(8);
    expect(fromFolder.loss).toBeCloseTo(fromRun.loss, 4);
  }, 180_000);

  it('--load-best-at-end puts the best epoch\'s trained tensors at the top of the run folder and says so', async () => {
    const run = join(dir, 'best-at-end');
    expect(await main(['train', '--task', 'sst2', '--data-dir', glue, '--model', 'tiny', '--method', 'lora', '--rank', '2', '--epochs', '2', '--batch-size', '16',
      '--max-seq-length', '32', '--padding', 'longest', '--backend', 'cpu', '--load-best-at-end', '--output-dir', run], capture())).toBe(0);
    const results = JSON.parse(await readFile(join(run, 'results.json'), 'utf8')) as { best: { epoch: number; step: number }; trainedEpoch: unknown };
    expect(results.trainedEpoch).toEqual({ from: 'best', epoch: results.best.epoch, step: results.best.step });
    expect(await readFile(join(run, 'trained.safetensors'))).toEqual(await readFile(join(run, 'best', 'trained.safetensors')));
  }, 300_000);
});
