import { describe, expect, it } from 'vitest';
import { main, UsageError } from '../src/cli.js';
import { capture, runCli } from './helpers.js';

/** Each of these must fail while parsing, before data or a model is touched: `--model` points nowhere. */
const bad = (args: string[]): Promise<number> => main(['train', '--task', 'synthetic', '--model', 'no-such-model-folder', ...args], capture());

describe('number options are checked before any work, naming the option and its range', () => {
  it.each([
    [['--max-train-samples', '-5'], '--max-train-samples: expected an integer ≥ 1; found -5'],
    [['--max-eval-samples', '0'], '--max-eval-samples: expected an integer ≥ 1; found 0'],
    [['--seed', '-1'], '--seed: expected an integer in [0, 4294967295]; found -1'],
    [['--rank', '-3'], '--rank: expected an integer ≥ 1; found -3'],
    [['--epochs', '0'], '--epochs: expected an integer ≥ 1; found 0'],
    [['--batch-size', '0'], '--batch-size: expected an integer ≥ 1; found 0'],
    [['--gradient-accumulation', '0'], '--gradient-accumulation: expected an integer ≥ 1; found 0'],
    [['--micro-batch-size', '0'], '--micro-batch-size: expected an integer ≥ 1; found 0'],
    [['--max-seq-length', '1'], '--max-seq-length: expected an integer ≥ 3; found 1'],
    [['--warmup-ratio', '1.5'], '--warmup-ratio: expected a number in [0, 1]; found 1.5'],
    [['--lr', '-1e-3'], '--lr: expected a number > 0; found -0.001'],
    [['--cls-lr', '0'], '--cls-lr: expected a number > 0; found 0'],
    [['--alpha', '0'], '--alpha: expected a number > 0; found 0'],
    [['--sigma', '-1'], '--sigma: expected a number ≥ 0; found -1'],
    [['--weight-decay', '-0.1'], '--weight-decay: expected a number ≥ 0; found -0.1'],
    [['--max-grad-norm', '-1'], '--max-grad-norm: expected a number ≥ 0; found -1'],
    [['--checkpoint-every', '-2'], '--checkpoint-every: expected an integer ≥ 0; found -2'],
  ])('%j', async (args, message) => {
    const err = await bad(args).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toBe(message);
  });

  it('a flag given twice is refused, with both values', async () => {
    await expect(bad(['--lr', '1e-3', '--lr=2e-3'])).rejects.toThrow('--lr: given twice (1e-3, then 2e-3); give it once');
    await expect(bad(['--json', '--no-json'])).rejects.toThrow('--json: given twice');
  });

  it('list elements are checked too (sweep --ranks, --seeds)', async () => {
    await expect(main(['sweep', '--task', 'synthetic', '--ranks', '4,-1', '--dry-run'], capture())).rejects.toThrow('--ranks: expected integers ≥ 1; found -1');
    await expect(main(['sweep', '--task', 'synthetic', '--seeds', '1,-2', '--dry-run'], capture())).rejects.toThrow('--seeds: expected integers in [0, 4294967295]; found -2');
  });

  it('--rank above what the model\'s matrices allow fails before anything is allocated, naming the limit', async () => {
    await expect(main(['train', '--task', 'synthetic', '--model', 'tiny', '--rank', '100000'], capture()))
      .rejects.toThrow('--rank: expected at most 64 for the tiny model (its hidden size); found 100000');
    await expect(main(['train', '--task', 'synthetic', '--model', 'tiny', '--max-seq-length', '5000'], capture()))
      .rejects.toThrow('--max-seq-length: expected at most 128 for the tiny model (its position table); found 5000');
  });

  it('the edora executable exits 2 with one line, no stack trace', async () => {
    const r = await runCli(['train', '--task', 'synthetic', '--seed', '-1']);
    expect(r.code).toBe(2);
    expect(r.output).toBe('edora: --seed: expected an integer in [0, 4294967295]; found -1\n');
  }, 300_000);
});
