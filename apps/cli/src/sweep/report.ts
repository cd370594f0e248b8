/**
 * `edora sweep report`: every finished run of a sweep folder in one summary, per task the paper's
 * metric (or the one chosen): median and spread over seeds per configuration, the best
 * configuration per method and rank, trainable parameters. Nothing in it depends on timing or on
 * which machine ran what, so a sweep run by queue workers reports exactly as one run in one process.
 */
import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { getTask } from '@edora/glue';
import { isBetter, mainMetricOf, metricValue, type RunResults } from '@edora/train';
import { RUN_FILES } from '@edora/train/node';
import type { RunConfig } from '../run.js';
import { runKeyOf } from '../run.js';
import { groupOf, runIdOf } from './runs.js';

/** A finished run as its results.json records it. */
export interface FinishedRun {
  id: string;
  /** The run folder's name inside the sweep folder. */
  name: string;
  config: RunConfig;
  trainable: number;
  results: RunResults;
}

/** Which epoch's value a run counts with: after the last epoch (the authors' choice) or its best. */
export type ReportEpoch = 'last' | 'best';

export interface ConfigSummary {
  group: string;
  method: string;
  rank: number;
  sigma: number;
  lr: number;
  clsLr: number;
  trainable: number;
  seeds: number[];
  runIds: string[];
  values: number[];
  median: number;
  min: number;
  max: number;
  /** Sample standard deviation over seeds (0 for one seed). */
  std: number;
}

export interface TaskReport {
  task: string;
  metric: string;
  epoch: ReportEpoch;
  /** Every configuration, in the order of its first run. */
  configs: ConfigSummary[];
  /** Per method and rank, the configuration with the best median. */
  best: ConfigSummary[];
}

/** The finished run in `dir`, or null when it holds no training run's results.json. */
export async function finishedRunAt(dir: string): Promise<FinishedRun | null> {
  const text = await readFile(join(dir, RUN_FILES.results), 'utf8').catch(() => null);
  if (text === null) return null;
  const parsed = JSON.parse(text) as RunResults & { config?: RunConfig; trainable?: number };
  if (!parsed.config) return null;
  return { id: runIdOf(parsed.config), name: basename(dir), config: parsed.config, trainable: parsed.trainable ?? NaN, results: parsed };
}

/** Every finished run in the sub-folders of `dir`, by folder name. */
export async function finishedRuns(dir: string): Promise<FinishedRun[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const out: FinishedRun[] = [];
  for (const e of entries.filter((x) => x.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
    const run = await finishedRunAt(join(dir, e.name));
    if (run) out.push(run);
  }
  return out;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0 ? NaN : s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function std(xs: number[]): number {
  if (xs.length < 2) return 0;
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1));
}

/** A run's value of `metric`: after its last epoch, or its best epoch by that metric. */
export function runValue(r: RunResults, metric: string, epoch: ReportEpoch): number {
  if (epoch === 'last') return r.last ? metricValue(r.last, metric) : NaN;
  let best = NaN;
  for (const e of r.epochs) {
    const v = metricValue(e, metric);
    if (isBetter(metric, v, best)) best = v;
  }
  return best;
}

/** The report of each task (in order of first appearance); `metric` replaces each task's paper metric when given. */
export function sweepReport(runs: readonly FinishedRun[], o: { metric?: string; epoch: ReportEpoch }): TaskReport[] {
  const tasks = [...new Set(runs.map((r) => r.config.task))];
  return tasks.map((task) => {
    const metric = o.metric === undefined ? getTask(task).mainMetric : mainMetricOf(task, o.metric);
    const groups = new Map<string, FinishedRun[]>();
    for (const r of runs.filter((x) => x.config.task === task)) {
      const key = runKeyOf({ ...r.config, seed: 0 });
      (groups.get(key) ?? groups.set(key, []).get(key)!).push(r);
    }
    const configs = [...groups.values()].map((members): ConfigSummary => {
      const sorted = [...members].sort((a, b) => a.config.seed - b.config.seed);
      const values = sorted.map((r) => runValue(r.results, metric, o.epoch));
      const finite = values.filter(Number.isFinite);
      const c = sorted[0]!.config;
      return {
        group: groupOf(c), method: c.method, rank: c.rank, sigma: c.sigma, lr: c.lr, clsLr: c.clsLr, trainable: sorted[0]!.trainable,
        seeds: sorted.map((r) => r.config.seed), runIds: sorted.map((r) => r.id), values,
        median: median(finite), min: finite.length ? Math.min(...finite) : NaN, max: finite.length ? Math.max(...finite) : NaN, std: std(finite),
      };
    });
    const best = new Map<string, ConfigSummary>();
    for (const c of configs) {
      const key = `${c.method}\u0000${c.rank}`;
      const held = best.get(key);
      if (!held || isBetter(metric, c.median, held.median)) best.set(key, c);
    }
    const ordered = [...best.values()].sort((a, b) => a.method.localeCompare(b.method) || a.rank - b.rank);
    return { task, metric, epoch: o.epoch, configs, best: ordered };
  });
}
