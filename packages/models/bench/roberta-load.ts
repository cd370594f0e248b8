import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CpuBackend, useBackend } from '@edora/tensor';
import { loadPretrainedRoberta, parseRobertaConfig, RobertaForSequenceClassification, robertaPreset, type RobertaTask, type TensorSource } from '../src/index.js';
import { checkpointFolderSource, saveModel } from '../src/node.js';

// Memory and time of loading a checkpoint (`loadPretrainedRoberta`, the core of fromPretrained),
// each in a fresh child process so it holds only what loading needs: the shared pretrained
// tiny-roberta-mlm (65 MB, masked LM) and a roberta-base-shaped synthetic checkpoint (499 MB,
// sequence classification with its head, written once to the temp folder by a separate process).
// Measured: RSS (sampled at every chunk read, and the process's peak, VmHWM), the cpu backend's
// memory() peak against the checkpoint's tensor bytes, and how many 'random' ops the backend ran.
// ROBERTA_BENCH_LOAD=0 skips it; ROBERTA_BENCH_KEEP=1 keeps the synthetic checkpoint.

const repoRoot = resolve(fileURLToPath(import.meta.url), '../../../..');
const tinyMlm = resolve(repoRoot, '../shared/data/models/tiny-roberta-mlm');
const syntheticBase = join(os.tmpdir(), 'edora-bench-roberta-base');

interface ChildResult {
  idle: number;
  built: number;
  buildMs: number;
  loadPeak: number;
  maxRss: number;
  totalMs: number;
  backendPeak: number;
  tensorBytes: number;
  randomOps: number;
  loaded: number;
}

/**
 * The process's peak RSS: VmHWM on Linux, which belongs to this process's own address space.
 * (getrusage's maxRSS is not used: Linux carries the parent's peak across fork and exec into it.)
 * Elsewhere 0, and the samples taken at every chunk read stand alone.
 */
function peakRss(): number {
  try {
    const kb = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    return kb ? Number(kb[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** One load, measured; prints a ChildResult as JSON. */
async function child(dir: string, task: RobertaTask): Promise<void> {
  const backend = new CpuBackend();
  let randomOps = 0;
  const run = backend.run.bind(backend);
  backend.run = (op, inputs, outputs, attrs) => {
    if (op === 'random') randomOps++;
    run(op, inputs, outputs, attrs);
  };
  useBackend(backend);
  const idle = process.memoryUsage().rss;
  const t0 = performance.now();
  const config = parseRobertaConfig(await readFile(join(dir, 'config.json'), 'utf8'));
  const source = await checkpointFolderSource(dir);
  const tensorBytes = [...source.tensors.values()].reduce((n, t) => n + t.byteLength, 0);
  // The first chunk read marks the end of building the model.
  let buildMs = 0;
  let built = 0;
  let loadPeak = 0;
  const sampled: TensorSource = {
    ...source,
    readRange: (name, start, end) => {
      const rss = process.memoryUsage().rss;
      if (built === 0) {
        buildMs = performance.now() - t0;
        built = rss;
      }
      loadPeak = Math.max(loadPeak, rss);
      return source.readRange(name, start, end);
    },
  };
  const { report } = await loadPretrainedRoberta(config, sampled, { task });
  const totalMs = performance.now() - t0;
  loadPeak = Math.max(loadPeak, process.memoryUsage().rss);
  await source.close();
  const result: ChildResult = {
    idle, built, buildMs, loadPeak, maxRss: peakRss(), totalMs,
    backendPeak: backend.memory().peakBytes, tensorBytes, randomOps, loaded: report.loaded.length,
  };
  console.log(JSON.stringify(result));
}

function measure(dir: string, task: RobertaTask): ChildResult {
  const out = execFileSync(
    process.execPath,
    ['--conditions=@edora/source', '--import', 'tsx', fileURLToPath(import.meta.url), '--child', dir, task],
    { encoding: 'utf8' },
  );
  return JSON.parse(out.trim().split('\n').pop()!) as ChildResult;
}

export async function main(): Promise<void> {
  if (process.env.ROBERTA_BENCH_LOAD === '0') return;
  const cases: { name: string; dir: string; task: RobertaTask }[] = [];
  if (existsSync(join(tinyMlm, 'model.safetensors'))) cases.push({ name: 'tiny-roberta-mlm (masked LM)', dir: tinyMlm, task: 'masked-lm' });
  else console.log(`tiny-roberta-mlm not measured: ${tinyMlm} not found (see shared/data/SOURCES.md)`);
  if (!existsSync(join(syntheticBase, 'model.safetensors'))) {
    useBackend(new CpuBackend());
    // The values do not matter to loading: a model built without init (zeros) is written.
    const model = new RobertaForSequenceClassification(robertaPreset('roberta-base'), { initWeights: false });
    await saveModel(model, syntheticBase);
  }
  cases.push({ name: 'roberta-base shape, synthetic (classifier)', dir: syntheticBase, task: 'sequence-classification' });

  const mb = (b: number): string => (b / 1e6).toFixed(0);
  console.log(`\n@edora/models checkpoint load (cpu backend; ${os.cpus()[0]?.model ?? 'cpu'} × ${os.cpus().length}, Node ${process.version}, load ${os.loadavg()[0]!.toFixed(2)})`);
  console.log('| checkpoint | tensors MB | build s | total s | random ops | backend peak | RSS idle → built → peak MB | peak RSS − idle |');
  console.log('|---|---:|---:|---:|---:|---:|---|---:|');
  for (const c of cases) {
    const r = measure(c.dir, c.task);
    const x = (b: number): string => `${(b / r.tensorBytes).toFixed(2)}×`;
    const peak = Math.max(r.loadPeak, r.maxRss);
    console.log(
      `| ${c.name} | ${mb(r.tensorBytes)} | ${(r.buildMs / 1000).toFixed(2)} | ${(r.totalMs / 1000).toFixed(2)} | ${r.randomOps} | ` +
        `${mb(r.backendPeak)} MB = ${x(r.backendPeak)} | ${mb(r.idle)} → ${mb(r.built)} → ${mb(peak)} | ${mb(peak - r.idle)} MB = ${x(peak - r.idle)} |`,
    );
  }
  console.log(`load after: ${os.loadavg()[0]!.toFixed(2)}`);
  if (process.env.ROBERTA_BENCH_KEEP !== '1') await rm(syntheticBase, { recursive: true, force: true });
}

// Alone: node --conditions=@edora/source --import tsx bench/roberta-load.ts
const at = process.argv.indexOf('--child');
if (at >= 0) await child(process.argv[at + 1]!, process.argv[at + 2] as RobertaTask);
else if (import.meta.url === `file://${process.argv[1]}`) await main();
