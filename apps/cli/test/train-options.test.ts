import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli.js';
import { capture } from './helpers.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
});

const ARGS = ['train', '--task', 'synthetic', '--model', 'tiny', '--method', 'lora', '--rank', '2', '--batch-size', '8', '--max-train-samples', '32',
  '--max-eval-samples', '16', '--max-seq-length', '32', '--padding', 'longest', '--backend', 'cpu'];

describe('run_glue.py options', () => {
  it('--max-steps, --warmup-steps, --target-modules and --lora-dropout reach the run; the header names the task; train.log sits beside steps.jsonl', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'edora-train-options-'));
    dirs.push(dir);
    const io = capture();
    expect(await main([...ARGS, '--max-steps', '6', '--warmup-steps', '2', '--target-modules', 'query,value', '--lora-dropout', '0.1', '--output-dir', dir], io)).toBe(0);
    const steps = (await readFile(join(dir, 'steps.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { step: number; totalSteps: number; lr: Record<string, number> });
    expect(steps.map((s) => s.step)).toEqual([1, 2, 3, 4, 5, 6]); // 4 batches per epoch: 6 steps end in epoch 2
    expect(steps.every((s) => s.totalSteps === 6)).toBe(true);
    expect(steps.map((s) => s.lr.adapter! / 5e-4)).toEqual([0, 0.5, 1, 0.75, 0.5, 0.25]);
    const adapter = JSON.parse(await readFile(join(dir, 'adapter', 'adapter_config.json'), 'utf8')) as { target_modules: string[]; lora_dropout: number };
    expect([...adapter.target_modules].sort()).toEqual(['query', 'value']);
    expect(adapter.lora_dropout).toBe(0.1);
    expect(io.stderrText()).toMatch(/^synthetic: training with alpha=16 batchSize=8 clsLr=0.0005 /m);
    expect(io.stderrText()).toMatch(/^synthetic: lora r=2 on embedded synthetic task/m);
    const log = await readFile(join(dir, 'train.log'), 'utf8');
    expect(log).toContain('synthetic: training with');
    expect(log.match(/ step \d\/6 /g)).toHaveLength(6);
    expect(log).toMatch(/epoch 2: train loss/);
  }, 300_000);

  it('--dry-run prints the resolved options and touches nothing; --warmup-steps with --warmup-ratio is refused', async () => {
    const dir = join(await mkdtemp(join(tmpdir(), 'edora-train-options-')), 'run');
    dirs.push(dir);
    const io = capture();
    expect(await main([...ARGS, '--output-dir', dir, '--dry-run'], io)).toBe(0);
    expect(io.stdoutText()).toBe(`synthetic: would train into ${dir} with alpha=16 batchSize=8 clsLr=0.0005 epochs=50 gradientAccumulation=1 init=svd lr=0.0005 maxEvalSamples=16 maxGradNorm=1 maxSeqLength=32 maxTrainSamples=32 method=lora model=tiny padding=longest rank=2 seed=1 sigma=0.00001 task=synthetic warmupRatio=0.06 weightDecay=0.01\n`);
    expect(existsSync(dir)).toBe(false);
    await expect(main([...ARGS, '--warmup-steps', '2', '--warmup-ratio', '0.1', '--dry-run'], capture())).rejects.toThrow('--warmup-steps and --warmup-ratio: give one of them');
  });
});
