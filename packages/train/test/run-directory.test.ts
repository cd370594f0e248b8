import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { plotSvg, summarize, type CheckpointMeta, type EpochResult } from '../src/index.js';
import { RUN_FILES, readRunCheckpoint, runDirectorySink, writeRunResults } from '../src/node.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

const epoch = (n: number, loss: number, acc: number): EpochResult => ({
  epoch: n, step: 3 * n, epochFraction: n, trainLoss: loss, evalLoss: loss + 0.1, metrics: { accuracy: acc }, tokensPerSecond: 1000, seconds: 1,
});

describe('run directory', () => {
  it('writes logs and checkpoints, and on resume drops log lines newer than the checkpoint', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'edora-run-'));
    dirs.push(dir);
    expect(await readRunCheckpoint(dir)).toBeNull();
    const sink = await runDirectorySink(dir);
    for (let step = 1; step <= 5; step++) {
      await sink.log!({ type: 'step', epoch: 1, batch: step, batches: 5, step, totalSteps: 5, loss: 1 / step, gradNorm: 1, lr: { g: 0.1 }, tokens: 10, tokensPerSecond: 10, elapsedSeconds: step });
    }
    await sink.checkpoint!(new Uint8Array([1, 2, 3]), {} as CheckpointMeta);
    expect(await readRunCheckpoint(dir)).toEqual(new Uint8Array([1, 2, 3]));
    // no temporary files are left behind
    expect((await readdir(dir)).sort()).toEqual([RUN_FILES.checkpoint, RUN_FILES.steps].sort());

    await runDirectorySink(dir, { step: 3 } as CheckpointMeta);
    const steps = (await readFile(join(dir, RUN_FILES.steps), 'utf8')).trim().split('\n').map((l) => (JSON.parse(l) as { step: number }).step);
    expect(steps).toEqual([1, 2, 3]);

    // a fresh (not resumed) run starts its logs over
    await writeFile(join(dir, RUN_FILES.epochs), '{"step":1}\n');
    await runDirectorySink(dir);
    expect((await readdir(dir)).includes(RUN_FILES.steps)).toBe(false);
    expect((await readdir(dir)).includes(RUN_FILES.epochs)).toBe(false);
  });

  it('writes results.json with last and best epochs, and the SVG plot next to it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'edora-run-'));
    dirs.push(dir);
    const results = summarize([epoch(1, 0.7, 0.6), epoch(2, 0.5, 0.8), epoch(3, 0.4, 0.75)], { steps: 30, mainMetric: 'accuracy' });
    expect(results.best!.epoch).toBe(2);
    expect(results.last!.epoch).toBe(3);
    const written = await writeRunResults(dir, results, 'RTE <edora>', { config: { rank: 16 } });
    expect(written.slice(0, 2)).toEqual([join(dir, RUN_FILES.results), join(dir, RUN_FILES.plotSvg)]);
    const json = JSON.parse(await readFile(join(dir, RUN_FILES.results), 'utf8')) as { config: unknown; best: EpochResult; mainMetric: string };
    expect(json).toMatchObject({ config: { rank: 16 }, mainMetric: 'accuracy', best: { epoch: 2 } });
    const svg = await readFile(join(dir, RUN_FILES.plotSvg), 'utf8');
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg).toContain('RTE &lt;edora&gt;');
  });
});

describe('the plot of a run folder', () => {
  it('draws every step\'s loss from steps.jsonl, at steps / steps-per-epoch along the epoch axis', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'edora-run-'));
    dirs.push(dir);
    const sink = await runDirectorySink(dir);
    // 2 epochs of 3 steps
    for (let step = 1; step <= 6; step++) {
      await sink.log!({ type: 'step', epoch: step <= 3 ? 1 : 2, batch: ((step - 1) % 3) + 1, batches: 3, step, totalSteps: 6, loss: 1 / step, gradNorm: 1, lr: { g: 0.1 }, tokens: 10, tokensPerSecond: 10, elapsedSeconds: step });
    }
    await writeRunResults(dir, summarize([epoch(1, 0.6, 0.6), epoch(2, 0.3, 0.8)], { steps: 6, mainMetric: 'accuracy' }), 't');
    const svg = await readFile(join(dir, RUN_FILES.plotSvg), 'utf8');
    const points = /<polyline class="step-loss"[^>]* points="([^"]+)"/.exec(svg)![1]!.split(' ').map((p) => p.split(',').map(Number));
    expect(points).toHaveLength(6);
    // x: the frame spans 56..584 over 2 epochs, so step s sits at 56 + 528 · (s / 3) / 2; the 3rd step is where epoch 1's points are
    points.forEach(([x], i) => expect(x).toBeCloseTo(56 + (528 * ((i + 1) / 3)) / 2, 1));
    expect(svg).toContain(`<circle cx="${(56 + 528 / 2).toFixed(1)}"`);
    // y: the first step has the largest loss (1), so it is drawn highest (smallest y)
    expect(Math.min(...points.map(([, y]) => y!))).toBe(points[0]![1]);
  });
});

describe('the plot of evaluations every N steps', () => {
  it('draws each evaluation at the epochs it had done, under whole-epoch ticks', () => {
    // 6 steps per epoch, evaluated at steps 4, 8 and 9 (the last)
    const at = (step: number): EpochResult => ({ ...epoch(Math.ceil(step / 6), 1 / step, step / 10), step, epochFraction: step / 6 });
    const losses = Array.from({ length: 9 }, (_, i) => ({ step: i + 1, loss: 1 / (i + 1) }));
    const svg = plotSvg([at(4), at(8), at(9)], 'accuracy', 't', undefined, { losses, stepsPerEpoch: 6 });
    // the frame spans 56..584 over 1.5 epochs
    const x = (epochs: number): string => (56 + (528 * epochs) / 1.5).toFixed(1);
    const lines = [...svg.matchAll(/<polyline fill="none"[^>]* points="([^"]+)"/g)].map((m) => m[1]!.split(' ').map((p) => p.split(',')[0]));
    expect(lines).toHaveLength(3);
    for (const xs of lines) expect(xs).toEqual([x(4 / 6), x(8 / 6), x(1.5)]);
    const ticks = [...svg.matchAll(/<text x="([\d.]+)" y="\d+" text-anchor="middle">(\d+)<\/text>/g)].map((m) => [m[1], m[2]]);
    expect(ticks).toEqual([[x(0), '0'], [x(1), '1']]);
  });
});

describe('plotSvg', () => {
  it('draws one point per epoch for train loss, eval loss and the metric, scaled into the frame', () => {
    const svg = plotSvg([epoch(1, 0.7, 0.6), epoch(2, 0.5, 0.8)], 'accuracy', 't');
    const polylines = [...svg.matchAll(/<polyline[^>]*points="([^"]+)"/g)].map((m) => m[1]!.split(' '));
    expect(polylines).toHaveLength(3);
    for (const pts of polylines) expect(pts).toHaveLength(2);
    // the metric's best value sits at the top of the plot area, its worst at the bottom
    const [, , metric] = polylines;
    const ys = metric!.map((p) => Number(p.split(',')[1]));
    expect(ys[1]).toBeLessThan(ys[0]!);
    expect((svg.match(/<circle/g) ?? []).length).toBe(6);
  });

  it('handles a single epoch and NaN values without breaking the file', () => {
    const svg = plotSvg([{ ...epoch(1, NaN, 0.5) }], 'accuracy', 'one');
    expect(svg).not.toContain('NaN');
    expect(svg.trim().endsWith('</svg>')).toBe(true);
  });
});
