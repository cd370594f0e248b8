import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main, type Io } from '../src/cli.js';

function capture(): Io & { out: () => string } {
  let text = '';
  const stream = { write: (s: string) => ((text += s), true), isTTY: false, columns: 80 } as unknown as NodeJS.WriteStream;
  return { stdout: stream, stderr: stream, out: () => text };
}

let dir = '';
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('edora sweep', () => {
  it('runs the grid, summarizes the median over seeds, and skips finished runs when run again', async () => {
    dir = await mkdtemp(join(tmpdir(), 'edora-sweep-'));
    const args = [
      'sweep', '--task', 'synthetic', '--model', 'tiny', '--methods', 'edora', '--ranks', '2', '--sigmas', '1e-5', '--lrs', '1e-2',
      '--cls-lrs', '1e-2,5e-3', '--seeds', '1,2,3', '--epochs', '1', '--batch-size', '16', '--max-train-samples', '16',
      '--max-eval-samples', '16', '--max-seq-length', '40', '--padding', 'longest', '--output-dir', dir, '--json',
    ];
    const first = capture();
    expect(await main(args, first)).toBe(0);
    const summary = JSON.parse(first.out().trim().split('\n').at(-1)!) as { metric: string; rows: { group: string; seeds: number; median: number; min: number; max: number }[] };
    expect(summary.metric).toBe('accuracy');
    expect(summary.rows.map((r) => [r.group, r.seeds])).toEqual([
      ['edora r=2 σ=0.00001 lr=0.01 head=0.01', 3],
      ['edora r=2 σ=0.00001 lr=0.01 head=0.005', 3],
    ]);
    for (const r of summary.rows) expect(r.min <= r.median && r.median <= r.max).toBe(true);

    const resultsFile = join(dir, 'synthetic-edora-r2-s0.00001-lr0.01-cls0.01-seed1', 'results.json');
    const before = (await stat(resultsFile)).mtimeMs;
    const second = capture();
    expect(await main(args, second)).toBe(0);
    expect((await stat(resultsFile)).mtimeMs).toBe(before);
    expect(second.out().trim().split('\n').at(-1)).toBe(first.out().trim().split('\n').at(-1));
  }, 120_000);
});
