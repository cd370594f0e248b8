/** The files of a sweep report: report.json, report.csv and two SVG plots per task, each written atomically. */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '@edora/train/node';
import { chartSvg, type ChartSeries } from './chart.js';
import { table } from '../progress.js';
import type { ConfigSummary, TaskReport } from './report.js';

export const REPORT_FILES = { json: 'report.json', csv: 'report.csv' } as const;

const CSV_HEADER = ['task', 'metric', 'epoch', 'method', 'rank', 'sigma', 'lr', 'cls_lr', 'trainable', 'seeds', 'median', 'min', 'max', 'std', 'best_for_method_rank', 'values', 'run_ids'];

function csvCell(v: string | number | boolean): string {
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function reportCsv(reports: readonly TaskReport[]): string {
  const rows = reports.flatMap((t) => t.configs.map((c) => [
    t.task, t.metric, t.epoch, c.method, c.rank, c.sigma, c.lr, c.clsLr, c.trainable, c.seeds.length, c.median, c.min, c.max, c.std,
    t.best.includes(c), c.values.join(' '), c.runIds.join(' '),
  ]));
  return [CSV_HEADER, ...rows].map((r) => r.map(csvCell).join(',')).join('\n') + '\n';
}

/** One series per method of its best configurations, x by `x`. */
function seriesOf(best: readonly ConfigSummary[], x: (c: ConfigSummary) => number): ChartSeries[] {
  const methods = [...new Set(best.map((c) => c.method))];
  return methods.map((m) => ({ label: m, points: best.filter((c) => c.method === m).map((c) => ({ x: x(c), y: c.median, lo: c.min, hi: c.max })) }));
}

/** Writes the report into `outDir`; returns the paths written. */
export async function writeReportFiles(outDir: string, reports: readonly TaskReport[]): Promise<string[]> {
  await mkdir(outDir, { recursive: true });
  const files = new Map<string, string>([
    [REPORT_FILES.json, JSON.stringify({ tasks: reports }, null, 2) + '\n'],
    [REPORT_FILES.csv, reportCsv(reports)],
  ]);
  for (const t of reports) {
    const y = `${t.metric} (median over seeds, bars: min–max)`;
    files.set(`${t.task}-metric-vs-rank.svg`, chartSvg({ title: `${t.task}: ${t.metric} by rank, best configuration per method`, xLabel: 'rank r', yLabel: y, series: seriesOf(t.best, (c) => c.rank) }));
    files.set(`${t.task}-metric-vs-params.svg`, chartSvg({ title: `${t.task}: ${t.metric} by trainable parameters`, xLabel: 'trainable parameters (log scale)', yLabel: y, logX: true, series: seriesOf(t.best, (c) => c.trainable) }));
  }
  const written: string[] = [];
  for (const [name, text] of files) {
    await writeFileAtomic(join(outDir, name), text);
    written.push(join(outDir, name));
  }
  return written;
}

/** The report as text tables: per task, the best configuration per method and rank. */
export function reportText(reports: readonly TaskReport[]): string {
  const f = (v: number): string => (Number.isFinite(v) ? v.toFixed(4) : '-');
  return reports.map((t) => `${t.task}: ${t.metric}, ${t.epoch === 'last' ? 'after the last epoch' : 'best epoch'}, median over seeds (${t.configs.length} configurations)\n` + table(
    ['method', 'rank', 'trainable', 'seeds', 'median', 'min', 'max', 'std', 'best configuration'],
    t.best.map((c) => [c.method, c.rank, c.trainable.toLocaleString('en-US'), c.seeds.length, f(c.median), f(c.min), f(c.max), f(c.std), c.group]),
  )).join('\n');
}
