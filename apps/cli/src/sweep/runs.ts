/**
 * A sweep's runs: the options resolved (defaults < preset < spec file < command line), expanded
 * into one run per grid point, each with a stable id and its own folder.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { RUN_FILES } from '@edora/train/node';
import type { OptionSpecs, Parsed, ParsedValue } from '../args.js';
import { runKeyOf, type RunConfig } from '../run.js';
import { runConfigFrom } from '../run-options.js';
import type { Method } from '../setup.js';
import { GRIDS, readSweepSpec, SweepSpecError } from './spec.js';

export interface SweepRun {
  /** 12 hex digits of the SHA-256 of the run key: equal options, equal id, on any machine. */
  id: string;
  config: RunConfig;
  dir: string;
  /** The configuration without the seed: runs that share it are summarized together. */
  group: string;
}

export type RunState = 'done' | 'partial' | 'todo';

/** The id of a run: a hash of its resolved options (`runKeyOf`). */
export function runIdOf(config: RunConfig): string {
  return createHash('sha256').update(runKeyOf(config)).digest('hex').slice(0, 12);
}

/** Whether a run folder holds a finished run (results.json is written last, atomically), a checkpoint, or nothing. */
export function runStateOf(dir: string): RunState {
  return existsSync(join(dir, RUN_FILES.results)) ? 'done' : existsSync(join(dir, RUN_FILES.checkpoint)) ? 'partial' : 'todo';
}

/** Label of a configuration without its seed; σ is named only for methods that have R. */
export function groupOf(c: RunConfig): string {
  const sigma = c.method === 'edora' || c.method === 'lora-xs' ? ` σ=${c.sigma}` : '';
  return `${c.task} ${c.method} r=${c.rank}${sigma} lr=${c.lr} head=${c.clsLr}`;
}

/**
 * The sweep's option values: the command's defaults, then the preset (`--grid`, or `grid:` in the
 * spec), then the spec file, then what was typed on the command line. `tasks` is the spec's task
 * list, or the one `--task`.
 */
export async function resolveSweepValues(p: Parsed, options: OptionSpecs): Promise<Record<string, ParsedValue>> {
  const specPath = p.positionals[0];
  const spec = specPath === undefined ? {} : await readSweepSpec(specPath, options);
  const gridName = p.given?.has('grid') ? (p.values.grid as string) : ((spec.grid as string | undefined) ?? (p.values.grid as string | undefined));
  const grid = gridName === undefined ? {} : GRIDS[gridName]!;
  const typed = Object.fromEntries([...(p.given ?? [])].map((k) => [k, p.values[k]]));
  const values = { ...p.values, tasks: [p.values.task as string], ...grid, ...spec, ...typed };
  if (p.given?.has('task')) values.tasks = [p.values.task as string];
  return values;
}

/** Every run of the grid, in a fixed order (task, method, rank, σ, lr, head lr, seed); σ varies only for methods with R. */
export function sweepRuns(v: Record<string, ParsedValue>): SweepRun[] {
  const out: SweepRun[] = [];
  const outputDir = resolve(v.outputDir as string);
  for (const task of v.tasks as string[]) {
    for (const method of v.methods as Method[]) {
      const sigmas = method === 'edora' || method === 'lora-xs' ? (v.sigmas as number[]) : [v.sigma as number];
      for (const rank of v.ranks as number[]) for (const sigma of sigmas) for (const lr of v.lrs as number[]) for (const clsLr of v.clsLrs as number[]) {
        for (const seed of v.seeds as number[]) {
          const config = runConfigFrom({ ...v, task, sigma }, method, rank, lr, clsLr, seed);
          const id = runIdOf(config);
          out.push({ id, config, dir: join(outputDir, `${task}-${method}-r${rank}-seed${seed}-${id}`), group: groupOf(config) });
        }
      }
    }
  }
  const ids = new Set(out.map((r) => r.id));
  if (ids.size !== out.length) throw new SweepSpecError(`the sweep repeats runs: ${out.length} grid points but ${ids.size} distinct configurations (a list with a value twice?)`);
  return out;
}
