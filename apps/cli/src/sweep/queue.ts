/**
 * Queue mode: a sweep's runs as BullMQ jobs on Redis, one job per run, the job id being the run id,
 * so enqueueing the same sweep again adds nothing (and runs already finished on disk are not
 * enqueued). Workers (`edora worker`) take them; results land in the run folders on the shared
 * output folder and, as each job's return value, in the queue.
 */
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { ParsedValue } from '../args.js';
import type { Io } from '../io.js';
import type { RunConfig } from '../run.js';
import { connectRedis, redactUrl } from './redis.js';
import { runStateOf, type SweepRun } from './runs.js';

/** What a job carries: everything a worker on another machine needs to train the run. */
export interface RunJobData {
  id: string;
  /** Absolute path of the run folder, on storage every worker sees at the same path. */
  dir: string;
  group: string;
  config: RunConfig;
  checkpointEvery: number;
}

/** What a finished job records in the queue. */
export interface RunJobResult {
  id: string;
  dir: string;
  metric: string;
  /** The metric after the last epoch (null when training stopped on a non-finite loss before an epoch ended). */
  value: number | null;
  trainable: number;
  steps: number;
  /** The checkpoint step this attempt resumed from; null when it started from scratch or found the run already finished. */
  resumedFromStep: number | null;
  /** True when the run folder was already finished (by a shard, or an attempt whose completion was lost): nothing was trained. */
  alreadyDone: boolean;
  /** host:pid of the worker that finished it. */
  worker: string;
}

export const JOB_NAME = 'train';

export function openQueue(name: string, connection: Redis): Queue<RunJobData, RunJobResult> {
  const queue = new Queue<RunJobData, RunJobResult>(name, { connection });
  queue.on('error', () => {}); // operations reject with the error themselves
  return queue;
}

export interface EnqueueOutcome {
  added: number;
  /** Already in the queue (any state), left as they are. */
  queued: number;
  /** Finished on disk: not enqueued. */
  done: number;
  /** Failed every attempt before; put back by --retry-failed. */
  retried: number;
}

/** Enqueues the runs not finished on disk and not already queued (by job id = run id). */
export async function enqueueRuns(queue: Queue<RunJobData, RunJobResult>, runs: readonly SweepRun[], o: { attempts: number; backoffMs: number; checkpointEvery: number; retryFailed: boolean }): Promise<EnqueueOutcome> {
  const outcome: EnqueueOutcome = { added: 0, queued: 0, done: 0, retried: 0 };
  const toAdd: SweepRun[] = [];
  for (const r of runs) {
    if (runStateOf(r.dir) === 'done') {
      outcome.done++;
      continue;
    }
    const job = await queue.getJob(r.id);
    if (!job) {
      toAdd.push(r);
      continue;
    }
    if (o.retryFailed && (await job.getState()) === 'failed') {
      await job.retry('failed');
      outcome.retried++;
    } else outcome.queued++;
  }
  // a job id that exists is left alone by BullMQ, so two enqueuers racing still add each run once
  for (let i = 0; i < toAdd.length; i += 500) {
    await queue.addBulk(toAdd.slice(i, i + 500).map((r) => ({
      name: JOB_NAME,
      data: { id: r.id, dir: r.dir, group: r.group, config: r.config, checkpointEvery: o.checkpointEvery },
      opts: { jobId: r.id, attempts: o.attempts, backoff: { type: 'exponential', delay: o.backoffMs }, removeOnComplete: false, removeOnFail: false },
    })));
  }
  outcome.added = toAdd.length;
  return outcome;
}

/** `edora sweep … --queue URL`. */
export async function enqueueSweep(runs: readonly SweepRun[], v: Record<string, ParsedValue>, io: Io): Promise<number> {
  const url = v.queue as string;
  const connection = await connectRedis(url);
  const queue = openQueue(v.queueName as string, connection);
  try {
    const o = await enqueueRuns(queue, runs, {
      attempts: v.attempts as number, backoffMs: v.backoff as number, checkpointEvery: v.checkpointEvery as number, retryFailed: v.retryFailed as boolean,
    });
    if (v.json) io.stdout.write(JSON.stringify({ runs: runs.length, ...o }) + '\n');
    else io.stdout.write(`${runs.length} runs: ${o.added} enqueued, ${o.queued} already in the queue, ${o.done} finished on disk${o.retried ? `, ${o.retried} failed runs put back` : ''} (queue ${v.queueName as string} on ${redactUrl(url)})\nstart workers with: edora worker --queue ${redactUrl(url)}${v.queueName === 'edora-sweep' ? '' : ` --queue-name ${v.queueName as string}`}\n`);
    return 0;
  } finally {
    await queue.close();
    connection.disconnect();
  }
}
