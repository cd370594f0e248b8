import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main, UsageError } from '../src/cli.js';
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
    expect(log).toMatch(/epoch 1.5 \(step 6\): train loss/); // --max-steps 6 ends half-way through epoch 2
  }, 300_000);

  it('--dry-run prints the resolved options and touches nothing; --warmup-steps with --warmup-ratio is refused', async () => {
    const dir = join(await mkdtemp(join(tmpdir(), 'edora-train-options-')), 'run');
    dirs.push(dir);
    const io = capture();
    expect(await main([...ARGS, '--output-dir', dir, '--dry-run'], io)).toBe(0);
    expect(io.stdoutText()).toBe(`synthetic: would train into ${dir} with alpha=16 batchSize=8 clsLr=0.0005 epochs=50 evalStrategy=epoch gradientAccumulation=1 init=svd lr=0.0005 maxEvalSamples=16 maxGradNorm=1 maxSeqLength=32 maxTrainSamples=32 method=lora model=tiny padding=longest rank=2 seed=1 sigma=0.00001 task=synthetic warmupRatio=0.06 weightDecay=0.01\n`);
    expect(existsSync(dir)).toBe(false);
    await expect(main([...ARGS, '--warmup-steps', '2', '--warmup-ratio', '0.1', '--dry-run'], capture())).rejects.toThrow('--warmup-steps and --warmup-ratio: give one of them');
  });
});

describe('--eval-strategy and --eval-steps (HF eval_strategy / eval_steps)', () => {
  type Evaluation = { epoch: number; step: number; epochFraction: number };
  const evaluations = async (dir: string): Promise<Evaluation[]> =>
    (await readFile(join(dir, 'epochs.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Evaluation);
  // 32 rows of 8: 4 optimizer steps per epoch, 6 steps end half-way through epoch 2
  const SIX_STEPS = [...ARGS, '--max-steps', '6'];

  it('steps evaluates every n optimizer steps across epochs and after the last one; the logs, results and summary say where', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'edora-eval-steps-'));
    dirs.push(dir);
    const io = capture();
    expect(await main([...SIX_STEPS, '--eval-strategy', 'steps', '--eval-steps', '3', '--output-dir', dir], io)).toBe(0);
    const records = await evaluations(dir);
    expect(records.map(({ epoch, step, epochFraction }) => ({ epoch, step, epochFraction }))).toEqual([
      { epoch: 1, step: 3, epochFraction: 0.75 },
      { epoch: 2, step: 6, epochFraction: 1.5 },
    ]);
    const log = await readFile(join(dir, 'train.log'), 'utf8');
    expect(log).toMatch(/epoch 0\.75 \(step 3\): train loss \d\.\d{4} eval loss/);
    expect(log).toMatch(/epoch 1\.5 \(step 6\): train loss \d\.\d{4} eval loss/);
    expect(log).not.toMatch(/\(step 4\):/); // the end of epoch 1 is not an evaluation
    expect(io.stdoutText()).toMatch(/^last evaluation, epoch 1\.5 \(step 6\): accuracy \d\.\d{4}$/m);
    expect(io.stdoutText()).toMatch(/^trained\.safetensors and adapter\/ hold the last evaluation's tensors \(step 6\), as the paper reports/m);
    const results = JSON.parse(await readFile(join(dir, 'results.json'), 'utf8')) as { epochs: Evaluation[]; trainedEpoch: unknown };
    expect(results.epochs.map((e) => e.step)).toEqual([3, 6]);
    expect(results.trainedEpoch).toEqual({ from: 'last', epoch: 2, step: 6 });
  }, 300_000);

  it('no evaluates only after the last step; --json names the strategy; the strategy is part of the run key', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'edora-eval-no-'));
    dirs.push(dir);
    const io = capture();
    expect(await main([...SIX_STEPS, '--eval-strategy', 'no', '--output-dir', dir, '--json'], io)).toBe(0);
    expect((await evaluations(dir)).map((r) => [r.step, r.epochFraction])).toEqual([[6, 1.5]]);
    const summary = JSON.parse(io.stdoutText()) as { evalStrategy: string; last: Evaluation; best: Evaluation; steps: number };
    expect(summary).toMatchObject({ evalStrategy: 'no', steps: 6, last: { step: 6 }, best: { step: 6 } });
    // a resume must be the same run: another strategy is refused, before anything is trained
    await expect(main([...SIX_STEPS, '--eval-strategy', 'steps', '--eval-steps', '2', '--output-dir', dir, '--resume'], capture())).rejects.toThrow(/evalStrategy/);
  }, 300_000);

  it('--dry-run names the strategy, the default included; impossible combinations are usage errors that name the options', async () => {
    const dir = join(await mkdtemp(join(tmpdir(), 'edora-eval-dry-')), 'run');
    dirs.push(dir);
    const io = capture();
    expect(await main([...ARGS, '--eval-strategy', 'steps', '--eval-steps', '5', '--output-dir', dir, '--dry-run'], io)).toBe(0);
    expect(io.stdoutText()).toContain(' evalSteps=5 evalStrategy=steps ');
    const json = capture();
    expect(await main([...ARGS, '--output-dir', dir, '--dry-run', '--json'], json)).toBe(0);
    expect((JSON.parse(json.stdoutText()) as { config: Record<string, unknown> }).config).toMatchObject({ evalStrategy: 'epoch' });
    expect(existsSync(dir)).toBe(false);
    const refused = async (extra: string[], message: string, command = ARGS): Promise<void> => {
      const error: unknown = await main([...command, ...extra, '--dry-run'], capture()).then(() => null, (e: unknown) => e);
      expect(error).toBeInstanceOf(UsageError); // exit code 2
      expect((error as UsageError).message).toContain(message);
    };
    await refused(['--eval-strategy', 'steps'], '--eval-strategy steps: expected --eval-steps n (an integer ≥ 1) with it; found none');
    await refused(['--eval-steps', '3'], '--eval-steps: only with --eval-strategy steps; found --eval-strategy epoch');
    await refused(['--eval-strategy', 'no', '--early-stopping-patience', '2'], '--early-stopping-patience: counts evaluations during training, and --eval-strategy no makes none');
    await refused(['--eval-strategy', 'often'], '--eval-strategy');
    await refused(['--eval-steps', '0', '--eval-strategy', 'steps'], '--eval-steps');
    // sweep takes the same options and refuses the same combinations
    await refused(['--eval-strategy', 'steps'], '--eval-strategy steps: expected --eval-steps n', ['sweep', '--task', 'synthetic', '--ranks', '2', '--seeds', '1']);
  });
});
