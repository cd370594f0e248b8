import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CpuBackend, useBackend } from '@edora/tensor';
import { RobertaForSequenceClassification, robertaPreset } from '../src/index.js';
import { fromPretrained, saveModel } from '../src/node.js';

// Peak memory of loading a roberta-base-sized checkpoint (~500 MB float32), measured as the
// child process's max RSS, against the file size. The checkpoint is written once to the temp
// folder by a separate process, so the loader's process holds only what loading needs.
// ROBERTA_BENCH_LOAD=0 skips it.

const dir = join(os.tmpdir(), 'edora-bench-roberta-base');

async function child(): Promise<void> {
  useBackend(new CpuBackend());
  const before = process.memoryUsage().rss;
  const t = performance.now();
  const { report } = await fromPretrained(dir, { numLabels: 2 });
  const ms = performance.now() - t;
  console.log(JSON.stringify({ before, maxRss: process.resourceUsage().maxRSS * 1024, ms, loaded: report.loaded.length }));
}

export async function main(): Promise<void> {
  if (process.env.ROBERTA_BENCH_LOAD === '0') return;
  const file = join(dir, 'model.safetensors');
  if (!existsSync(file)) {
    useBackend(new CpuBackend());
    const model = new RobertaForSequenceClassification(robertaPreset('roberta-base'), { seed: 0, initWeights: false });
    await saveModel(model, dir);
  }
  const size = (await stat(file)).size;
  const out = execFileSync(process.execPath, ['--conditions=@edora/source', '--import', 'tsx', fileURLToPath(import.meta.url), '--child'], {
    encoding: 'utf8',
  });
  const r = JSON.parse(out.trim().split('\n').pop()!) as { before: number; maxRss: number; ms: number; loaded: number };
  const mb = (b: number): string => (b / 1e6).toFixed(0);
  console.log(
    `roberta-base load: file ${mb(size)} MB, ${r.loaded} tensors in ${(r.ms / 1000).toFixed(1)} s; process RSS before ${mb(r.before)} MB, ` +
      `peak ${mb(r.maxRss)} MB = ${(r.maxRss / size).toFixed(2)}× the file (${((r.maxRss - r.before) / size).toFixed(2)}× above the idle process)`,
  );
  if (process.env.ROBERTA_BENCH_KEEP !== '1') await rm(dir, { recursive: true, force: true });
}

if (process.argv.includes('--child')) await child();
