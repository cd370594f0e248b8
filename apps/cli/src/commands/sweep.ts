import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RUN_FILES } from '@edora/train/node';
import type { CommandSpec, Parsed } from '../args.js';
import { selectBackend } from '../backends.js';
import type { Io } from '../io.js';
import { Progress, table } from '../progress.js';
import { runTraining, type RunConfig } from '../run.js';
import { runConfigFrom, RUN_OPTIONS } from '../run-options.js';
import { METHODS, type Method } from '../setup.js';

/** The authors' GLUE grid (SEMANTICS.md): ranks × σ × lr × head lr × seeds. */
const LRS = [1e-3, 5e-4, 1e-4, 5e-3, 6e-4];

export const SWEEP: CommandSpec = {
  name: 'sweep',
  summary: 'Run the reference grid (methods × ranks × σ × lr × head lr × seeds) locally, one run directory each; finished runs are skipped and interrupted ones resumed; prints the median over seeds per configuration.',
  options: {
    ...RUN_OPTIONS,
    methods: { type: 'list', choices: METHODS, default: ['edora'], help: 'methods' },
    ranks: { type: 'list', numeric: true, default: [4, 8, 12, 16, 20, 25, 32], help: 'ranks' },
    sigmas: { type: 'list', numeric: true, default: [1e-5, 5e-6], help: 'σ of R at init (EDoRA, LoRA-XS)' },
    lrs: { type: 'list', numeric: true, default: LRS, help: 'adapter learning rates' },
    'cls-lrs': { type: 'list', numeric: true, default: LRS, help: 'head learning rates' },
    seeds: { type: 'list', numeric: true, default: [1, 2, 3, 4, 5], help: 'seeds' },
    'output-dir': { type: 'string', default: join('runs', 'sweep'), placeholder: 'dir', help: 'one sub-folder per run' },
    'dry-run': { type: 'boolean', default: false, help: 'list the runs and their state without training' },
  },
};

export interface SweepRun {
  config: RunConfig;
  dir: string;
  /** The configuration without the seed: runs that share it are summarized together. */
  group: string;
}

/** Every run of the grid, in a fixed order; σ only varies for methods that have R. */
export function sweepRuns(p: Parsed): SweepRun[] {
  const v = p.values;
  const out: SweepRun[] = [];
  for (const method of v.methods as Method[]) {
    const sigmas = method === 'edora' || method === 'lora-xs' ? (v.sigmas as number[]) : [v.sigma as number];
    for (const rank of v.ranks as number[]) for (const sigma of sigmas) for (const lr of v.lrs as number[]) for (const clsLr of v.clsLrs as number[]) {
      const group = `${method} r=${rank}${sigmas.length > 1 || method === 'edora' || method === 'lora-xs' ? ` σ=${sigma}` : ''} lr=${lr} head=${clsLr}`;
      for (const seed of v.seeds as number[]) {
        const config = { ...runConfigFrom({ ...v, sigma }, method, rank, lr, clsLr, seed) };
        const name = `${config.task}-${method}-r${rank}-s${sigma}-lr${lr}-cls${clsLr}-seed${seed}`;
        out.push({ config, dir: join(v.outputDir as string, name), group });
      }
    }
  }
  return out;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export async function sweepCommand(p: Parsed, io: Io): Promise<number> {
  const v = p.values;
  const runs = sweepRuns(p);
  const state = (r: SweepRun): 'done' | 'partial' | 'todo' =>
    existsSync(join(r.dir, RUN_FILES.results)) ? 'done' : existsSync(join(r.dir, RUN_FILES.checkpoint)) ? 'partial' : 'todo';
  if (v.dryRun) {
    io.stdout.write(table(['run', 'state'], runs.map((r) => [r.dir, state(r)])));
    io.stdout.write(`${runs.length} runs\n`);
    return 0;
  }
  await selectBackend(v.backend as string);
  const progress = new Progress(io.stderr, !v.json);
  for (const [i, r] of runs.entries()) {
    const s = state(r);
    if (s === 'done') continue;
    progress.message(`run ${i + 1}/${runs.length}: ${r.group} seed ${r.config.seed}${s === 'partial' ? ' (resuming)' : ''}`);
    await runTraining(r.config, { outputDir: r.dir, resume: s === 'partial', checkpointEvery: v.checkpointEvery as number, progress });
  }
  // the reported value: the metric after the last epoch, median over seeds
  const groups = new Map<string, number[]>();
  let metric = '';
  for (const r of runs) {
    const results = JSON.parse(await readFile(join(r.dir, RUN_FILES.results), 'utf8')) as { mainMetric: string; last: { metrics: Record<string, number> } | null };
    metric = results.mainMetric;
    const value = results.last?.metrics[metric];
    if (value !== undefined) (groups.get(r.group) ?? groups.set(r.group, []).get(r.group)!).push(value);
  }
  const rows = [...groups].map(([group, values]) => ({ group, seeds: values.length, median: median(values), min: Math.min(...values), max: Math.max(...values) }));
  if (v.json) io.stdout.write(JSON.stringify({ metric, rows }) + '\n');
  else io.stdout.write(table(['configuration', 'seeds', `median ${metric}`, 'min', 'max'], rows.map((x) => [x.group, x.seeds, x.median.toFixed(4), x.min.toFixed(4), x.max.toFixed(4)])));
  return 0;
}
