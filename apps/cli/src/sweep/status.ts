/** Where a queued sweep stands: counts by state, the running runs with their progress, failures, and an ETA. */
import type { Queue } from 'bullmq';
import { formatDuration, table } from '../progress.js';
import type { RunJobData, RunJobResult } from './queue.js';

export interface QueueStatus {
  done: number;
  running: number;
  failed: number;
  /** Waiting, delayed (backing off before a retry), prioritized or paused. */
  waiting: number;
  /** Of `waiting`, those backing off before a retry. */
  retrying: number;
  workers: number | null;
  /** Seconds, from the mean duration of finished runs; null until one finished. */
  etaSeconds: number | null;
  active: { id: string; group: string; step: number | null; totalSteps: number | null; attempt: number; seconds: number }[];
  failures: { id: string; group: string; attempts: number; reason: string }[];
}

type RunQueue = Queue<RunJobData, RunJobResult>;

export async function queueStatus(queue: RunQueue, now = Date.now()): Promise<QueueStatus> {
  const c = await queue.getJobCounts('completed', 'failed', 'active', 'waiting', 'delayed', 'prioritized', 'paused');
  const waiting = (c.waiting ?? 0) + (c.delayed ?? 0) + (c.prioritized ?? 0) + (c.paused ?? 0);
  // CLIENT LIST may be disabled on managed Redis: then the worker count is unknown
  const workers = await queue.getWorkersCount().catch(() => null);
  const finished = await queue.getCompleted(0, 199);
  const durations = finished.filter((j) => j.finishedOn && j.processedOn && !j.returnvalue?.alreadyDone).map((j) => (j.finishedOn! - j.processedOn!) / 1000);
  const mean = durations.length ? durations.reduce((a, b) => a + b, 0) / durations.length : null;
  const running = c.active ?? 0;
  const etaSeconds = mean === null ? null : (mean * (waiting + running / 2)) / Math.max(1, workers ?? running, 1);
  const active = (await queue.getActive(0, 49)).map((j) => {
    const p = j.progress as { step?: number; totalSteps?: number } | number;
    return {
      id: String(j.id), group: j.data.group, step: typeof p === 'object' ? (p.step ?? null) : null, totalSteps: typeof p === 'object' ? (p.totalSteps ?? null) : null,
      attempt: j.attemptsMade + 1, seconds: j.processedOn ? (now - j.processedOn) / 1000 : 0,
    };
  });
  const failures = (await queue.getFailed(0, 19)).map((j) => ({ id: String(j.id), group: j.data.group, attempts: j.attemptsMade, reason: j.failedReason }));
  return { done: c.completed ?? 0, running, failed: c.failed ?? 0, waiting, retrying: c.delayed ?? 0, workers, etaSeconds, active, failures };
}

export function statusText(s: QueueStatus, where: string): string {
  const total = s.done + s.running + s.failed + s.waiting;
  const lines = [
    `${where}: ${total} runs — done ${s.done}, running ${s.running}, failed ${s.failed}, waiting ${s.waiting}${s.retrying ? ` (${s.retrying} backing off before a retry)` : ''}; workers ${s.workers ?? '?'}; ETA ${s.etaSeconds === null ? '-' : formatDuration(s.etaSeconds)}`,
  ];
  if (s.active.length) {
    lines.push('', table(['running', 'configuration', 'step', 'attempt', 'for'], s.active.map((a) => [
      a.id, a.group, a.step === null ? '-' : `${a.step}/${a.totalSteps}`, a.attempt, formatDuration(a.seconds),
    ])).trimEnd());
  }
  if (s.failures.length) {
    lines.push('', table(['failed', 'configuration', 'attempts', 'reason'], s.failures.map((f) => [f.id, f.group, f.attempts, f.reason.split('\n')[0]!.slice(0, 100)])).trimEnd(), 'put them back with edora sweep <spec> --queue … --retry-failed');
  }
  return lines.join('\n') + '\n';
}
