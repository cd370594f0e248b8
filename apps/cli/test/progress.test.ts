import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { StepRecord } from '@edora/train';
import { Progress, StepTimer } from '../src/progress.js';
import { capture } from './helpers.js';

const step = (n: number, total: number, seconds: number): StepRecord => ({
  type: 'step', epoch: 1, batch: n, batches: total, step: n, totalSteps: total, loss: 0.5, gradNorm: 1, lr: { adapter: 1e-3 },
  tokens: 1000, tokensPerSecond: 1000 / seconds, elapsedSeconds: n * seconds,
});

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
});

describe('progress ETA', () => {
  it('comes from a moving average of the steps\' own times, not from when the process started', () => {
    const t = new StepTimer(4);
    expect(t.eta(step(1, 378, 0.13))).toBeCloseTo(377 * 0.13, 9);
    // slow steps move it within the window; older ones drop out
    for (const [n, s] of [[2, 1], [3, 1], [4, 1], [5, 1]] as const) t.eta(step(n, 378, s));
    expect(t.eta(step(6, 378, 1))).toBeCloseTo(372, 9);
  });

  it('starts over for each run (a sweep\'s or the demo\'s next phase)', () => {
    const t = new StepTimer(4);
    for (let n = 1; n <= 10; n++) t.eta(step(n, 10, 5));
    expect(t.eta(step(1, 40, 0.25))).toBeCloseTo(39 * 0.25, 9);
  });

  it('a progress line for step 1 of a 50 s job says under a minute, however long loading took', async () => {
    const io = capture();
    const p = new Progress(io.stderr, true);
    await new Promise((r) => setTimeout(r, 50)); // loading, before the first step
    p.step(step(1, 378, 0.13));
    expect(io.stderrText()).toContain('step 1/378');
    expect(io.stderrText()).toContain('ETA 0:49');
  });

  it('writes every line, each step included, to a text log when one is attached', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'edora-progress-'));
    dirs.push(dir);
    const p = new Progress(capture().stderr, false);
    p.logTo(join(dir, 'train.log'));
    p.message('rte: edora r=8 …');
    for (let n = 1; n <= 3; n++) p.step(step(n, 3, 1));
    const text = await readFile(join(dir, 'train.log'), 'utf8');
    expect(text.split('\n')[0]).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z rte: edora r=8 …$/);
    expect(text.match(/step \d\/3/g)).toEqual(['step 1/3', 'step 2/3', 'step 3/3']);
    expect(text).toContain('loss 0.5000 lr adapter=0.001 grad-norm 1.0000');
  });
});
