// pnpm --filter @edora/linalg bench
//
// 1. EDoRA initialization of RoBERTa-base: the 48 target weights (per layer: query, value and
//    attention.output.dense 768×768, output.dense 768×3072 = out×in) at r = 16, with
//    topLeftSingularVectorsBatch on every CPU backend this repository has (wasm, cpu), under
//    several iteration settings.
// 2. One full SVD of 768×768 and of 3072×768 (ours, host float64).
// ml-matrix runs the same full SVDs in the same process; its time for the 48 matrices is
// extrapolated from those two (36·t(768×768) + 12·t(3072×768)) — running it for real takes ~12 min.
// Weights are N(0, 0.02²) like a freshly initialized RoBERTa (no pretrained roberta-base is available
// here); the work of a randomized SVD does not depend on the values.
import { execFileSync, spawnSync } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { Matrix, SingularValueDecomposition } from 'ml-matrix';
import '@edora/backend-wasm/register';
import { initBackend, randn, registeredBackends, type BackendV1, type Tensor } from '@edora/tensor';
import { svd, topLeftSingularVectorsBatch, type RandomizedSvdOptions } from '../src/index.js';

const R = 16;
const fmt = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);

/**
 * Wall time and this process's CPU time. Everything here is single-threaded, so on the shared
 * machine CPU time is the figure that other engineers' load disturbs least.
 */
async function time<T>(fn: () => Promise<T> | T): Promise<[{ text: string; cpuMs: number }, T]> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const out = await fn();
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  const cpuMs = (c.user + c.system) / 1000;
  return [{ text: `${fmt(wall)} (CPU ${fmt(cpuMs)})`, cpuMs }, out];
}

function robertaBaseTargets(backend: BackendV1): Tensor[] {
  const ws: Tensor[] = [];
  for (let layer = 0; layer < 12; layer++) {
    for (let j = 0; j < 3; j++) ws.push(randn([768, 768], { seed: layer * 4 + j, std: 0.02, backend }));
    ws.push(randn([768, 3072], { seed: layer * 4 + 3, std: 0.02, backend }));
  }
  return ws;
}

async function toMl(t: Tensor): Promise<Matrix> {
  const d = await t.data();
  const [m, n] = t.shape as [number, number];
  const out = new Matrix(m, n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) out.set(i, j, d[i * n + j]!);
  return out;
}

console.log(`${os.cpus().length}× ${os.cpus()[0]?.model ?? '?'}; load ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}; node ${process.version}`);

const settings: [string, RandomizedSvdOptions][] = [
  // @edora/layers' EDORA_SVD_DEFAULTS (this package cannot import layers, which depends on it)
  ['reference: 10 LU power iterations (EDORA_SVD_DEFAULTS)', { oversamples: 10, powerIters: 10, normalizer: 'lu', seed: 42 }],
  ["svdLowRank default: 7 LU power iterations ('auto')", { powerIters: 7, seed: 42 }],
  ['4 QR power iterations', { powerIters: 4, normalizer: 'qr', seed: 42 }],
  ['2 QR power iterations', { powerIters: 2, normalizer: 'qr', seed: 42 }],
  ['block Krylov, 4 steps, no oversampling', { method: 'krylov', powerIters: 4, oversamples: 0, seed: 42 }],
  ['block Krylov, 2 steps, no oversampling', { method: 'krylov', powerIters: 2, oversamples: 0, seed: 42 }],
];
// LINALG_BENCH_BACKENDS=wasm limits the 48-target rows to the named backends;
// LINALG_BENCH_REFERENCE_ONLY=1 runs only the reference settings (the row scikit-learn runs too);
// LINALG_BENCH_SKIP_FULL=1 leaves out the full SVDs (and ml-matrix, the slowest part).
const only = process.env.LINALG_BENCH_BACKENDS?.split(',');
const rows: string[] = [];
const referenceCpuMs = new Map<string, number>();
for (const { name } of registeredBackends().sort((a, b) => b.priority - a.priority)) {
  if (only && !only.includes(name)) continue;
  const backend = await initBackend(name);
  console.log(`backend ${name}: ${backend.capabilities.device}`);
  const ws = robertaBaseTargets(backend);
  // one target first, untimed, as the scikit-learn twin does (JIT warm-up)
  (await topLeftSingularVectorsBatch(ws.slice(0, 1), R, settings[0]![1])).forEach((b) => b.dispose());
  for (const [label, opts] of process.env.LINALG_BENCH_REFERENCE_ONLY ? settings.slice(0, 1) : settings) {
    const [t, bs] = await time(() => topLeftSingularVectorsBatch(ws, R, opts));
    bs.forEach((b) => b.dispose());
    if (opts === settings[0]![1]) referenceCpuMs.set(name, t.cpuMs);
    rows.push(`| ${name}: 48 RoBERTa-base targets, r = ${R}, ${label} | ${t.text} | |`);
    console.log(rows.at(-1));
  }
  ws.forEach((w) => w.dispose());
}

// scikit-learn's randomized_svd with the same settings (bench/sklearn_svd.py), in the same run:
// with as many BLAS threads as the backends have (the comparison), and with one. Both
// sides' OpenBLAS threads get the same waiting policy: OPENBLAS_THREAD_TIMEOUT=4 (what loadBlas
// sets for this process unless the environment says otherwise) and OMP_WAIT_POLICY=PASSIVE.
const PYTHON = '/usr/bin/python3';
if (spawnSync(PYTHON, ['-c', 'import sklearn'], { stdio: 'ignore' }).status === 0) {
  const script = fileURLToPath(new URL('./sklearn_svd.py', import.meta.url));
  const env = { ...process.env, OPENBLAS_THREAD_TIMEOUT: process.env.OPENBLAS_THREAD_TIMEOUT ?? '4', OMP_WAIT_POLICY: process.env.OMP_WAIT_POLICY ?? 'PASSIVE' };
  for (const threads of [...new Set([os.availableParallelism(), 1])]) {
    const out = JSON.parse(execFileSync(PYTHON, [script, String(threads)], { encoding: 'utf8', env }).trim()) as { ms: number; cpuMs: number; sklearn: string };
    const ratios = [...referenceCpuMs].map(([name, ms]) => `${name} ${(ms / out.cpuMs).toFixed(2)}×`).join(', ');
    rows.push(`| scikit-learn ${out.sklearn} randomized_svd, ${threads} BLAS thread${threads > 1 ? 's' : ''}, same 48 targets and settings (10 oversamples, 10 LU power iterations) | ${fmt(out.ms)} (CPU ${fmt(out.cpuMs)}) | per CPU-second: ${ratios} |`);
    console.log(rows.at(-1));
  }
} else {
  console.log(`scikit-learn row skipped: ${PYTHON} cannot import sklearn (Debian: sudo apt-get install python3-sklearn)`);
}

const mlPerShape: number[] = [];
for (const [m, n] of process.env.LINALG_BENCH_SKIP_FULL ? [] : ([[768, 768], [3072, 768]] as const)) {
  const a = randn([m, n], { seed: 1000 + m, std: 0.02, backend: 'cpu' });
  const [ours] = await time(() => svd(a));
  const ml = await toMl(a);
  const [theirs] = await time(() => new SingularValueDecomposition(ml, { autoTranspose: true }));
  mlPerShape.push(theirs.cpuMs);
  rows.push(`| full SVD ${m}×${n} | ${ours.text} | ${theirs.text} |`);
  console.log(rows.at(-1));
}
if (mlPerShape.length === 2) rows.push(`| 48 RoBERTa-base targets with ml-matrix full SVD (extrapolated from CPU times: 36·t₇₆₈ + 12·t₃₀₇₂) | | CPU ${fmt(36 * mlPerShape[0]! + 12 * mlPerShape[1]!)} |`);
console.log(['', '| task | @edora/linalg | ml-matrix 6.15.1 |', '|---|---|---|', ...rows].join('\n'));
