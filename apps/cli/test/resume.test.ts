import { existsSync } from 'node:fs';
import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeCheckpoint } from '@edora/train';
import { runCli, spawnCli } from './helpers.js';

// Small enough to take seconds, long enough (2 epochs × 8 steps) to be killed mid-epoch.
const ARGS = [
  'train', '--task', 'synthetic', '--model', 'tiny', '--method', 'edora', '--rank', '4', '--epochs', '2',
  '--batch-size', '8', '--max-train-samples', '64', '--max-eval-samples', '32', '--max-seq-length', '48',
  '--padding', 'longest', '--lr', '1e-2', '--cls-lr', '1e-2', '--seed', '3', '--checkpoint-every', '2', '--backend', 'cpu', '--json',
];

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'edora-resume-'));
  dirs.push(d);
  return d;
}
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
});

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

let fullDir: Promise<string> | null = null;
/** One uninterrupted run of ARGS, shared by the tests that compare with it. */
function uninterrupted(): Promise<string> {
  fullDir ??= (async () => {
    const full = await tempDir();
    const a = await runCli([...ARGS, '--output-dir', full]);
    expect(a.code, a.output).toBe(0);
    return full;
  })();
  return fullDir;
}

async function waitForMidEpochCheckpoint(dir: string, output: () => string): Promise<void> {
  const ckpt = join(dir, 'checkpoint.safetensors');
  for (let i = 0; i < 2400; i++) {
    await sleep(25);
    if (existsSync(ckpt) && decodeCheckpoint(new Uint8Array(await readFile(ckpt))).meta.nextBatch > 0) return;
  }
  throw new Error(`no mid-epoch checkpoint in ${dir}:\n${output()}`);
}

describe('kill and resume (cpu)', () => {
  it('SIGKILLed mid-epoch, then --resume, ends with the same adapter and losses as an uninterrupted run', async () => {
    const full = await uninterrupted();
    const killed = await tempDir();
    const child = spawnCli([...ARGS, '--output-dir', killed]);
    const ckpt = join(killed, 'checkpoint.safetensors');
    // wait for a checkpoint taken inside an epoch, then kill without warning
    let meta = null;
    for (let i = 0; i < 1200 && !meta; i++) {
      await sleep(25);
      if (existsSync(ckpt)) {
        const m = decodeCheckpoint(new Uint8Array(await readFile(ckpt))).meta;
        if (m.nextBatch > 0) meta = m;
      }
    }
    child.kill('SIGKILL');
    const exit = await new Promise<NodeJS.Signals | null>((r) => child.on('close', (_c, s) => r(s)));
    expect(meta, child.output()).not.toBeNull();
    expect(exit).toBe('SIGKILL');
    expect(existsSync(join(killed, 'results.json'))).toBe(false); // it really was interrupted

    expect(existsSync(join(killed, 'run.lock'))).toBe(true); // the dead run's lock, which the resume takes over
    // a crash mid-append leaves a torn last line; the resume drops it
    await appendFile(join(killed, 'steps.jsonl'), '{"type":"step","epoch":1,"ba');
    const b = await runCli([...ARGS, '--output-dir', killed, '--resume']);
    expect(b.code, b.output).toBe(0);
    expect(await readFile(join(killed, 'trained.safetensors'))).toEqual(await readFile(join(full, 'trained.safetensors')));
    expect(await readFile(join(killed, 'adapter/adapter_model.safetensors'))).toEqual(await readFile(join(full, 'adapter/adapter_model.safetensors')));
    const losses = async (d: string): Promise<number[]> =>
      (await readFile(join(d, 'steps.jsonl'), 'utf8')).trim().split('\n').map((l) => (JSON.parse(l) as { loss: number }).loss);
    expect(await losses(killed)).toEqual(await losses(full));
    const results = async (d: string): Promise<unknown> => (JSON.parse(await readFile(join(d, 'results.json'), 'utf8')) as { epochs: { metrics: unknown }[] }).epochs.map((e) => e.metrics);
    expect(await results(killed)).toEqual(await results(full));
  }, 300_000);

  it('Ctrl-C saves a checkpoint of the last step, exits 130 and prints the command that resumes; that command ends as an uninterrupted run', async () => {
    const full = await uninterrupted();
    const dir = await tempDir();
    const child = spawnCli([...ARGS, '--output-dir', dir]);
    await waitForMidEpochCheckpoint(dir, child.output);
    child.kill('SIGINT');
    const code = await new Promise<number | null>((r) => child.on('close', (c) => r(c)));
    expect(code, child.output()).toBe(130);
    const printed = /Continue with:\n {2}edora (train .*)\n/.exec(child.output());
    expect(printed, child.output()).not.toBeNull();
    expect(printed![1]).toContain(`--output-dir ${dir} --resume`);
    // the checkpoint holds the last logged step exactly
    const meta = decodeCheckpoint(new Uint8Array(await readFile(join(dir, 'checkpoint.safetensors')))).meta;
    const logged = (await readFile(join(dir, 'steps.jsonl'), 'utf8')).trim().split('\n').map((l) => (JSON.parse(l) as { step: number }).step);
    expect(meta.step).toBe(logged.at(-1));
    expect(existsSync(join(dir, 'run.lock'))).toBe(false);
    const b = await runCli(printed![1]!.split(' '));
    expect(b.code, b.output).toBe(0);
    expect(await readFile(join(dir, 'adapter/adapter_model.safetensors'))).toEqual(await readFile(join(full, 'adapter/adapter_model.safetensors')));
  }, 300_000);

  it('a resume with other settings names the settings that differ, before loading anything', async () => {
    const full = await uninterrupted();
    const r = await runCli([...ARGS.map((a) => (a === '1e-2' ? '2e-2' : a)), '--output-dir', full, '--resume']);
    expect(r.code, r.output).toBe(2);
    expect(r.output).toContain(`--resume: the checkpoint in ${full} was written with other settings: clsLr: 0.01 in the checkpoint, 0.02 now; lr: 0.01 in the checkpoint, 0.02 now.`);
  }, 300_000);

  it('refuses to train into a folder holding a run unless --overwrite-output-dir, and a folder another run holds', async () => {
    const full = await uninterrupted();
    const again = await runCli([...ARGS, '--output-dir', full]);
    expect(again.code).toBe(2);
    expect(again.output).toContain(`--output-dir ${full} already holds a finished run (results.json) — pass --overwrite-output-dir`);
    const other = await tempDir();
    await writeFile(join(other, 'run.lock'), JSON.stringify({ pid: process.pid, hostname: hostname(), since: '2026-12-02T00:00:00.000Z', command: 'edora train --task rte' }));
    const busy = await runCli([...ARGS, '--output-dir', other]);
    expect(busy.code).toBe(1);
    expect(busy.output).toContain(`the run folder ${other} is in use by another edora run (pid ${process.pid} on ${hostname()}, since 2026-12-02T00:00:00.000Z: edora train --task rte)`);
    const file = join(other, 'plain');
    await writeFile(file, 'x');
    const underFile = await runCli([...ARGS, '--output-dir', join(file, 'run')]);
    expect(underFile.code).toBe(1);
    expect(underFile.output).toContain(`${file} is a file, not a folder`);
  }, 300_000);

  it('--overwrite-output-dir replaces the run a folder holds', async () => {
    const dir = await tempDir();
    const small = ARGS.map((a) => (a === '2' ? '1' : a === '64' ? '16' : a));
    expect((await runCli([...small, '--output-dir', dir])).code).toBe(0);
    await writeFile(join(dir, 'notes.txt'), 'mine');
    const r = await runCli([...small, '--output-dir', dir, '--overwrite-output-dir']);
    expect(r.code, r.output).toBe(0);
    expect(await readFile(join(dir, 'notes.txt'), 'utf8')).toBe('mine');
    expect((JSON.parse(await readFile(join(dir, 'results.json'), 'utf8')) as { epochs: unknown[] }).epochs).toHaveLength(1);
  }, 300_000);

  it('refuses --resume when the output directory has no checkpoint', async () => {
    const d = await tempDir();
    const r = await runCli([...ARGS, '--output-dir', d, '--resume']);
    expect(r.code).toBe(2);
    expect(r.output).toMatch(/checkpoint\.safetensors does not exist/);
  }, 300_000);
});
