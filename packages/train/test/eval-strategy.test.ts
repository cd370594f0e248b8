import { describe, expect, it } from 'vitest';
import { manualSeed } from '@edora/tensor';
import {
  CHECKPOINT_METADATA_KEY, TrainOptionError, decodeCheckpoint, evalScheduleOf, evaluatesAfter, fit,
  type EpochResult, type FitOptions,
} from '../src/index.js';
import { BagModel, markerTask } from './helpers/bag-model.js';
import { bytesOf, capture } from './helpers/capture.js';
import { parseSafetensorsHeader, writeSafetensors } from '@edora/tensor';

// 96 examples in batches of 16: 6 optimizer steps per epoch, 18 in 3 epochs
const train = markerTask(96, 1);
const validation = markerTask(48, 2);
const base = { task: 'sst2', train, validation, epochs: 3, batchSize: 16, seed: 7, padding: 'longest' as const, runKey: 'bag' };

type Extra = Partial<Omit<FitOptions, 'model' | 'groups'>>;
async function run(extra: Extra = {}, lr = 0.05): Promise<{ model: BagModel; results: Awaited<ReturnType<typeof fit>>; got: ReturnType<typeof capture>['got'] }> {
  const { sink, got } = capture();
  manualSeed(123);
  const model = new BagModel(260, 16, 2, 5);
  const results = await fit({ ...base, model, groups: model.groups(lr, lr), sink, ...extra });
  return { model, results, got };
}

/** An evaluation without its wall-clock fields, which differ between any two runs. */
const scores = ({ seconds: _s, tokensPerSecond: _t, ...rest }: EpochResult): Omit<EpochResult, 'seconds' | 'tokensPerSecond'> => rest;
const mean = (xs: number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;

describe('evalScheduleOf and evaluatesAfter', () => {
  it('steps needs an integer N ≥ 1; the other strategies take none; an unknown strategy lists the choices', () => {
    expect(evalScheduleOf()).toEqual({ strategy: 'epoch' });
    expect(evalScheduleOf('steps', 4)).toEqual({ strategy: 'steps', steps: 4 });
    expect(evalScheduleOf('no')).toEqual({ strategy: 'no' });
    expect(() => evalScheduleOf('steps')).toThrow("fit: evalStrategy 'steps' expects evalSteps to be an integer ≥ 1; found none");
    expect(() => evalScheduleOf('steps', 0)).toThrow("fit: evalStrategy 'steps' expects evalSteps to be an integer ≥ 1; found 0");
    expect(() => evalScheduleOf('steps', 2.5)).toThrow(TrainOptionError);
    expect(() => evalScheduleOf('epoch', 4)).toThrow("fit: evalSteps is only used with evalStrategy 'steps'; found evalStrategy 'epoch' and evalSteps 4");
    expect(() => evalScheduleOf('often')).toThrow('fit: expected evalStrategy to be one of epoch, steps, no; found "often"');
  });

  it('evaluates at epoch ends, at multiples of N, or never, and always after the last step', () => {
    const steps = evalScheduleOf('steps', 4);
    expect([1, 2, 3, 4, 5, 8, 12].filter((s) => evaluatesAfter(steps, s, false, false))).toEqual([4, 8, 12]);
    expect(evaluatesAfter(steps, 6, true, false)).toBe(false);
    expect(evaluatesAfter(steps, 7, false, true)).toBe(true);
    expect(evaluatesAfter(evalScheduleOf('epoch'), 6, true, false)).toBe(true);
    expect(evaluatesAfter(evalScheduleOf('epoch'), 4, false, false)).toBe(false);
    expect(evaluatesAfter(evalScheduleOf('no'), 6, true, false)).toBe(false);
    expect(evaluatesAfter(evalScheduleOf('no'), 18, true, true)).toBe(true);
  });
});

describe("fit with evalStrategy 'steps'", () => {
  it('evaluates every N optimizer steps across epochs and once more after the last step; training itself is that of the per-epoch run', async () => {
    const byEpoch = await run();
    const bySteps = await run({ evalStrategy: 'steps', evalSteps: 4 });
    const evals = bySteps.got.epochs;
    expect(evals.map((e) => e.step)).toEqual([4, 8, 12, 16, 18]);
    // the epoch each fell in (step 12 ends epoch 2), and HF's fractional epoch: steps / 6 per epoch
    expect(evals.map((e) => e.epoch)).toEqual([1, 2, 2, 3, 3]);
    expect(evals.map((e) => e.epochFraction)).toEqual([4 / 6, 8 / 6, 2, 16 / 6, 3]);
    // each train loss is the mean of the step losses since the previous evaluation
    const losses = bySteps.got.steps.map((s) => s.loss);
    expect(evals.map((e) => e.trainLoss)).toEqual([mean(losses.slice(0, 4)), mean(losses.slice(4, 8)), mean(losses.slice(8, 12)), mean(losses.slice(12, 16)), mean(losses.slice(16))]);
    expect(bySteps.results.epochs.map(scores)).toEqual(evals.map(({ type: _, ...e }) => scores(e)));
    expect(bySteps.results.last!.step).toBe(18);
    // evaluating draws nothing from the random stream and changes no parameter: the same steps, the same tensors
    expect(losses).toEqual(byEpoch.got.steps.map((s) => s.loss));
    for (const k of ['table', 'weight', 'bias'] as const) expect(await bytesOf(bySteps.model[k])).toEqual(await bytesOf(byEpoch.model[k]));
    // the evaluations at epoch ends score the trained model as the per-epoch run's do
    expect(scores(evals[2]!).metrics).toEqual(byEpoch.got.epochs[1]!.metrics);
    expect(evals[4]!.evalLoss).toBe(byEpoch.got.epochs[2]!.evalLoss);
    // a checkpoint after every evaluation and at every epoch end
    expect(bySteps.got.checkpoints.map((c) => c.meta.step)).toEqual([4, 6, 8, 12, 16, 18]);
    expect(bySteps.got.checkpoints.every((c) => decodeCheckpoint(c.bytes).meta.history.length === bySteps.got.epochs.filter((e) => e.step <= c.meta.step).length)).toBe(true);
  });

  it('does not evaluate the last step twice when it is a multiple of N', async () => {
    const { got } = await run({ evalStrategy: 'steps', evalSteps: 9 });
    expect(got.epochs.map((e) => e.step)).toEqual([9, 18]);
  });

  it('with gradient accumulation, N counts optimizer steps, not batches', async () => {
    // batches of 8 accumulated in twos: 12 batches, 6 optimizer steps per epoch
    const { got } = await run({ batchSize: 8, gradientAccumulation: 2, evalStrategy: 'steps', evalSteps: 4 });
    expect(got.steps).toHaveLength(18);
    expect(got.epochs.map((e) => e.step)).toEqual([4, 8, 12, 16, 18]);
    expect(got.epochs.map((e) => e.epochFraction)).toEqual([4 / 6, 8 / 6, 2, 16 / 6, 3]);
    // step 4 ended at batch 8 of 12
    expect(got.steps[3]).toMatchObject({ step: 4, batch: 8, batches: 12 });
  });

  it('early stopping counts evaluations, not epochs', async () => {
    // lr 0: every evaluation scores the same, so the first stays the best
    const { results, got } = await run({ evalStrategy: 'steps', evalSteps: 4, earlyStoppingPatience: 2 }, 0);
    expect(got.epochs.map((e) => e.step)).toEqual([4, 8, 12]);
    expect(results.stopped).toEqual({ reason: 'early-stopping', step: 12, epoch: 2, patience: 2 });
    expect(got.steps.at(-1)!.step).toBe(12);
  });

  it('resumed between evaluations, at an epoch end or right after one, gives the uninterrupted run bit for bit, evaluations included', async () => {
    const options: Extra = { evalStrategy: 'steps', evalSteps: 4, checkpointEvery: 5 };
    const full = await run(options);
    expect(full.got.checkpoints.map((c) => c.meta.step)).toEqual([4, 5, 6, 8, 10, 12, 15, 16, 18]);
    // step 10 lies between the evaluations at 8 and 12, step 6 ends epoch 1 inside the window of 8, step 8 was just evaluated
    for (const at of [10, 6, 8]) {
      const from = full.got.checkpoints.find((c) => c.meta.step === at)!;
      const resumed = await run({ ...options, resume: from.bytes });
      expect(resumed.got.steps.map((s) => s.loss), `from step ${at}`).toEqual(full.got.steps.slice(at).map((s) => s.loss));
      expect(resumed.got.epochs.map((e) => e.step), `from step ${at}`).toEqual(full.got.epochs.filter((e) => e.step > at).map((e) => e.step));
      expect(resumed.results.epochs.map(scores), `from step ${at}`).toEqual(full.results.epochs.map(scores));
      for (const k of ['table', 'weight', 'bias'] as const) expect(await bytesOf(resumed.model[k]), `from step ${at}`).toEqual(await bytesOf(full.model[k]));
    }
  });
});

describe("fit with evalStrategy 'no'", () => {
  it('evaluates only the trained model, after the last step, with the whole run\'s mean train loss; checkpoints stay at epoch ends', async () => {
    const { results, got } = await run({ evalStrategy: 'no' });
    expect(got.epochs.map((e) => e.step)).toEqual([18]);
    expect(got.epochs[0]!.trainLoss).toBe(mean(got.steps.map((s) => s.loss)));
    expect(results.last).toEqual(results.best);
    expect(got.checkpoints.map((c) => c.meta.step)).toEqual([6, 12, 18]);
  });

  it('refuses early stopping, which has no evaluations to count', async () => {
    await expect(run({ evalStrategy: 'no', earlyStoppingPatience: 2 })).rejects.toThrow(
      "fit: earlyStoppingPatience counts evaluations during training, and evalStrategy 'no' has none (only the final one); found earlyStoppingPatience 2",
    );
  });
});

describe('checkpoints from before evaluations every N steps', () => {
  it('their epoch window (the step losses, tokens and seconds of the epoch) reads as the steps since the last evaluation', async () => {
    const { got } = await run({ checkpointEvery: 2 });
    const mid = got.checkpoints.find((c) => c.meta.step === 8)!;
    const header = parseSafetensorsHeader(mid.bytes);
    const { sinceEval, ...meta } = JSON.parse(header.metadata[CHECKPOINT_METADATA_KEY]!) as typeof mid.meta;
    const losses = got.steps.slice(6, 8).map((s) => s.loss);
    const legacy = { ...meta, epochLosses: losses, epochTokens: sinceEval.tokens, epochSeconds: sinceEval.seconds };
    const decoded = decodeCheckpoint(mid.bytes);
    const entries = Object.fromEntries([...decoded.tensors].map(([k, v]) => [k, { dtype: 'F32' as const, shape: v.shape, data: v.data }]));
    const old = decodeCheckpoint(writeSafetensors(entries, { [CHECKPOINT_METADATA_KEY]: JSON.stringify(legacy) }));
    expect(old.meta.sinceEval).toEqual(sinceEval);
    expect(sinceEval).toMatchObject({ steps: 2, lossSum: losses[0]! + losses[1]! });
    expect('epochLosses' in old.meta).toBe(false);
    // and a run resumed from it ends as the uninterrupted one
    const resumed = await run({ checkpointEvery: 2, resume: writeSafetensors(entries, { [CHECKPOINT_METADATA_KEY]: JSON.stringify(legacy) }) });
    expect(resumed.results.epochs.map(scores)).toEqual(got.epochs.map(({ type: _, ...e }) => scores(e)));
  });
});
