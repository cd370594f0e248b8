import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
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
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('kill and resume (cpu)', () => {
  it('SIGKILLed mid-epoch, then --resume, ends with the same adapter and losses as an uninterrupted run', async () => {
    const full = await tempDir();
    const a = await runCli([...ARGS, '--output-dir', full]);
    expect(a.code, a.output).toBe(0);

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

    const b = await runCli([...ARGS, '--output-dir', killed, '--resume']);
    expect(b.code, b.output).toBe(0);
    expect(await readFile(join(killed, 'trained.safetensors'))).toEqual(await readFile(join(full, 'trained.safetensors')));
    expect(await readFile(join(killed, 'adapter/adapter_model.safetensors'))).toEqual(await readFile(join(full, 'adapter/adapter_model.safetensors')));
    const losses = async (d: string): Promise<number[]> =>
      (await readFile(join(d, 'steps.jsonl'), 'utf8')).trim().split('\n').map((l) => (JSON.parse(l) as { loss: number }).loss);
    expect(await losses(killed)).toEqual(await losses(full));
    const results = async (d: string): Promise<unknown> => (JSON.parse(await readFile(join(d, 'results.json'), 'utf8')) as { epochs: { metrics: unknown }[] }).epochs.map((e) => e.metrics);
    expect(await results(killed)).toEqual(await results(full));
  }, 120_000);

  it('refuses --resume when the output directory has no checkpoint', async () => {
    const d = await tempDir();
    const r = await runCli([...ARGS, '--output-dir', d, '--resume']);
    expect(r.code).toBe(2);
    expect(r.output).toMatch(/checkpoint\.safetensors does not exist/);
  }, 60_000);
});
