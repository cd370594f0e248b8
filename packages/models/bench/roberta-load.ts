import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CpuBackend, useBackend } from '@edora/tensor';
import { loadWeights, parseRobertaConfig, RobertaForSequenceClassification, robertaPreset, type TensorSource } from '../src/index.js';
import { checkpointFolderSource, saveModel } from '../src/node.js';

// Memory of loading a roberta-base-sized checkpoint (~500 MB float32) against the file size,
// in a child process. The checkpoint is written once to the temp
// folder by a separate process, so the loader's process holds only what loading needs.
// ROBERTA_BENCH_LOAD=0 skips it.

const dir = join(os.tmpdir(), 'edora-bench-roberta-base');

/**
 * fromPretrained's two phases, measured apart: building the model (random init, whose temporaries
 * belong to the RNG and the layers, not to loading), then streaming the checkpoint in, with the
 * RSS sampled at every chunk read.
 */
async function child(): Promise<void> {
  useBackend(new CpuBackend());
  const idle = process.memoryUsage().rss;
  let t = performance.now();
  const config = parseRobertaConfig(await readFile(join(dir, 'config.json'), 'utf8'));
  const model = new RobertaForSequenceClassification(config, { initWeights: false });
  const buildMs = performance.now() - t;
  const buildPeak = process.resourceUsage().maxRSS * 1024;
  const built = process.memoryUsage().rss;
  const source = await checkpointFolderSource(dir);
  let loadPeak = built;
  const sampled: TensorSource = {
    ...source,
    readRange: (name, start, end) => {
      loadPeak = Math.max(loadPeak, process.memoryUsage().rss);
      return source.readRange(name, start, end);
    },
  };
  t = performance.now();
  const report = await loadWeights(model.namedParameters(), sampled);
  const loadMs = performance.now() - t;
  loadPeak = Math.max(loadPeak, process.memoryUsage().rss);
  await source.close();
  console.log(JSON.stringify({ idle, built, buildPeak, buildMs, loadPeak, loadMs, loaded: report.loaded.length }));
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
  const r = JSON.parse(out.trim().split('\n').pop()!) as Record<string, number>;
  const mb = (b: number): string => (b / 1e6).toFixed(0);
  const x = (b: number): string => `${(b / size).toFixed(2)}×`;
  console.log(
    `roberta-base checkpoint: ${mb(size)} MB, ${r.loaded} tensors. Idle process RSS ${mb(r.idle!)} MB.\n` +
      `build (random init): ${(r.buildMs! / 1000).toFixed(1)} s, RSS after ${mb(r.built!)} MB (${x(r.built!)} the file), transient peak ${mb(r.buildPeak!)} MB (${x(r.buildPeak!)})\n` +
      `load (streamed): ${(r.loadMs! / 1000).toFixed(1)} s, RSS peak ${mb(r.loadPeak!)} MB = ${x(r.loadPeak!)} the file; ` +
      `above the built model: ${mb(r.loadPeak! - r.built!)} MB (${x(r.loadPeak! - r.built!)})`,
  );
  if (process.env.ROBERTA_BENCH_KEEP !== '1') await rm(dir, { recursive: true, force: true });
}

if (process.argv.includes('--child')) await child();
