import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
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

describe('the embedded default', () => {
  it('`edora train` with no data runs the demo: EDoRA, DoRA and LoRA on the synthetic task, one row each', async () => {
    dir = await mkdtemp(join(tmpdir(), 'edora-demo-'));
    // the demo's own sizes, shrunk for a unit test (the full demo is timed in the README)
    const io = capture();
    expect(await main(['train', '--epochs', '1', '--train-size', '24', '--validation-size', '16', '--output-dir', dir, '--json'], io)).toBe(0);
    const out = JSON.parse(io.out().trim().split('\n').at(-1)!) as { runs: { method: string; trainable: number; last: { metrics: { accuracy: number } } }[] };
    expect(out.runs.map((r) => r.method)).toEqual(['edora', 'dora', 'lora']);
    // tiny preset (2 layers, hidden 64, FFN 128), r = 8: EDoRA r² + out per module, LoRA r·(in + out), DoRA adds out; plus the head
    const head = 64 * 64 + 64 + 64 * 2 + 2;
    const lora = 2 * 8 * (3 * (64 + 64) + (128 + 64));
    expect(out.runs.map((r) => r.trainable)).toEqual([2 * 4 * (8 * 8 + 64) + head, lora + 2 * 4 * 64 + head, lora + head]);
    for (const r of out.runs) {
      expect(r.last.metrics.accuracy).toBeGreaterThanOrEqual(0);
      expect(existsSync(join(dir, r.method, 'plot.svg'))).toBe(true);
    }
  }, 120_000);

  it('prints the comparison table without --json', async () => {
    const io = capture();
    expect(await main(['demo', '--methods', 'edora', '--epochs', '1', '--train-size', '16', '--validation-size', '16', '--output-dir', join(dir, 'table')], io)).toBe(0);
    expect(io.out()).toMatch(/method\s+trainable params\s+accuracy \(last\)\s+accuracy \(best\)\s+time\n[- ]+\nedora\s+5,314\s+\d\.\d{4}\s+\d\.\d{4}\s+\d+\.\d s/);
  }, 60_000);
});
