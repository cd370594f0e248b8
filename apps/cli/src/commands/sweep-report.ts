import { join } from 'node:path';
import { UsageError, type CommandSpec, type Parsed } from '../args.js';
import type { Io } from '../io.js';
import { finishedRuns, sweepReport, type ReportEpoch } from '../sweep/report.js';
import { reportText, writeReportFiles } from '../sweep/report-files.js';

export const SWEEP_REPORT: CommandSpec = {
  name: 'sweep report',
  positionals: '<sweep dir>',
  summary: 'Summarize every finished run of a sweep folder: per task the paper\'s metric (CoLA Matthews, STS-B Pearson, accuracy elsewhere), median and spread over seeds per configuration, the best configuration per method and rank, trainable parameters; writes report.json, report.csv and SVG plots (metric by rank per method, metric by trainable parameters).',
  options: {
    metric: { type: 'string', placeholder: 'metric', help: 'report this metric instead of the paper\'s: one of the task\'s metrics, combined_score, or loss (lower is better)' },
    epoch: { type: 'string', choices: ['last', 'best'], default: 'last', help: 'each run\'s value at its last evaluation (after its last epoch by default, the authors\') or at its best one' },
    out: { type: 'string', placeholder: 'dir', help: 'where the report files go (default <sweep dir>/report)' },
  },
};

export async function sweepReportCommand(p: Parsed, io: Io): Promise<number> {
  const dir = p.positionals[0];
  if (dir === undefined || p.positionals.length > 1) throw new UsageError(`sweep report: expected one sweep folder; found ${p.positionals.length === 0 ? 'none' : p.positionals.join(' ')}`);
  const runs = await finishedRuns(dir).catch((e: NodeJS.ErrnoException) => {
    throw new UsageError(`sweep report: cannot read the sweep folder ${dir} (${e.code ?? e.message})`);
  });
  if (runs.length === 0) throw new UsageError(`sweep report: ${dir} holds no finished run (no sub-folder with a results.json from edora train or edora sweep)`);
  const reports = sweepReport(runs, { epoch: p.values.epoch as ReportEpoch, ...(p.values.metric === undefined ? {} : { metric: p.values.metric as string }) });
  const written = await writeReportFiles((p.values.out as string | undefined) ?? join(dir, 'report'), reports);
  if (p.values.json) io.stdout.write(JSON.stringify({ runs: runs.length, tasks: reports, files: written }) + '\n');
  else io.stdout.write(`${reportText(reports)}\n${runs.length} finished runs; wrote ${written.join(', ')}\n`);
  return 0;
}
