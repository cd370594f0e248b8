import { appendFileSync } from 'node:fs';
import type { EpochRecord, SplitScores, StepRecord, ValidationScores } from '@edora/train';

/** m:ss or h:mm:ss. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

export function formatRate(perSecond: number): string {
  if (!Number.isFinite(perSecond)) return '-';
  return perSecond >= 1e4 ? `${(perSecond / 1e3).toFixed(1)}k` : perSecond.toFixed(0);
}

/** One progress line: a bar over the whole run's steps, loss, throughput and ETA. */
export function progressLine(r: StepRecord, etaSeconds: number, width = 24): string {
  const done = Math.round((width * r.step) / r.totalSteps);
  const bar = '#'.repeat(done) + '.'.repeat(Math.max(0, width - done));
  return `[${bar}] step ${r.step}/${r.totalSteps} epoch ${r.epoch} batch ${r.batch}/${r.batches} loss ${r.loss.toFixed(4)} ${formatRate(r.tokensPerSecond)} tok/s ETA ${formatDuration(etaSeconds)}`;
}

/** `accuracy 0.8123 f1 0.8500`, with `separator` between metrics. */
export function metricsText(metrics: Record<string, number> | undefined, separator = ' '): string {
  return Object.entries(metrics ?? {}).map(([k, v]) => `${k} ${v.toFixed(4)}`).join(separator);
}

/**
 * Each validation split's scores, one piece per split, named when there are several (MNLI):
 * `['validation_matched: accuracy 0.8123', 'validation_mismatched: accuracy 0.8011']`; with one
 * split, just its metrics. `withLoss` puts `eval loss x` before the metrics.
 */
export function splitTexts(s: ValidationScores, withLoss: boolean, separator = ' '): string[] {
  const text = (x: SplitScores): string => [...(withLoss ? [`eval loss ${x.evalLoss.toFixed(4)}`] : []), metricsText(x.metrics, separator)].filter((t) => t !== '').join(' ');
  if (!s.splits) return [text(s)];
  return Object.entries(s.splits).map(([name, x]) => `${name}: ${text(x)}`);
}

/** Epochs done, as HF writes its fractional epoch: `2` after the second, `1.33` a third into it. */
export function formatEpochs(epochs: number): string {
  return String(Number(epochs.toFixed(2)));
}

/**
 * Where an evaluation was made: `epoch 2 (step 12)` after an epoch, `epoch 1.33 (step 8)` every N
 * steps (the epochs done, then the global step).
 */
export function evaluationAt(r: Pick<EpochRecord, 'epoch' | 'step' | 'epochFraction'>): string {
  return `epoch ${formatEpochs(r.epochFraction)} (step ${r.step})`;
}

/** An evaluation's line: where it was made, the train loss since the previous one, each split's eval loss and metrics. */
export function epochLine(r: EpochRecord): string {
  return `${evaluationAt(r)}: train loss ${r.trainLoss.toFixed(4)} ${splitTexts(r, true).join('; ')} (${formatRate(r.tokensPerSecond)} tok/s, ${formatDuration(r.seconds)})`;
}

/**
 * The training ETA of a run: the mean of its last `window` step times (each step's own, from its
 * tokens and tokens/s, so loading, evaluation and the first step's warm-up do not enter) times the
 * steps left. A step numbered at or below the last seen starts a new run (a sweep's next run, the
 * demo's next method).
 */
export class StepTimer {
  private times: number[] = [];
  private lastStep = Infinity;
  constructor(private readonly window = 20) {}

  eta(r: StepRecord): number {
    if (r.step <= this.lastStep && this.lastStep !== Infinity) this.times = [];
    this.lastStep = r.step;
    const seconds = r.tokensPerSecond > 0 ? r.tokens / r.tokensPerSecond : NaN;
    if (Number.isFinite(seconds)) this.times.push(seconds);
    if (this.times.length > this.window) this.times.shift();
    const mean = this.times.reduce((a, b) => a + b, 0) / Math.max(1, this.times.length);
    return mean * (r.totalSteps - r.step);
  }
}

/** One step as the text log writes it: every number a reader of a run_glue log looks for. */
export function stepLogLine(r: StepRecord): string {
  const lr = Object.entries(r.lr).map(([g, v]) => `${g}=${v.toPrecision(3).replace(/\.?0+$/, '')}`).join(' ');
  return `step ${r.step}/${r.totalSteps} epoch ${r.epoch} batch ${r.batch}/${r.batches} loss ${r.loss.toFixed(4)} lr ${lr} grad-norm ${Number.isFinite(r.gradNorm) ? r.gradNorm.toFixed(4) : '-'} ${formatRate(r.tokensPerSecond)} tok/s`;
}

/**
 * Shows training progress: on a TTY one bar redrawn in place with ETA and throughput; otherwise
 * plain lines (about ten per epoch) that read well in CI logs. Silent with `--json`. With a log
 * attached (`logTo`), every message, step and epoch also goes there, time-stamped, whatever is shown.
 */
export class Progress {
  private readonly timer = new StepTimer();
  private lastLineAt = 0;
  private logPath: string | null = null;
  constructor(private readonly out: NodeJS.WriteStream, private readonly enabled: boolean, private readonly prefix = '') {}

  /** Also appends every line to the text file `path` (a run's `train.log`); null detaches. */
  logTo(path: string | null): void {
    this.logPath = path;
  }

  private log(line: string): void {
    if (this.logPath) appendFileSync(this.logPath, `${new Date().toISOString()} ${this.prefix}${line}\n`);
  }

  step(r: StepRecord): void {
    const eta = this.timer.eta(r);
    this.log(stepLogLine(r));
    if (!this.enabled) return;
    const line = this.prefix + progressLine(r, eta);
    if (this.out.isTTY) {
      const cols = this.out.columns || 120;
      this.out.write(`\r${line.slice(0, cols - 1).padEnd(cols - 1)}`);
    } else if (r.batch === r.batches || r.batch % Math.max(1, Math.round(r.batches / 10)) === 0 || Date.now() - this.lastLineAt > 30_000) {
      this.lastLineAt = Date.now();
      this.out.write(line + '\n');
    }
  }

  epoch(r: EpochRecord): void {
    this.log(epochLine(r));
    if (!this.enabled) return;
    if (this.out.isTTY) this.out.write('\r' + ' '.repeat((this.out.columns || 120) - 1) + '\r');
    this.out.write(this.prefix + epochLine(r) + '\n');
  }

  message(text: string): void {
    this.log(text);
    if (this.enabled) this.out.write(this.prefix + text + '\n');
  }
}

/** A plain text table with a header rule, columns padded to their widest cell. */
export function table(header: string[], rows: (string | number)[][]): string {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, c) => Math.max(...cells.map((r) => (r[c] ?? '').length)));
  // numbers line up on the right, words on the left
  const numeric = header.map((_, c) => cells.slice(1).every((r) => /^[-+]?[\d,.]+( s| %)?$|^-$/.test(r[c] ?? '')));
  const line = (r: string[]): string => r.map((v, c) => (numeric[c] ? v.padStart(widths[c]!) : v.padEnd(widths[c]!))).join('  ').trimEnd();
  return [line(cells[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n') + '\n';
}
