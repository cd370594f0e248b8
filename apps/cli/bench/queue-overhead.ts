/**
 * What queue mode costs per run, apart from training: enqueue→start latency of one job on an idle
 * worker, and the throughput of 1,000 trivial jobs through one worker (concurrency 1, as `edora
 * worker`), on BullMQ with the lock and stalled-check settings `edora worker` uses by default.
 * The peer in the same run is the floor of any Redis queue: a bare LPUSH/BRPOP list.
 *
 *   pnpm --filter @edora/cli bench:queue        (needs redis-server on PATH; starts its own)
 */
import { cpus, loadavg } from 'node:os';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { median, table } from '@edora/bench-kit';
import { startRedis } from '../test/redis-server.js';

const LATENCY_JOBS = 200;
const THROUGHPUT_JOBS = 1000;
const now = (): number => performance.now();
const p95 = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.95)]!;

async function bullmq(url: string): Promise<{ latencies: number[]; perSecond: number }> {
  const connection = new Redis(url, { maxRetriesPerRequest: null });
  const queue = new Queue('bench', { connection });
  let started: (() => void) | null = null;
  let completed = 0;
  let allDone: (() => void) | null = null;
  const worker = new Worker('bench', async () => {
    started?.();
    return null;
  }, { connection, concurrency: 1, lockDuration: 60_000, stalledInterval: 30_000, maxStalledCount: 3 });
  worker.on('completed', () => {
    if (++completed === THROUGHPUT_JOBS) allDone?.();
  });
  await worker.waitUntilReady();
  const latencies: number[] = [];
  for (let i = 0; i < LATENCY_JOBS; i++) {
    const t0 = now();
    const begun = new Promise<void>((r) => (started = r));
    await queue.add('run', { i }, { jobId: `latency-${i}`, removeOnComplete: false });
    await begun;
    latencies.push(now() - t0);
    started = null;
  }
  await until(() => completed >= LATENCY_JOBS);
  await worker.pause(true);
  completed = 0;
  await queue.addBulk(Array.from({ length: THROUGHPUT_JOBS }, (_, i) => ({ name: 'run', data: { i }, opts: { jobId: `bulk-${i}`, attempts: 3, removeOnComplete: false } })));
  const t0 = now();
  const done = new Promise<void>((r) => (allDone = r));
  worker.resume();
  await done;
  const perSecond = THROUGHPUT_JOBS / ((now() - t0) / 1000);
  await worker.close();
  await queue.close();
  connection.disconnect();
  return { latencies, perSecond };
}

async function until(ok: () => boolean): Promise<void> {
  while (!ok()) await new Promise((r) => setTimeout(r, 5));
}

/** The same two measurements on a bare Redis list: LPUSH by the producer, BRPOP by one consumer. */
async function bareList(url: string): Promise<{ latencies: number[]; perSecond: number }> {
  const producer = new Redis(url);
  const consumer = new Redis(url);
  const latencies: number[] = [];
  for (let i = 0; i < LATENCY_JOBS; i++) {
    const t0 = now();
    const popped = consumer.brpop('bench-list', 0);
    await producer.lpush('bench-list', JSON.stringify({ i }));
    await popped;
    latencies.push(now() - t0);
  }
  await producer.lpush('bench-list', ...Array.from({ length: THROUGHPUT_JOBS }, (_, i) => JSON.stringify({ i })));
  const t0 = now();
  for (let i = 0; i < THROUGHPUT_JOBS; i++) await consumer.brpop('bench-list', 0);
  const perSecond = THROUGHPUT_JOBS / ((now() - t0) / 1000);
  producer.disconnect();
  consumer.disconnect();
  return { latencies, perSecond };
}

const redis = await startRedis();
try {
  const load = loadavg()[0]!.toFixed(1);
  const info = await new Redis(redis.url).info('server').then((s) => /redis_version:(\S+)/.exec(s)?.[1] ?? '?');
  const b = await bullmq(redis.url);
  const l = await bareList(redis.url);
  const loadAfter = loadavg()[0]!.toFixed(1);
  const ms = (x: number): string => `${x.toFixed(2)} ms`;
  console.log(`machine: ${cpus()[0]?.model ?? '?'} × ${cpus().length}, Node ${process.version}, Redis ${info} on 127.0.0.1; load ${load} → ${loadAfter}`);
  console.log(table(
    ['queue', 'enqueue→start median', 'p95', `throughput, ${THROUGHPUT_JOBS} trivial jobs, 1 worker`, 'per job'],
    [
      ['BullMQ (edora worker settings)', ms(median(b.latencies)), ms(p95(b.latencies)), `${b.perSecond.toFixed(0)} jobs/s`, ms(1000 / b.perSecond)],
      ['bare LPUSH/BRPOP list (peer)', ms(median(l.latencies)), ms(p95(l.latencies)), `${l.perSecond.toFixed(0)} jobs/s`, ms(1000 / l.perSecond)],
      ['ratio BullMQ / bare list', `${(median(b.latencies) / median(l.latencies)).toFixed(1)}×`, '', `${(l.perSecond / b.perSecond).toFixed(1)}× the time per job`, ''],
    ],
  ));
} finally {
  await redis.stop();
}
process.exit(0);
