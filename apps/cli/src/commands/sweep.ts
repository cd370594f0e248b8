import { join } from 'node:path';
import type { CommandSpec, OptionSpecs, Parsed } from '../args.js';
import { selectBackend } from '../backends.js';
import type { Io } from '../io.js';
import { Progress, table } from '../progress.js';
import { runTraining } from '../run.js';
import { RUN_OPTIONS } from '../run-options.js';
import { finishedRunAt, sweepReport, type FinishedRun } from '../sweep/report.js';
import { reportText } from '../sweep/report-files.js';
import { resolveSweepValues, runStateOf, sweepRuns } from '../sweep/runs.js';
import { inShard, shardOf } from '../sweep/shard.js';
import { GRID_NAMES, GRID_OPTIONS } from '../sweep/spec.js';

/** What a spec file may set: every run option, the grid, and the output folder. */
export const SPEC_OPTIONS: OptionSpecs = {
  ...RUN_OPTIONS,
  ...GRID_OPTIONS,
  'output-dir': { type: 'string', default: join('runs', 'sweep'), placeholder: 'dir', help: 'one sub-folder per run, named <task>-<method>-r<rank>-seed<seed>-<run id>' },
};

export const SWEEP: CommandSpec = {
  name: 'sweep',
  positionals: '[spec.json|spec.yaml]',
  summary: 'Run a grid of training runs (methods × ranks × σ × lr × head lr × seeds, from a spec file, a preset or options), one run folder each with a stable id; finished runs are skipped and interrupted ones resumed. Spread it over machines with --shard (job arrays) or --queue (Redis workers); see also edora sweep status, edora sweep report, edora worker.',
  usage: 'Examples: edora sweep sweep.yaml --shard 3/16\n          edora sweep --grid edora-paper --task rte --data-dir ./glue_data --model ./roberta-base --queue redis://host:6379/0',
  options: {
    ...SPEC_OPTIONS,
    grid: { type: 'string', choices: GRID_NAMES, placeholder: GRID_NAMES.join('|'), help: 'start from a preset grid: edora-paper (the authors\' 1,750 runs per task) or smoke (seconds, embedded task); the spec file and typed options override it' },
    shard: { type: 'string', placeholder: 'i/n', help: 'run only shard i of n (every n-th run from i, 0-based); default from SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT or JOB_COMPLETION_INDEX with --shard-count' },
    'shard-count': { type: 'int', placeholder: 'n', min: 1, help: 'number of shards, with JOB_COMPLETION_INDEX (Kubernetes Indexed Job) or to override SLURM_ARRAY_TASK_COUNT' },
    queue: { type: 'string', placeholder: 'redis://host:port/db', help: 'enqueue the runs on this Redis (idempotent by run id) for edora worker instead of training here' },
    'queue-name': { type: 'string', default: 'edora-sweep', help: 'BullMQ queue name' },
    attempts: { type: 'int', default: 3, min: 1, help: 'with --queue: attempts per run before it counts as failed' },
    backoff: { type: 'int', default: 30000, min: 0, help: 'with --queue: delay in ms before the first retry, doubled at each further one' },
    'retry-failed': { type: 'boolean', default: false, help: 'with --queue: put runs that failed every attempt back in the queue' },
    'dry-run': { type: 'boolean', default: false, help: 'list the runs (of this shard) and their state without training' },
  },
};

export async function sweepCommand(p: Parsed, io: Io): Promise<number> {
  const v = await resolveSweepValues(p, SPEC_OPTIONS);
  const runs = sweepRuns(v);
  if (v.queue !== undefined) {
    // loaded only in queue mode, so a sweep without Redis never loads BullMQ
    const { enqueueSweep } = await import('../sweep/queue.js');
    return enqueueSweep(runs, v, io);
  }
  const shard = shardOf(v.shard as string | undefined, v.shardCount as number | undefined, process.env);
  const mine = inShard(runs, shard);
  const where = shard ? ` (shard ${shard.index}/${shard.count} from ${shard.source}: ${mine.length} of ${runs.length} runs)` : '';
  if (v.dryRun && v.json) {
    io.stdout.write(JSON.stringify({ total: runs.length, ...(shard ? { shard: { index: shard.index, count: shard.count } } : {}), runs: mine.map((r) => ({ id: r.id, dir: r.dir, state: runStateOf(r.dir) })) }) + '\n');
    return 0;
  }
  if (v.dryRun) {
    io.stdout.write(table(['run id', 'run', 'state'], mine.map((r) => [r.id, r.dir, runStateOf(r.dir)])));
    io.stdout.write(`${mine.length} runs${where}\n`);
    return 0;
  }
  await selectBackend(v.backend as string);
  const progress = new Progress(io.stderr, !v.json);
  if (where) progress.message(`sweep${where}`);
  for (const [i, r] of mine.entries()) {
    const state = runStateOf(r.dir);
    if (state === 'done') continue;
    progress.message(`run ${i + 1}/${mine.length} ${r.id}: ${r.group} seed ${r.config.seed}${state === 'partial' ? ' (resuming)' : ''}`);
    await runTraining(r.config, { outputDir: r.dir, resume: state === 'partial', overwrite: state === 'todo', checkpointEvery: v.checkpointEvery as number, progress });
  }
  const finished = (await Promise.all(mine.map((r) => finishedRunAt(r.dir)))).filter((r): r is FinishedRun => r !== null);
  const reports = sweepReport(finished, { epoch: 'last', ...(v.metricForBest === undefined ? {} : { metric: v.metricForBest as string }) });
  if (v.json) io.stdout.write(JSON.stringify({ runs: mine.length, ...(shard ? { shard: { index: shard.index, count: shard.count } } : {}), tasks: reports }) + '\n');
  else io.stdout.write(reportText(reports));
  return 0;
}
