import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeCheckpoint } from '@edora/train';
import { main } from '../src/cli.js';
import type { RunJobData, RunJobResult } from '../src/sweep/queue.js';
import { QueueConnectionError } from '../src/sweep/redis.js';
import { capture, spawnCli } from './helpers.js';
import { freePort, noRedisReason, startRedis, type TestRedis } from './redis-server.js';

// 2 methods × 2 seeds = 4 runs of 2 epochs × 8 steps, checkpointed every 2 steps: seconds each, long enough to be killed mid-run
const SPEC = `task: synthetic
model: tiny
methods: [edora, lora]
ranks: 4
sigmas: 1.0e-5
lrs: 1.0e-2
cls-lrs: 1.0e-2
seeds: [1, 2]
epochs: 2
batch-size: 8
max-train-samples: 64
max-eval-samples: 32
max-seq-length: 48
padding: longest
checkpoint-every: 2
backend: cpu
`;
// short locks so a killed worker's run moves on in seconds, not a minute (but longer than a loaded CI machine stalls a step)
const WORKER_ARGS = ['--backend', 'cpu', '--lock-duration', '15000', '--stalled-interval', '3000', '--exit-when-empty'];

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const exited = (c: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> =>
  new Promise((r) => (c.exitCode !== null || c.signalCode !== null ? r({ code: c.exitCode, signal: c.signalCode }) : c.once('close', (code, signal) => r({ code, signal }))));

async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 120_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

/** The checkpoint meta of a run folder once it holds one taken inside an epoch, and the run is not finished. */
async function midRunCheckpoint(dir: string): Promise<{ step: number } | null> {
  if (existsSync(join(dir, 'results.json'))) throw new Error(`${dir} finished before it could be interrupted`);
  const bytes = await readFile(join(dir, 'checkpoint.safetensors')).catch(() => null);
  if (!bytes) return null;
  const meta = decodeCheckpoint(new Uint8Array(bytes)).meta;
  return meta.nextBatch > 0 ? meta : null;
}

interface DryRun { runs: { id: string; dir: string }[] }
async function runsOf(spec: string, out: string, extra: string[] = []): Promise<DryRun['runs']> {
  const io = capture();
  expect(await main(['sweep', spec, '--output-dir', out, ...extra, '--dry-run', '--json'], io)).toBe(0);
  return (JSON.parse(io.stdoutText()) as DryRun).runs;
}

async function reportOf(dir: string): Promise<unknown> {
  const io = capture();
  expect(await main(['sweep', 'report', dir, '--json', '--out', join(dir, '..', `${dir.split('/').at(-1)}-report`)], io), io.out()).toBe(0);
  return (JSON.parse(io.stdoutText()) as { tasks: unknown }).tasks;
}

const steps = async (dir: string): Promise<number[]> =>
  (await readFile(join(dir, 'steps.jsonl'), 'utf8')).trim().split('\n').map((l) => (JSON.parse(l) as { step: number }).step);

if (noRedisReason) console.warn(`queue tests skipped: ${noRedisReason}`);

describe.skipIf(noRedisReason !== null)(`queue mode: BullMQ workers on a redis-server of the test's own${noRedisReason ? ` (skipped: ${noRedisReason})` : ''}`, () => {
  let redis: TestRedis;
  let root = '';
  let spec = '';
  let baseline = '';
  const children: ChildProcess[] = [];
  const worker = (queueName: string): ChildProcess & { output: () => string } => {
    const c = spawnCli(['worker', '--queue', redis.url, '--queue-name', queueName, ...WORKER_ARGS]);
    children.push(c);
    return c;
  };
  const openQueue = (name: string): { queue: Queue<RunJobData, RunJobResult>; close: () => Promise<void> } => {
    const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
    const queue = new Queue<RunJobData, RunJobResult>(name, { connection });
    return { queue, close: async () => (await queue.close(), connection.disconnect()) };
  };

  beforeAll(async () => {
    redis = await startRedis();
    root = await mkdtemp(join(tmpdir(), 'edora-queue-'));
    spec = join(root, 'sweep.yaml');
    await writeFile(spec, SPEC);
    // the same sweep in one process, to compare with
    baseline = join(root, 'baseline');
    const io = capture();
    expect(await main(['sweep', spec, '--output-dir', baseline], io), io.out()).toBe(0);
  }, 300_000);

  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await redis?.stop();
    if (root) await rm(root, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
  });

  it('3 workers: one SIGKILLed mid-run (its run resumed and finished by another), one run failing once (retried); the report equals the one-process sweep', async () => {
    const out = join(root, 'queued');
    const runs = await runsOf(spec, out);
    expect(runs).toHaveLength(4);
    expect(runs.map((r) => r.id)).toEqual((await runsOf(spec, baseline)).map((r) => r.id));
    const [killedRun, , , failingRun] = runs as [DryRun['runs'][0], unknown, unknown, DryRun['runs'][0]];
    // the failing run: a plain file where its folder goes, so its first attempt fails (the run folder is a file) until the test removes it
    await mkdir(dirname(failingRun.dir), { recursive: true });
    await writeFile(failingRun.dir, 'in the way');

    const enqueue = async (): Promise<{ added: number; queued: number }> => {
      const io = capture();
      expect(await main(['sweep', spec, '--output-dir', out, '--queue', redis.url, '--queue-name', 'kill', '--attempts', '4', '--backoff', '1000', '--json'], io), io.out()).toBe(0);
      return JSON.parse(io.stdoutText()) as { added: number; queued: number };
    };
    expect(await enqueue()).toMatchObject({ added: 4, queued: 0 });
    expect(await enqueue()).toMatchObject({ added: 0, queued: 4 }); // idempotent by run id

    const { queue, close } = openQueue('kill');
    try {
      const w1 = worker('kill');
      const meta = await until('a checkpoint inside the first run', () => midRunCheckpoint(killedRun.dir));
      w1.kill('SIGKILL');
      expect((await exited(w1)).signal).toBe('SIGKILL');
      expect(w1.output()).toContain(`run ${killedRun.id} started`);
      expect(existsSync(join(killedRun.dir, 'results.json'))).toBe(false);

      const tty = capture();
      (tty.stdout as { isTTY: boolean }).isTTY = true;
      const liveStatus = main(['sweep', 'status', '--queue', redis.url, '--queue-name', 'kill', '--interval', '0.5'], tty);
      const w2 = worker('kill');
      const w3 = worker('kill');
      await until('the failing run\'s first failed attempt', async () => ((await queue.getJob(failingRun.id))?.attemptsMade ?? 0) >= 1);
      await rm(failingRun.dir);
      const ends = await Promise.all([exited(w2), exited(w3)]);
      const logs = [w1, w2, w3].map((w) => w.output()).join('\n');
      expect(ends.map((e) => e.code), logs).toEqual([0, 0]);

      expect(await queue.getJobCounts('completed', 'failed', 'active', 'waiting', 'delayed')).toMatchObject({ completed: 4, failed: 0, active: 0, waiting: 0, delayed: 0 });
      // redelivered: finished by another worker, from the checkpoint the killed one left (or a later one it wrote)
      const killedJob = (await queue.getJob(killedRun.id))!;
      expect(killedJob.returnvalue.worker).not.toBe(`${killedJob.returnvalue.worker.split(':')[0]}:${w1.pid}`);
      expect(killedJob.returnvalue.resumedFromStep).toBeGreaterThanOrEqual(meta.step);
      expect(logs).toMatch(new RegExp(`run ${killedRun.id} resumed from step \\d+`));
      // retried: one failed attempt, then a successful one
      const failingJob = (await queue.getJob(failingRun.id))!;
      expect(failingJob.attemptsMade).toBeGreaterThanOrEqual(2);
      expect(logs).toMatch(new RegExp(`run ${failingRun.id} failed \\(attempt 1/4, will be retried\\): cannot create the run folder \\S+: \\S+ is a file, not a folder`));
      // nothing run twice to completion, nothing lost
      for (const r of runs) {
        expect(logs.split(`run ${r.id} finished`).length - 1, r.id).toBe(1);
        const job = (await queue.getJob(r.id))!;
        const results = JSON.parse(await readFile(join(r.dir, 'results.json'), 'utf8')) as { last: { metrics: { accuracy: number } }; steps: number };
        expect(job.returnvalue.value).toBe(results.last.metrics.accuracy);
        expect(await steps(r.dir)).toEqual(Array.from({ length: results.steps }, (_, i) => i + 1));
      }
      // the same runs, bit for bit
      expect(await reportOf(out)).toEqual(await reportOf(baseline));
      for (const r of runs) {
        const twin = join(baseline, r.dir.split('/').at(-1)!);
        expect(await readFile(join(r.dir, 'trained.safetensors'))).toEqual(await readFile(join(twin, 'trained.safetensors')));
      }

      const status = capture();
      expect(await main(['sweep', 'status', '--queue', redis.url, '--queue-name', 'kill', '--json'], status)).toBe(0);
      expect(JSON.parse(status.stdoutText())).toMatchObject({ done: 4, running: 0, failed: 0, waiting: 0 });
      const table = capture();
      expect(await main(['sweep', 'status', '--queue', redis.url, '--queue-name', 'kill'], table)).toBe(0);
      expect(table.stdoutText()).toMatch(/4 runs — done 4, running 0, failed 0, waiting 0; workers \d+; ETA 0:00/);
      // on a terminal it was a live table, redrawn in place while the workers ran, until nothing waited or ran
      expect(await liveStatus).toBe(0);
      const frames = tty.stdoutText().split('\x1b[H\x1b[2J').slice(1);
      expect(frames.length).toBeGreaterThan(1);
      expect(frames.some((f) => /running [1-9]/.test(f) && /\nrunning +configuration +step/.test(f))).toBe(true);
      expect(frames.at(-1)).toContain('done 4, running 0, failed 0, waiting 0');
    } finally {
      await close();
    }
  }, 400_000);

  it('Ctrl-C of a worker stops its run before the next step, returns it to the queue, and leaves only whole files; the next worker finishes it', async () => {
    const out = join(root, 'interrupted');
    const only = ['--methods', 'edora', '--seeds', '1'];
    const [run] = await runsOf(spec, out, only);
    const io = capture();
    expect(await main(['sweep', spec, '--output-dir', out, ...only, '--queue', redis.url, '--queue-name', 'sigint'], io), io.out()).toBe(0);
    const { queue, close } = openQueue('sigint');
    try {
      const w = worker('sigint');
      await until('a checkpoint inside the run', () => midRunCheckpoint(run!.dir));
      w.kill('SIGINT');
      const end = await exited(w);
      expect(end.code, w.output()).toBe(130);
      expect(w.output()).toContain(`run ${run!.id} stopped before its next step and returned to the queue`);
      expect(await (await queue.getJob(run!.id))!.getState()).toBe('waiting');
      expect((await queue.getJob(run!.id))!.attemptsMade).toBe(0);
      expect(existsSync(join(run!.dir, 'results.json'))).toBe(false);
      const meta = decodeCheckpoint(new Uint8Array(await readFile(join(run!.dir, 'checkpoint.safetensors')))).meta;
      expect((await steps(run!.dir)).length).toBeGreaterThanOrEqual(meta.step); // every line whole

      const next = worker('sigint');
      expect((await exited(next)).code, next.output()).toBe(0);
      expect((await queue.getJob(run!.id))!.returnvalue.resumedFromStep).toBe(meta.step);
      const twin = join(baseline, run!.dir.split('/').at(-1)!);
      expect(await readFile(join(run!.dir, 'trained.safetensors'))).toEqual(await readFile(join(twin, 'trained.safetensors')));
    } finally {
      await close();
    }
  }, 300_000);
});

describe('queue mode: bad Redis URLs', () => {
  it('an unreachable Redis is an error naming the URL and the cause, for sweep, worker and status', async () => {
    const url = `redis://127.0.0.1:${await freePort()}/0`;
    const refused = new RegExp(`--queue ${url.replace(/[/.]/g, '\\$&')}: cannot reach Redis \\(connect ECONNREFUSED`);
    await expect(main(['sweep', '--grid', 'smoke', '--queue', url], capture())).rejects.toThrow(refused);
    await expect(main(['worker', '--queue', url], capture())).rejects.toThrow(QueueConnectionError);
    await expect(main(['sweep', 'status', '--queue', url], capture())).rejects.toThrow(refused);
    await expect(main(['sweep', '--grid', 'smoke', '--queue', 'localhost:6379'], capture())).rejects.toThrow('--queue: expected a Redis URL redis://host:port/db (or rediss:// for TLS); found "localhost:6379"');
    await expect(main(['worker'], capture())).rejects.toThrow(/--queue redis:\/\/host:port\/db is required/);
  }, 300_000);
});
