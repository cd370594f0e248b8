/**
 * A queue worker: takes run jobs one at a time and trains them into their folders. BullMQ holds a
 * lock on the job, renewed while the run trains (the training loop awaits file writes each step,
 * so the renewal timer runs); a worker that dies stops renewing, and another worker's stalled-job
 * check hands the job on, where it resumes from the run's last checkpoint. On a stop request the
 * run ends before its next step (every file it wrote is whole: each is replaced atomically) and
 * the job goes back to waiting without spending an attempt.
 */
import { hostname } from 'node:os';
import { Worker, WaitingError, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { decodeCheckpoint, metricValue } from '@edora/train';
import { readRunCheckpoint } from '@edora/train/node';
import { Progress } from '../progress.js';
import { runTraining } from '../run.js';
import { finishedRunAt } from './report.js';
import type { RunJobData, RunJobResult } from './queue.js';

export interface WorkerOptions {
  queueName: string;
  connection: Redis;
  /** How long a job's lock lasts without renewal (ms); renewed at half of it. A dead worker's run moves on after about this long. */
  lockDurationMs: number;
  /** How often this worker looks for stalled jobs (ms). */
  stalledIntervalMs: number;
  /** How many times a run may stall (its worker die) before it counts as failed. */
  maxStalled: number;
  /** Aborted to stop: the current run stops before its next step and goes back to the queue. */
  signal: AbortSignal;
  log: (line: string) => void;
}

export const WORKER_NAME = `${hostname()}:${process.pid}`;

/** Trains one job's run (or finds it finished) and returns what the queue records. */
async function processRun(job: Job<RunJobData, RunJobResult>, token: string | undefined, o: WorkerOptions): Promise<RunJobResult> {
  const { id, dir, config, checkpointEvery } = job.data;
  const done = await finishedRunAt(dir);
  if (done && done.id === id) {
    o.log(`run ${id} was already finished in ${dir}`);
    return { id, dir, metric: done.results.mainMetric, value: done.results.last ? metricValue(done.results.last, done.results.mainMetric) : null, trainable: done.trainable, steps: done.results.steps, resumedFromStep: null, alreadyDone: true, worker: WORKER_NAME };
  }
  const checkpoint = await readRunCheckpoint(dir).catch(() => null);
  const resumedFromStep = checkpoint ? decodeCheckpoint(checkpoint).meta.step : null;
  o.log(`run ${id} ${resumedFromStep === null ? 'started' : `resumed from step ${resumedFromStep}`} (attempt ${job.attemptsMade + 1}/${job.opts.attempts ?? 1}): ${job.data.group} seed ${config.seed}`);
  let reportedAt = 0;
  try {
    const summary = await runTraining(config, {
      outputDir: dir, resume: checkpoint !== null, overwrite: checkpoint === null, takeOverLock: true, checkpointEvery, progress: new Progress(process.stderr, false), signal: o.signal,
      onStep: (r) => {
        if (Date.now() - reportedAt < 1000 && r.step < r.totalSteps) return;
        reportedAt = Date.now();
        job.updateProgress({ step: r.step, totalSteps: r.totalSteps }).catch(() => {});
      },
    });
    const r = summary.results;
    const value = r.last ? metricValue(r.last, r.mainMetric) : null;
    o.log(`run ${id} finished: ${r.mainMetric} ${value ?? '-'}`);
    return { id, dir, metric: r.mainMetric, value, trainable: summary.trainable, steps: r.steps, resumedFromStep, alreadyDone: false, worker: WORKER_NAME };
  } catch (e) {
    if (!o.signal.aborted) throw e;
    // stopped on request: back to waiting, no attempt spent; the next worker resumes the checkpoint
    await job.moveToWait(token);
    o.log(`run ${id} stopped before its next step and returned to the queue; its last checkpoint is kept`);
    throw new WaitingError();
  }
}

/** Starts a worker of one run at a time. */
export function startWorker(o: WorkerOptions): Worker<RunJobData, RunJobResult> {
  const worker = new Worker<RunJobData, RunJobResult>(o.queueName, (job, token) => processRun(job, token, o), {
    connection: o.connection,
    concurrency: 1,
    lockDuration: o.lockDurationMs,
    stalledInterval: o.stalledIntervalMs,
    maxStalledCount: o.maxStalled,
    autorun: true,
  });
  worker.on('failed', (job, err) => {
    if (!job || err instanceof WaitingError) return;
    const final = job.attemptsMade >= (job.opts.attempts ?? 1);
    o.log(`run ${job.id} failed (attempt ${job.attemptsMade}/${job.opts.attempts ?? 1}${final ? ', no attempts left' : ', will be retried'}): ${err.message}`);
  });
  worker.on('error', (err) => o.log(`queue error: ${err.message}`));
  return worker;
}
