/** One evaluated epoch: what the per-epoch log line, the results JSON and the plot are made of. */
export interface EpochResult {
  /** 1-based, as people count epochs. */
  epoch: number;
  trainLoss: number;
  evalLoss: number;
  /** The task's metrics under HF evaluate's keys (accuracy, f1, matthews_correlation, ...). */
  metrics: Record<string, number>;
  /** Training tokens (batch × padded length) per second of this epoch's training steps. */
  tokensPerSecond: number;
  seconds: number;
}

export interface RunResults {
  /** The metric that ranks epochs: `combined_score` when the task has several, else its only one. */
  mainMetric: string;
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

/** Last and best epochs (the first of equally good ones) from a history. */
export function summarize(history: EpochResult[], steps: number, stopped: RunResults['stopped'] = null): RunResults {
  const mainMetric = mainMetricOf(Object.keys(history[0]?.metrics ?? {}));
  let best: EpochResult | null = null;
  for (const e of history) {
    const v = e.metrics[mainMetric];
    if (v === undefined || Number.isNaN(v)) continue;
    if (!best || v > best.metrics[mainMetric]!) best = e;
  }
  return { mainMetric, epochs: history, last: history.at(-1) ?? null, best, stopped, steps };
}
