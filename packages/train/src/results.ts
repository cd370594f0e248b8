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

/** One evaluated epoch: what the per-epoch log line, the results JSON and the plot are made of. */
export interface EpochResult extends ValidationScores {
  /** 1-based, as people count epochs. */
  epoch: number;
  trainLoss: number;
  /** Training tokens (batch × padded length) per second of this epoch's training steps. */
  tokensPerSecond: number;
  seconds: number;
}

export interface RunResults {
  /** The metric that ranks epochs: `combined_score` when the task has several, else its only one. */
  mainMetric: string;
  /** With several validation splits: the one whose `mainMetric` ranks epochs and fills each epoch's `metrics` (MNLI: validation_matched). */
  reportedSplit?: string;
  epochs: EpochResult[];
  /** The value the authors report: the metrics after the last epoch. */
  last: EpochResult | null;
  best: EpochResult | null;
  /** Why training ended early, or null when every epoch ran. */
  stopped: { reason: 'nonfinite-loss'; step: number; loss: number } | null;
  steps: number;
}

/** The metric that ranks epochs for a task whose metric keys are `keys`. */
export function mainMetricOf(keys: readonly string[]): string {
  return keys.includes('combined_score') ? 'combined_score' : keys[0] ?? 'loss';
}

/**
 * Last and best epochs (the first of equally good ones) from a history; `best` is by the main
 * metric of each epoch's `metrics`, which are the reported split's (`reportedSplit`, named when
 * the epochs hold several splits).
 */
export function summarize(history: EpochResult[], steps: number, stopped: RunResults['stopped'] = null, reportedSplit?: string): RunResults {
  const mainMetric = mainMetricOf(Object.keys(history[0]?.metrics ?? {}));
  let best: EpochResult | null = null;
  for (const e of history) {
    const v = e.metrics[mainMetric];
    if (v === undefined || Number.isNaN(v)) continue;
    if (!best || v > best.metrics[mainMetric]!) best = e;
  }
  return { mainMetric, ...(reportedSplit === undefined ? {} : { reportedSplit }), epochs: history, last: history.at(-1) ?? null, best, stopped, steps };
}
