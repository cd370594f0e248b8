/**
 * Shard mode: a job array (Slurm, a Kubernetes Indexed Job, or any loop) runs one sweep as n
 * independent processes; element i runs every n-th run starting at i. No coordination is needed:
 * runs are in a fixed order, and a finished run (results.json) is skipped, so a failed element is
 * simply submitted again.
 */
import { UsageError } from '../args.js';

export interface Shard {
  index: number;
  count: number;
  /** Where the shard came from, for messages. */
  source: string;
}

function toInt(text: string | undefined, what: string): number {
  const n = Number(text);
  if (text === undefined || text.trim() === '' || !Number.isInteger(n)) throw new UsageError(`${what}: expected an integer; found ${JSON.stringify(text)}`);
  return n;
}

function checked(index: number, count: number, source: string): Shard {
  if (count < 1 || index < 0 || index >= count) throw new UsageError(`${source}: expected a shard index i with 0 ≤ i < n and n ≥ 1; found ${index}/${count}`);
  return { index, count, source };
}

/**
 * The shard to run: `--shard i/n` when given; else Slurm's `SLURM_ARRAY_TASK_ID` (less
 * `SLURM_ARRAY_TASK_MIN`, so `--array=1-8` works) of `SLURM_ARRAY_TASK_COUNT`; else Kubernetes'
 * `JOB_COMPLETION_INDEX` of `--shard-count` (an Indexed Job does not pass its completions). Null:
 * the whole sweep.
 */
export function shardOf(option: string | undefined, shardCount: number | undefined, env: NodeJS.ProcessEnv): Shard | null {
  if (option !== undefined) {
    const m = /^(\d+)\/(\d+)$/.exec(option.trim());
    if (!m) throw new UsageError(`--shard: expected i/n (0-based index i of n shards, e.g. 0/4); found ${JSON.stringify(option)}`);
    return checked(Number(m[1]), Number(m[2]), '--shard');
  }
  if (env.SLURM_ARRAY_TASK_ID !== undefined) {
    const id = toInt(env.SLURM_ARRAY_TASK_ID, 'SLURM_ARRAY_TASK_ID');
    const min = env.SLURM_ARRAY_TASK_MIN === undefined ? 0 : toInt(env.SLURM_ARRAY_TASK_MIN, 'SLURM_ARRAY_TASK_MIN');
    const count = shardCount ?? toInt(env.SLURM_ARRAY_TASK_COUNT, 'SLURM_ARRAY_TASK_COUNT');
    return checked(id - min, count, 'SLURM_ARRAY_TASK_ID');
  }
  if (env.JOB_COMPLETION_INDEX !== undefined) {
    if (shardCount === undefined) throw new UsageError('JOB_COMPLETION_INDEX is set (a Kubernetes Indexed Job) but --shard-count is not: give the Job\'s completions as --shard-count');
    return checked(toInt(env.JOB_COMPLETION_INDEX, 'JOB_COMPLETION_INDEX'), shardCount, 'JOB_COMPLETION_INDEX');
  }
  if (shardCount !== undefined) throw new UsageError('--shard-count needs a shard index: --shard i/n, SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX');
  return null;
}

/** The runs of one shard: every `count`-th, from `index`. */
export function inShard<T>(runs: readonly T[], shard: Shard | null): T[] {
  return shard === null ? [...runs] : runs.filter((_, i) => i % shard.count === shard.index);
}
