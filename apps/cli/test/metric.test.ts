import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticExamples } from '@edora/glue';
import { main } from '../src/cli.js';
import { capture } from './helpers.js';

// A GLUE folder with MRPC only, in the download layout (BOM'd 5-column header); synthetic
// sentence pairs stand in for the news pairs.
let dir = '';
let glue = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'edora-metric-'));
  glue = join(dir, 'glue');
  await mkdir(join(glue, 'MRPC'), { recursive: true });
  const tsv = (split: string, size: number): string => ['\ufeffQuality\t#1 ID\t#2 ID\t#1 String\t#2 String',
    ...syntheticExamples('synthetic-pair', split, { seed: 3, size }).map((e, i) => `${String(e.label)}\t${i}\t${i + 1000}\t${e.textA}\t${e.textB!}`)].join('\n') + '\n';
  await writeFile(join(glue, 'MRPC', 'train.tsv'), tsv('train', 16));
  await writeFile(join(glue, 'MRPC', 'dev.tsv'), tsv('validation', 16));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
});

const TRAIN = (run: string): string[] => ['train', '--task', 'mrpc', '--data-dir', glue, '--model', 'tiny', '--rank', '2', '--epochs', '2', '--batch-size', '16',
  '--max-seq-length', '48', '--padding', 'longest', '--backend', 'cpu', '--output-dir', run, '--json'];

describe('the reported metric', () => {
  it('an MRPC run is reported and ranked by accuracy, as the EDoRA paper reports it; --metric-for-best f1 ranks by F1', async () => {
    const byDefault = capture();
    expect(await main(TRAIN(join(dir, 'acc')), byDefault)).toBe(0);
    const results = JSON.parse(await readFile(join(dir, 'acc', 'results.json'), 'utf8')) as { mainMetric: string; last: { metrics: Record<string, number> } };
    expect(results.mainMetric).toBe('accuracy');
    expect(Object.keys(results.last.metrics)).toEqual(['accuracy', 'f1', 'combined_score']);
    expect((JSON.parse(byDefault.stdoutText()) as { mainMetric: string }).mainMetric).toBe('accuracy');

    const byF1 = capture();
    expect(await main([...TRAIN(join(dir, 'f1')), '--metric-for-best', 'f1'], byF1)).toBe(0);
    expect((JSON.parse(byF1.stdoutText()) as { mainMetric: string }).mainMetric).toBe('f1');
  }, 300_000);

  it('--metric-for-best outside the task\'s metrics is a usage error naming the choices, before any work', async () => {
    await expect(main([...TRAIN(join(dir, 'bad')), '--metric-for-best', 'pearson'], capture()))
      .rejects.toThrow('--metric-for-best: task mrpc has no metric "pearson"; valid choices: accuracy, f1, combined_score, loss');
  });
});
