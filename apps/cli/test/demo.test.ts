import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main, type Io } from '../src/cli.js';

function capture(): Io & { out: () => string } {
  let text = '';
  const stream = { write: (s: string) => ((text += s), true), isTTY: false, columns: 80 } as unknown as NodeJS.WriteStream;
  return { stdout: stream, stderr: stream, out: () => text };
}

interface DemoJson {
  base: { cached?: boolean; loss?: number; model?: string };
  runs: { method: string; trainable: number; backend: string; last: { metrics: { accuracy: number } } }[];
}
const lastJson = (io: { out: () => string }): DemoJson => JSON.parse(io.out().trim().split('\n').at(-1)!) as DemoJson;

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'edora-demo-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
});

describe('the embedded default', () => {
  // the full demo is timed in the README; this is the same pipeline with fewer epochs and examples (about 20 s on wasm)
  it('learns: on the pretrained demo base, EDoRA reaches well above chance on the synthetic task (a bag of words is at 0.5 by construction)', async () => {
    const io = capture();
    const args = ['demo', '--methods', 'edora', '--pretrain-epochs', '4', '--train-size', '1500', '--epochs', '4', '--output-dir', join(dir, 'learn'), '--json'];
    expect(await main(args, io)).toBe(0);
    const first = lastJson(io);
    expect(first.base.cached).toBe(false);
    // 90 ordered animal pairs: chance is ln 90 ≈ 4.5; the base has learned to name them
    expect(first.base.loss).toBeLessThan(2.5);
    expect(first.runs[0]!.last.metrics.accuracy).toBeGreaterThanOrEqual(0.8);
    expect(existsSync(join(dir, 'learn', 'base', 'words.json'))).toBe(true);
    // reusing the base is checked by the table test below (same settings, same folder), with a tiny fine-tuning;
    // that seeded runs repeat exactly is checked by the resume tests, so this one trains once
  }, 600_000);

  it('`edora train` with no data runs the demo: EDoRA, DoRA and LoRA, one row each; --pretrain-epochs 0 is the random tiny preset', async () => {
    const io = capture();
    expect(await main(['train', '--pretrain-epochs', '0', '--epochs', '1', '--train-size', '24', '--validation-size', '16', '--output-dir', join(dir, 'random'), '--json'], io)).toBe(0);
    const out = lastJson(io);
    expect(out.base.model).toMatch(/^preset tiny \(random weights/);
    expect(out.runs.map((r) => r.method)).toEqual(['edora', 'dora', 'lora']);
    // tiny preset (2 layers, hidden 64, FFN 128), r = 8: EDoRA r² + out per module, LoRA r·(in + out), DoRA adds out; plus the head
    const head = 64 * 64 + 64 + 64 * 2 + 2;
    const lora = 2 * 8 * (3 * (64 + 64) + (128 + 64));
    expect(out.runs.map((r) => r.trainable)).toEqual([2 * 4 * (8 * 8 + 64) + head, lora + 2 * 4 * 64 + head, lora + head]);
    for (const r of out.runs) {
      expect(r.last.metrics.accuracy).toBeGreaterThanOrEqual(0);
      expect(existsSync(join(dir, 'random', r.method, 'plot.svg'))).toBe(true);
    }
  }, 300_000);

  it('prints the comparison table with what the base is and which backend ran', async () => {
    const io = capture();
    // reuses the base pretrained by the first test (same settings, same folder)
    expect(await main(['demo', '--methods', 'edora', '--pretrain-epochs', '4', '--epochs', '1', '--train-size', '16', '--validation-size', '16', '--output-dir', join(dir, 'learn')], io)).toBe(0);
    const text = io.out();
    expect(text).toContain('pretrained by an earlier demo'); // the cached base, not pretrained again
    expect(text).toMatch(/method\s+trainable params\s+accuracy \(last\)\s+accuracy \(best\)\s+time\n[- ]+\nedora\s+5,314\s+\d\.\d{4}\s+\d\.\d{4}\s+\d+\.\d s/);
    expect(text).toMatch(/base: the tiny preset .* pretrained by an earlier demo, all weights, to name the two animals of 3,000 synthetic sentences/);
    expect(text).toMatch(/\nbackend (wasm|cpu); /);
  }, 300_000);
});
