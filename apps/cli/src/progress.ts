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

export function epochLine(r: EpochRecord): string {
  return `epoch ${r.epoch}: train loss ${r.trainLoss.toFixed(4)} ${splitTexts(r, true).join('; ')} (${formatRate(r.tokensPerSecond)} tok/s, ${formatDuration(r.seconds)})`;
}

/**
 * Shows training progress: on a TTY one bar redrawn in place with ETA and throughput; otherwise
 * plain lines (about ten per epoch) that read well in CI logs. Silent with `--json`.
 */
export class Progress {
  private readonly startedAt = Date.now();
  private firstStep = -1;
  private lastLineAt = 0;
  constructor(private readonly out: NodeJS.WriteStream, private readonly enabled: boolean, private readonly prefix = '') {}

  step(r: StepRecord): void {
    if (!this.enabled) return;
    if (this.firstStep < 0) this.firstStep = r.step - 1;
    const elapsed = (Date.now() - this.startedAt) / 1000;
    const done = r.step - this.firstStep;
    const eta = (elapsed / done) * (r.totalSteps - r.step);
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
    if (!this.enabled) return;
    if (this.out.isTTY) this.out.write('\r' + ' '.repeat((this.out.columns || 120) - 1) + '\r');
    this.out.write(this.prefix + epochLine(r) + '\n');
  }

  message(text: string): void {
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
