import { describe, expect, it } from 'vitest';
import { manualSeed } from '@edora/tensor';
import { fit, mainMetricOf, metricChoices, summarize, TrainOptionError, type EpochResult } from '../src/index.js';
import { BagModel, markerTask } from './helpers/bag-model.js';

const epoch = (n: number, evalLoss: number, metrics: Record<string, number>): EpochResult => ({
  epoch: n, step: 3 * n, epochFraction: n, trainLoss: 1, evalLoss, metrics, tokensPerSecond: 1, seconds: 1,
});

describe('the metric that ranks epochs', () => {
  it('defaults to the metric the EDoRA paper reports per task, not combined_score', () => {
    expect(mainMetricOf('mrpc')).toBe('accuracy');
    expect(mainMetricOf('qqp')).toBe('accuracy');
    expect(mainMetricOf('stsb')).toBe('pearson');
    expect(mainMetricOf('cola')).toBe('matthews_correlation');
    expect(mainMetricOf('rte')).toBe('accuracy');
  });

  it('takes any of the task\'s metric keys, combined_score when it has several, or the eval loss; anything else names the choices', () => {
    expect(metricChoices('mrpc')).toEqual(['accuracy', 'f1', 'combined_score', 'loss']);
    expect(metricChoices('sst2')).toEqual(['accuracy', 'loss']);
    expect(mainMetricOf('mrpc', 'f1')).toBe('f1');
    expect(mainMetricOf('stsb', 'combined_score')).toBe('combined_score');
    expect(mainMetricOf('sst2', 'loss')).toBe('loss');
    expect(() => mainMetricOf('sst2', 'f1')).toThrow(TrainOptionError);
    expect(() => mainMetricOf('sst2', 'f1')).toThrow('metricForBest: sst2 has no metric "f1"; valid choices: accuracy, loss');
  });

  it('summarize ranks by the chosen metric: higher is better, except the loss', () => {
    // accuracy peaks at epoch 1, f1 (and so combined_score) at epoch 2, the loss is lowest at epoch 3
    const history = [
      epoch(1, 0.6, { accuracy: 0.80, f1: 0.70, combined_score: 0.75 }),
      epoch(2, 0.5, { accuracy: 0.78, f1: 0.90, combined_score: 0.84 }),
      epoch(3, 0.4, { accuracy: 0.70, f1: 0.72, combined_score: 0.71 }),
    ];
    const at = (mainMetric: string): number | undefined => summarize(history, { steps: 9, mainMetric }).best?.epoch;
    expect(at('accuracy')).toBe(1);
    expect(at('f1')).toBe(2);
    expect(at('combined_score')).toBe(2);
    expect(at('loss')).toBe(3);
    const r = summarize(history, { steps: 9, mainMetric: 'accuracy' });
    expect(r).toMatchObject({ mainMetric: 'accuracy', steps: 9, stopped: null });
    expect(r.last!.epoch).toBe(3);
    // the first of equally good epochs; NaN never wins
    expect(summarize([epoch(1, NaN, { accuracy: NaN }), epoch(2, 1, { accuracy: 0.5 }), epoch(3, 1, { accuracy: 0.5 })], { steps: 3, mainMetric: 'accuracy' }).best!.epoch).toBe(2);
  });

  it('fit reports MRPC by accuracy by default, and by --metric-for-best when given', async () => {
    const train = markerTask(32, 1);
    const validation = markerTask(16, 2);
    const run = async (metricForBest?: string): Promise<Awaited<ReturnType<typeof fit>>> => {
      manualSeed(5);
      const model = new BagModel(260, 8, 2, 5);
      return fit({ model, groups: model.groups(0.05, 0.05), task: 'mrpc', train, validation, epochs: 1, batchSize: 16, seed: 1, padding: 'longest', ...(metricForBest ? { metricForBest } : {}) });
    };
    const byDefault = await run();
    expect(Object.keys(byDefault.last!.metrics)).toEqual(['accuracy', 'f1', 'combined_score']);
    expect(byDefault.mainMetric).toBe('accuracy');
    expect((await run('f1')).mainMetric).toBe('f1');
    await expect(run('pearson')).rejects.toThrow(/valid choices: accuracy, f1, combined_score, loss/);
  });
});
