import os from 'node:os';
import { CpuBackend, disposeBackend, initBackend, noGrad, tensor, tidy, useBackend, type BackendV1 } from '@edora/tensor';
import { RobertaForSequenceClassification, robertaPreset, type RobertaPresetName } from '../src/index.js';

// RoBERTa forward and forward+backward throughput (tokens/s) for batch 8 × 128 with random
// weights, and the backend's peak memory. Run: pnpm --filter @edora/models bench.
// ROBERTA_BENCH_PRESETS=tiny skips roberta-base (minutes on the pure-TypeScript cpu backend);
// ROBERTA_BENCH_CPU=0 measures only the other backends (wasm when it loads).

const B = 8;
const T = 128;

function table(header: string[], rows: (string | number)[][]): string {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => r[i]!.length)));
  const line = (r: string[]): string => `| ${r.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...cells.slice(1).map(line)].join('\n');
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const mib = (bytes: number): string => (bytes / 2 ** 20).toFixed(0);

export async function benchRoberta(backend: BackendV1, presets: RobertaPresetName[]): Promise<(string | number)[][]> {
  useBackend(backend);
  const rows: (string | number)[][] = [];
  for (const name of presets) {
    const config = robertaPreset(name);
    const t0 = performance.now();
    // HF's random init: one draw per weight (the layers draw nothing themselves), timed as "build".
    const model = new RobertaForSequenceClassification(config, { seed: 0 });
    const buildMs = performance.now() - t0;
    const ids = new Int32Array(B * T);
    for (let i = 0; i < ids.length; i++) ids[i] = 4 + ((i * 7919) % (config.vocabSize - 4));
    for (let b = 0; b < B; b++) ids[b * T] = 0;
    const inputs = { inputIds: tensor(ids, [B, T]) };
    const labels = tensor(new Int32Array(B), [B]);
    // roberta-base on the cpu backend takes minutes per step: one measured step after no warm-up.
    const reps = name === 'tiny' ? 5 : 1;

    model.eval();
    backend.resetPeak?.();
    const fwd: number[] = [];
    for (let r = 0; r < reps + (reps > 1 ? 1 : 0); r++) {
      const t = performance.now();
      noGrad(() => tidy(() => model.forward(inputs)).dataSync());
      fwd.push(performance.now() - t);
    }
    const fwdPeak = backend.memory().peakBytes;

    model.train();
    backend.resetPeak?.();
    const both: number[] = [];
    for (let r = 0; r < reps + (reps > 1 ? 1 : 0); r++) {
      const t = performance.now();
      const loss = tidy(() => model.loss(model.forward(inputs), labels));
      loss.backward();
      loss.dispose();
      for (const p of model.parameters()) {
        p.grad?.dataSync();
        p.grad?.dispose();
        p.grad = null;
      }
      both.push(performance.now() - t);
    }
    const trainPeak = backend.memory().peakBytes;
    const f = median(reps > 1 ? fwd.slice(1) : fwd);
    const fb = median(reps > 1 ? both.slice(1) : both);
    rows.push([
      name,
      backend.name,
      `${B}×${T}`,
      reps,
      (f / 1000).toFixed(2),
      Math.round((B * T) / (f / 1000)),
      (fb / 1000).toFixed(2),
      Math.round((B * T) / (fb / 1000)),
      mib(fwdPeak),
      mib(trainPeak),
      (buildMs / 1000).toFixed(1),
    ]);
    for (const p of model.parameters()) p.dispose();
    inputs.inputIds.dispose();
    labels.dispose();
    console.log(rows[rows.length - 1]!.join(' | '));
  }
  return rows;
}

export async function main(): Promise<void> {
  const presets = (process.env.ROBERTA_BENCH_PRESETS ?? 'tiny,roberta-base').split(',') as RobertaPresetName[];
  console.log(`# @edora/models RoBERTa bench — ${os.cpus()[0]?.model ?? 'cpu'} × ${os.cpus().length}, Node ${process.version}, load ${os.loadavg()[0]!.toFixed(2)}`);
  // ROBERTA_BENCH_CPU=0 leaves out the pure-TypeScript backend (minutes per roberta-base step)
  const rows = process.env.ROBERTA_BENCH_CPU === '0' ? [] : await benchRoberta(new CpuBackend(), presets);
  // every other CPU-side backend this repository has: the wasm backend when it loads
  try {
    await import('@edora/backend-wasm/register');
    const wasm = await initBackend('wasm');
    rows.push(...(await benchRoberta(wasm, presets)));
    await disposeBackend('wasm');
  } catch (err) {
    console.log(`wasm backend not measured: ${(err as Error).message}`);
  }
  console.log(
    table(
      ['model', 'backend', 'batch', 'steps', 'fwd s', 'fwd tokens/s', 'fwd+bwd s', 'fwd+bwd tokens/s', 'fwd peak MiB', 'train peak MiB', 'build s'],
      rows,
    ),
  );
  console.log(`load after: ${os.loadavg()[0]!.toFixed(2)}, process max RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
}
