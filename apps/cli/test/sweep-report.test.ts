import { describe, expect, it } from 'vitest';
import type { EpochResult } from '@edora/train';
import { runConfigFrom } from '../src/run-options.js';
import { parseArgs } from '../src/args.js';
import { SWEEP } from '../src/commands/sweep.js';
import { runValue, sweepReport, type FinishedRun } from '../src/sweep/report.js';
import { runIdOf } from '../src/sweep/runs.js';

const epoch = (n: number, metrics: Record<string, number>, evalLoss = 0.5): EpochResult => ({ epoch: n, step: n, epochFraction: n, trainLoss: 1, evalLoss, metrics, tokensPerSecond: 1, seconds: 1 });

/** A finished run of `task` whose epochs scored `history` (no training: this tests the arithmetic). */
function run(task: string, method: 'edora' | 'lora', rank: number, seed: number, history: EpochResult[], trainable = 1000 * rank): FinishedRun {
  const config = runConfigFrom({ ...parseArgs([], SWEEP).values, task }, method, rank, 1e-3, 1e-3, seed);
  return { id: runIdOf(config), name: `${task}-${seed}`, config, trainable, results: { mainMetric: 'x', epochs: history, last: history.at(-1)!, best: null, stopped: null, steps: 1 } };
}

describe('sweep report arithmetic', () => {
  it('reports the paper\'s metric per task: CoLA Matthews, STS-B Pearson, MRPC accuracy (not combined_score)', () => {
    const runs = [
      run('cola', 'edora', 4, 1, [epoch(1, { matthews_correlation: 0.5, accuracy: 0.8 })]),
      run('stsb', 'edora', 4, 1, [epoch(1, { pearson: 0.7, spearmanr: 0.6, combined_score: 0.65 })]),
      run('mrpc', 'edora', 4, 1, [epoch(1, { accuracy: 0.75, f1: 0.85, combined_score: 0.8 })]),
    ];
    const reports = sweepReport(runs, { epoch: 'last' });
    expect(reports.map((t) => [t.task, t.metric, t.configs[0]!.median])).toEqual([['cola', 'matthews_correlation', 0.5], ['stsb', 'pearson', 0.7], ['mrpc', 'accuracy', 0.75]]);
    expect(sweepReport(runs.slice(2), { epoch: 'last', metric: 'f1' })[0]!.configs[0]!.median).toBe(0.85);
    expect(() => sweepReport(runs.slice(2), { epoch: 'last', metric: 'pearson' })).toThrow(/valid choices: accuracy, f1, combined_score, loss/);
  });

  it('median, min, max and sample std over seeds; the best configuration per method and rank; last or best epoch; loss lower is better', () => {
    const accs = [0.6, 0.9, 0.7, 0.8]; // median 0.75, mean 0.75, sample std sqrt(0.05/3)
    const runs = [
      ...accs.map((a, i) => run('rte', 'edora', 4, i + 1, [epoch(1, { accuracy: 0.95 }, 0.2), epoch(2, { accuracy: a }, 0.4)])),
      ...[0.5, 0.55].map((a, i) => run('rte', 'lora', 4, i + 1, [epoch(1, { accuracy: a }, 0.3)])),
    ];
    const [t] = sweepReport(runs, { epoch: 'last' });
    const edora = t!.configs.find((c) => c.method === 'edora')!;
    expect(edora.values).toEqual(accs);
    expect([edora.median, edora.min, edora.max]).toEqual([(0.7 + 0.8) / 2, 0.6, 0.9]);
    const mean = accs.reduce((a, b) => a + b) / 4;
    expect(edora.std).toBeCloseTo(Math.sqrt(accs.reduce((a, b) => a + (b - mean) ** 2, 0) / 3), 15);
    expect(t!.best.map((c) => [c.method, c.rank, c.trainable])).toEqual([['edora', 4, 4000], ['lora', 4, 4000]]);
    expect(sweepReport(runs, { epoch: 'best' })[0]!.configs[0]!.median).toBe(0.95);
    expect(runValue(runs[0]!.results, 'loss', 'best')).toBe(0.2);
  });
});
