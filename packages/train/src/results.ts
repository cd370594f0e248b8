import { getTask } from '@edora/glue';
import { TrainOptionError } from './errors.js';

/** Loss and metrics of one validation split. */
export interface SplitScores {
  evalLoss: number;
  /** The task's metrics under HF evaluate's keys (accuracy, f1, matthews_correlation, ...). */
  metrics: Record<string, number>;
}

/**
 * What one evaluation of a run's validation data gives: the reported split's loss and metrics
 * (they rank epochs), and, only when there are several validation splits (MNLI), every split's
 * scores under its name, the reported one included.
 */
export interface ValidationScores extends SplitScores {
  splits?: Record<string, SplitScores>;
}

/**
 * One evaluation of the validation data — after an epoch by default, every N steps or only at the
 * end with another `FitOptions.evalStrategy`: what a line of `epochs.jsonl`, the results JSON and
 * the plot are made of.
 */
export interface EpochResult extends ValidationScores {
  /** The epoch the evaluation fell in, 1-based, as people count epochs (an evaluation after an epoch: that epoch). */
  epoch: number;
  /** Optimizer steps done when evaluated (the global step, counted across epochs). */
  step: number;
  /** Epochs done when evaluated, as HF's fractional `epoch`: step / steps per epoch (1.5: halfway through the second). */
  epochFraction: number;
  /** Mean loss of the optimizer steps since the previous evaluation (with one evaluation per epoch: the epoch's). */
  trainLoss: number;
  /** Training tokens (batch × padded length) per second of the steps since the previous evaluation. */
  tokensPerSecond: number;
  /** Training seconds of the steps since the previous evaluation. */
  seconds: number;
}

export interface RunResults {
  /**
   * The metric that ranks epochs and is reported: the task's (`TaskSpec.mainMetric`, the paper's —
   * CoLA Matthews, STS-B Pearson, accuracy elsewhere) or the one chosen (`FitOptions.metricForBest`);
   * `loss` is the eval loss, where lower is better.
   */
  mainMetric: string;
  /** With several validation splits: the one whose `mainMetric` ranks epochs and fills each epoch's `metrics` (MNLI: validation_matched). */
  reportedSplit?: string;
  /** Every evaluation, in order (one per epoch unless `FitOptions.evalStrategy` says otherwise). */
  epochs: EpochResult[];
  /** The value the authors report: the last evaluation, the one of the trained model (after the last epoch). */
  last: EpochResult | null;
  /** The best evaluation by `mainMetric` (the first of equally good ones). */
  best: EpochResult | null;
  /**
   * Why training ended early, or null when every epoch ran: a non-finite loss (the step it
   * appeared at), or early stopping (`FitOptions.earlyStoppingPatience` evaluations after the best
   * one without a better one; `step` and `epoch` are the last evaluation's).
   */
  stopped: { reason: 'nonfinite-loss'; step: number; loss: number } | { reason: 'early-stopping'; step: number; epoch: number; patience: number } | null;
  steps: number;
}

/** The eval loss, ranked lower-is-better like HF's `metric_for_best_model="loss"`. */
export const LOSS_METRIC = 'loss';

/** What a run can rank epochs by: the task's metric keys, `combined_score` when it has several, and `loss`. */
export function metricChoices(task: string): string[] {
  const { metrics } = getTask(task);
  return [...metrics, ...(metrics.length > 1 ? ['combined_score'] : []), LOSS_METRIC];
}

/**
 * The metric that ranks a run's epochs: `chosen` when given (checked against `metricChoices`),
 * else the task's `mainMetric` (the paper's).
 */
export function mainMetricOf(task: string, chosen?: string): string {
  if (chosen === undefined) return getTask(task).mainMetric;
  const choices = metricChoices(task);
  if (!choices.includes(chosen)) {
    throw new TrainOptionError(`metricForBest: ${getTask(task).name} has no metric ${JSON.stringify(chosen)}; valid choices: ${choices.join(', ')}`);
  }
  return chosen;
}

/** An evaluation's value of `metric` (`loss`: the eval loss); NaN when it has none. */
export function metricValue(scores: SplitScores, metric: string): number {
  return metric === LOSS_METRIC ? scores.evalLoss : scores.metrics[metric] ?? NaN;
}

/** Whether `a` is strictly better than `b` on `metric`; a NaN is never better, and anything beats NaN. */
export function isBetter(metric: string, a: number, b: number): boolean {
  if (Number.isNaN(a)) return false;
  if (Number.isNaN(b)) return true;
  return metric === LOSS_METRIC ? a < b : a > b;
}

/**
 * Whether a run should stop early: the last `patience` evaluations of `history` are none of them
 * better (on `metric`) than the best one before them, as HF's EarlyStoppingCallback counts.
 */
export function shouldStopEarly(history: readonly SplitScores[], metric: string, patience: number): boolean {
  let bestAt = -1;
  for (const [i, e] of history.entries()) {
    const v = metricValue(e, metric);
    if (bestAt < 0 ? !Number.isNaN(v) : isBetter(metric, v, metricValue(history[bestAt]!, metric))) bestAt = i;
  }
  return history.length - 1 - bestAt >= patience;
}

export interface SummaryOptions {
  /** Optimizer steps taken. */
  steps: number;
  /** The metric that ranks epochs (`mainMetricOf`). */
  mainMetric: string;
  stopped?: RunResults['stopped'];
  /** Named when the epochs hold several validation splits. */
  reportedSplit?: string;
}

/**
 * Last and best epochs (the first of equally good ones) from a history; `best` is by `mainMetric`
 * of each epoch's `metrics`, which are the reported split's.
 */
export function summarize(history: EpochResult[], o: SummaryOptions): RunResults {
  const { mainMetric, reportedSplit } = o;
  let best: EpochResult | null = null;
  for (const e of history) {
    const v = metricValue(e, mainMetric);
    if (Number.isNaN(v)) continue;
    if (!best || isBetter(mainMetric, v, metricValue(best, mainMetric))) best = e;
  }
  return { mainMetric, ...(reportedSplit === undefined ? {} : { reportedSplit }), epochs: history, last: history.at(-1) ?? null, best, stopped: o.stopped ?? null, steps: o.steps };
}
