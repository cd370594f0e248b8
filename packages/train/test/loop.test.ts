import { describe, expect, it } from 'vitest';
import { manualSeed } from '@edora/tensor';
import { TrainingInterruptedError, decodeCheckpoint, fit, runKeyDifferences, shouldStopEarly, type TrainSink } from '../src/index.js';
import { BagModel, markerTask } from './helpers/bag-model.js';
import { bytesOf, capture } from './helpers/capture.js';

const train = markerTask(96, 1);
const validation = markerTask(48, 2);
const base = { task: 'sst2', train, validation, epochs: 3, batchSize: 16, seed: 7, padding: 'longest' as const, runKey: 'bag' };

async function run(sinkAndResume: { sink: TrainSink; resume?: Uint8Array }, checkpointEvery = 0): Promise<{ model: BagModel; results: Awaited<ReturnType<typeof fit>> }> {
  manualSeed(123);
  const model = new BagModel(260, 16, 2, 5);
  const results = await fit({ ...base, model, groups: model.groups(0.05, 0.05), checkpointEvery, ...sinkAndResume });
  return { model, results };
}

describe('fit', () => {
  it('lowers the loss, evaluates every epoch, logs every step, and keeps last and best', async () => {
    const { sink, got } = capture();
    const { results } = await run({ sink });
    expect(got.steps).toHaveLength(3 * 6);
    expect(got.steps.map((s) => s.step)).toEqual(Array.from({ length: 18 }, (_, i) => i + 1));
    // warmup int(0.06·18) = 1: the first step has lr 0, the last is at 1/17 of the base
    expect(got.steps[0]!.lr.adapter).toBe(0);
    expect(got.steps[17]!.lr.head).toBeCloseTo(0.05 / 17, 12);
    expect(got.epochs).toHaveLength(3);
    expect(results.epochs.map((e) => e.epoch)).toEqual([1, 2, 3]);
    expect(results.epochs.map((e) => [e.step, e.epochFraction])).toEqual([[6, 1], [12, 2], [18, 3]]);
    expect(results.epochs[2]!.trainLoss).toBeLessThan(results.epochs[0]!.trainLoss);
    expect(results.last!.metrics.accuracy).toBeGreaterThan(0.8);
    expect(results.mainMetric).toBe('accuracy');
    expect(results.best!.metrics.accuracy).toBe(Math.max(...results.epochs.map((e) => e.metrics.accuracy!)));
    expect(got.checkpoints.map((c) => c.meta.epoch)).toEqual([1, 2, 3]);
    expect(results.stopped).toBeNull();
  });

  it('resumed from a mid-epoch checkpoint, takes exactly the steps of the uninterrupted run', async () => {
    const a = capture();
    const { model: full } = await run({ sink: a.sink }, 4);
    const mid = a.got.checkpoints.find((c) => c.meta.step === 8)!;
    expect(mid.meta).toMatchObject({ epoch: 1, nextBatch: 2 }); // 6 batches per epoch: step 8 is batch 2 of epoch 2
    const b = capture();
    const { model: resumed, results } = await run({ sink: b.sink, resume: mid.bytes }, 4);
    expect(b.got.steps.map((s) => s.loss)).toEqual(a.got.steps.slice(8).map((s) => s.loss));
    expect(results.epochs.map((e) => e.metrics)).toEqual(a.got.epochs.map((e) => e.metrics));
    for (const k of ['table', 'weight', 'bias'] as const) expect(await bytesOf(resumed[k])).toEqual(await bytesOf(full[k]));
  });

  it('with gradient accumulation, 2 batches of 8 take the same steps as 1 batch of 16', async () => {
    const one = capture();
    const two = capture();
    manualSeed(123);
    const m1 = new BagModel(260, 16, 2, 5);
    await fit({ ...base, epochs: 2, model: m1, groups: m1.groups(0.05, 0.05), sink: one.sink });
    manualSeed(123);
    const m2 = new BagModel(260, 16, 2, 5);
    await fit({ ...base, epochs: 2, batchSize: 8, gradientAccumulation: 2, model: m2, groups: m2.groups(0.05, 0.05), sink: two.sink });
    // the same examples in the same order, the same dropout counters: equal up to float32 rounding
    expect(two.got.steps.map((s) => s.step)).toEqual(one.got.steps.map((s) => s.step));
    two.got.steps.forEach((s, i) => expect(s.loss).toBeCloseTo(one.got.steps[i]!.loss, 5));
    const [w1, w2] = [await m1.weight.data(), await m2.weight.data()];
    for (let i = 0; i < w1.length; i++) expect(w2[i]).toBeCloseTo(w1[i]!, 4);
  });

  it('refuses a checkpoint from another configuration', async () => {
    const a = capture();
    await run({ sink: a.sink });
    manualSeed(123);
    const model = new BagModel(260, 16, 2, 5);
    await expect(fit({ ...base, runKey: 'other', model, groups: model.groups(0.05, 0.05), resume: a.got.checkpoints[0]!.bytes }))
      .rejects.toThrow(/another configuration: run key: "bag" in the checkpoint, "other" now/);
    expect(decodeCheckpoint(a.got.checkpoints[0]!.bytes).meta.history).toHaveLength(1);
  });

  it('stops on a non-finite loss before applying that step and keeps the last good checkpoint', async () => {
    manualSeed(123);
    const model = new BagModel(260, 16, 2, 5);
    let calls = 0;
    const poisoned = {
      train: (m?: boolean) => model.train(m),
      logits: (batch: Parameters<BagModel['logits']>[0]) => {
        const l = model.logits(batch);
        // training calls only: the 9th batch (batch 1 of epoch 2, 8 batches per epoch) yields NaN
        return model.training && ++calls === 9 ? l.mul(Number.NaN) : l;
      },
    };
    const { sink, got } = capture();
    const results = await fit({ ...base, epochs: 2, batchSize: 12, model: poisoned, groups: model.groups(0.05, 0.05), sink });
    expect(results.stopped).toEqual({ reason: 'nonfinite-loss', step: 9, loss: Number.NaN });
    expect(results.steps).toBe(8);
    expect(got.checkpoints.map((c) => c.meta.step)).toEqual([8]);
    // the parameters are those of the last good checkpoint
    const saved = decodeCheckpoint(got.checkpoints[0]!.bytes).tensors.get('param.head.weight')!;
    expect(Array.from(await model.weight.data())).toEqual(Array.from(saved.data));
  });
});

describe('fit interrupted by its signal', () => {
  it('saves a checkpoint at the last finished step and rejects with TrainingInterruptedError; resuming from it gives the uninterrupted run', async () => {
    const a = capture();
    const { model: full } = await run({ sink: a.sink });
    const controller = new AbortController();
    const b = capture();
    manualSeed(123);
    const model = new BagModel(260, 16, 2, 5);
    // Ctrl-C arrives while step 8 is logged (batch 2 of epoch 2): the step is finished, the next one does not start
    const log = b.sink.log!;
    const sink: TrainSink = { ...b.sink, log: (r) => (r.type === 'step' && r.step === 8 && controller.abort(), log(r)) };
    const err = await fit({ ...base, model, groups: model.groups(0.05, 0.05), sink, signal: controller.signal }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TrainingInterruptedError);
    expect((err as TrainingInterruptedError).step).toBe(8);
    expect(b.got.steps.at(-1)!.step).toBe(8);
    const last = b.got.checkpoints.at(-1)!;
    expect(last.meta).toMatchObject({ step: 8, epoch: 1, nextBatch: 2 });
    const c = capture();
    const { model: resumed } = await run({ sink: c.sink, resume: last.bytes });
    expect(c.got.steps.map((s) => s.loss)).toEqual(a.got.steps.slice(8).map((s) => s.loss));
    for (const k of ['table', 'weight', 'bias'] as const) expect(await bytesOf(resumed[k])).toEqual(await bytesOf(full[k]));
  });
});

describe('runKeyDifferences', () => {
  it('names the keys whose values differ, with both values', () => {
    const a = JSON.stringify({ epochs: 2, lr: 0.01, seed: 3, task: 'rte' });
    const b = JSON.stringify({ epochs: 3, lr: 0.01, seed: 3, task: 'rte', init: 'random' });
    expect(runKeyDifferences(a, b)).toEqual(['epochs: 2 in the checkpoint, 3 now', 'init: (unset) in the checkpoint, "random" now']);
    expect(runKeyDifferences('bag', 'other')).toEqual(['run key: "bag" in the checkpoint, "other" now']);
    expect(runKeyDifferences(a, a)).toEqual([]);
  });
});

describe('early stopping', () => {
  it('shouldStopEarly counts evaluations since the best one (strictly better resets), NaN never counts as best', () => {
    const s = (accuracy: number): { evalLoss: number; metrics: Record<string, number> } => ({ evalLoss: 1 - accuracy, metrics: { accuracy } });
    expect(shouldStopEarly([s(0.5), s(0.6), s(0.6)], 'accuracy', 1)).toBe(true);
    expect(shouldStopEarly([s(0.5), s(0.6), s(0.6)], 'accuracy', 2)).toBe(false);
    expect(shouldStopEarly([s(0.5), s(0.6), s(0.55), s(0.58)], 'accuracy', 2)).toBe(true);
    // loss is lower-is-better: eval losses 0.4 then 0.3 improve, 0.3 then 0.4 do not
    expect(shouldStopEarly([s(0.6), s(0.7)], 'loss', 1)).toBe(false);
    expect(shouldStopEarly([s(0.7), s(0.6)], 'loss', 1)).toBe(true);
    expect(shouldStopEarly([s(0.7), s(0.6)], 'accuracy', 1)).toBe(true);
    expect(shouldStopEarly([s(Number.NaN), s(0.5)], 'accuracy', 1)).toBe(false);
  });

  it('a run that stops improving stops after `patience` evaluations, saying so; the schedule still spans every epoch', async () => {
    const { sink, got } = capture();
    manualSeed(123);
    const model = new BagModel(260, 16, 2, 5);
    // lr 0: every epoch scores the same, so epoch 1 stays the best
    const results = await fit({ ...base, epochs: 5, model, groups: model.groups(0, 0), sink, earlyStoppingPatience: 2 });
    expect(results.epochs.map((e) => e.epoch)).toEqual([1, 2, 3]);
    expect(results.stopped).toEqual({ reason: 'early-stopping', step: 18, epoch: 3, patience: 2 });
    expect(got.steps.at(-1)!.totalSteps).toBe(30);
    // resumed from its last checkpoint, it stays stopped
    const again = await fit({ ...base, epochs: 5, model, groups: model.groups(0, 0), earlyStoppingPatience: 2, resume: got.checkpoints.at(-1)!.bytes });
    expect(again.epochs).toHaveLength(3);
    expect(again.stopped).toMatchObject({ reason: 'early-stopping' });
  });
});

describe('maxSteps and warmupSteps', () => {
  it('maxSteps overrides epochs (as HF max_steps): the schedule spans exactly those steps, the last partial epoch is evaluated', async () => {
    const { sink, got } = capture();
    manualSeed(123);
    const model = new BagModel(260, 16, 2, 5);
    // 6 steps per epoch: 8 steps are one epoch and 2 batches of the next
    const results = await fit({ ...base, epochs: 50, maxSteps: 8, model, groups: model.groups(0.05, 0.05), sink });
    expect(got.steps.map((s) => s.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(got.steps.every((s) => s.totalSteps === 8)).toBe(true);
    expect(results.epochs.map((e) => e.epoch)).toEqual([1, 2]);
    expect(results.steps).toBe(8);
    // warmup int(0.06·8) = 0: decay from the first step to 1/8 of the base at the last
    expect(got.steps[7]!.lr.head).toBeCloseTo(0.05 / 8, 12);
  });

  it('warmupSteps replaces the ratio', async () => {
    const { sink, got } = capture();
    manualSeed(123);
    const model = new BagModel(260, 16, 2, 5);
    await fit({ ...base, epochs: 1, warmupSteps: 4, model, groups: model.groups(0.05, 0.05), sink });
    [0, 0.0125, 0.025, 0.0375, 0.05, 0.025].forEach((lr, i) => expect(got.steps[i]!.lr.head).toBeCloseTo(lr, 12));
    expect(got.steps).toHaveLength(6);
  });
});
