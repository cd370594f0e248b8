import os from 'node:os';
import { CpuBackend, randn, tensor, type BackendV1, type Tensor } from '@edora/tensor';
import { createNodeWebGpuBackend } from '../src/node.js';
import { benchReductions } from './reductions.js';
import { secondsPerEnqueuedRun, table } from '@edora/bench-kit';

// GEMM throughput of the webgpu backend (Dawn; lavapipe here, a real GPU elsewhere) against the
// pure-TS cpu backend in the same run, at the shapes RoBERTa-base training runs: the 4096-token
// batch (32 × 128) through a 768×768 projection and the 768×3072 FFN, each as A·B and as A·Wᵀ
// (how Linear stores weights), and batched attention (12 heads, 128 tokens, head size 64). Then
// the workgroup reductions with subgroups on and off (reductions.ts).
// Run: pnpm --filter @edora/backend-webgpu bench
// Environment:
//   BENCH_ONLY=gemm|reductions  run one section
//   BENCH_TOKENS=4096       token rows of the reduction shapes
//   BENCH_SKIP_CPU=1        leave out the cpu-backend rows
//   BENCH_CPU_ROWS=512      rows of the token dim for the cpu backend (GFLOP/s barely depends on it;
//                           the full 4096 rows take minutes in pure TypeScript)
//   BENCH_PEAK_GFLOPS=n     the device's fp32 peak, to print the fraction reached
//   BENCH_DAWN=backend=vulkan  Dawn toggles, comma-separated

interface Shape {
  name: string;
  batch: number;
  M: number;
  K: number;
  N: number;
  transB: boolean;
}

const shapes: Shape[] = [
  { name: '4096×768 · 768×768', batch: 1, M: 4096, K: 768, N: 768, transB: false },
  { name: '4096×768 · (768×768)ᵀ', batch: 1, M: 4096, K: 768, N: 768, transB: true },
  { name: '4096×768 · 768×3072', batch: 1, M: 4096, K: 768, N: 3072, transB: false },
  { name: '4096×768 · (3072×768)ᵀ', batch: 1, M: 4096, K: 768, N: 3072, transB: true },
  { name: '12 × 128×64 · (128×64)ᵀ (QKᵀ)', batch: 12, M: 128, K: 64, N: 128, transB: true },
  { name: '12 × 128×128 · 128×64 (PV)', batch: 12, M: 128, K: 128, N: 64, transB: false },
];

/** Operands on `backend`: B is stored [N, K] and viewed transposed when transB. */
function operands(backend: BackendV1, s: Shape, M: number): { a: Tensor; b: Tensor; out: Tensor; all: Tensor[] } {
  const a = randn([s.batch, M, s.K], { backend, seed: 1 });
  const stored = randn(s.transB ? [s.batch, s.N, s.K] : [s.batch, s.K, s.N], { backend, seed: 2 });
  const b = s.transB ? stored.transpose(1, 2) : stored;
  const out = tensor(new Float32Array(s.batch * M * s.N), [s.batch, M, s.N], { backend });
  return { a, b, out, all: [a, stored, b, out] };
}

/** Seconds per product: `reps` products enqueued back to back, one wait (as in a training step). */
async function secondsPerGemm(backend: BackendV1, s: Shape, M: number, minSeconds: number): Promise<number> {
  const { a, b, out, all } = operands(backend, s, M);
  const seconds = await secondsPerEnqueuedRun(() => backend.run('matmul', [a, b], [out], { alpha: 1, beta: 0 }), () => backend.sync(), minSeconds);
  for (const t of all) t.dispose();
  return seconds;
}

const gflops = (s: Shape, M: number, sec: number): number => (2 * s.batch * M * s.K * s.N) / sec / 1e9;

async function benchGemm(dawn: string[]): Promise<void> {
  const skipCpu = process.env.BENCH_SKIP_CPU === '1';
  const cpuRows = Number(process.env.BENCH_CPU_ROWS ?? 512);
  const peak = Number(process.env.BENCH_PEAK_GFLOPS ?? 0);
  const gpu = await createNodeWebGpuBackend({ dawnOptions: dawn });
  const cpu = new CpuBackend();
  console.log(`## @edora/backend-webgpu — GEMM\n`);
  console.log(`device: ${gpu.capabilities.device}; host: ${os.cpus()[0]?.model ?? 'cpu'} × ${os.availableParallelism()}; load ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  const rows: string[][] = [];
  for (const s of shapes) {
    const gSec = await secondsPerGemm(gpu, s, s.M, 1);
    const g = gflops(s, s.M, gSec);
    let cpuCell = '—';
    let ratio = '—';
    if (!skipCpu) {
      const m = s.batch > 1 ? s.M : Math.min(cpuRows, s.M);
      const cSec = await secondsPerGemm(cpu, s, m, 0.5);
      const c = gflops(s, m, cSec);
      cpuCell = `${c.toFixed(2)}${m !== s.M ? ` (${m} rows)` : ''}`;
      ratio = `${(g / c).toFixed(1)}×`;
    }
    const row = [s.name, (gSec * 1000).toFixed(2), g.toFixed(1), cpuCell, ratio];
    if (peak > 0) row.push(`${((100 * g) / peak).toFixed(1)}%`);
    rows.push(row);
    console.error(`  ${row.join(' | ')}`);
  }
  const header = ['shape', 'webgpu ms', 'webgpu GFLOP/s', 'cpu GFLOP/s', 'webgpu/cpu'];
  if (peak > 0) header.push(`of ${peak} GFLOP/s peak`);
  console.log(`\n${table(header, rows)}`);
  gpu.dispose();
}

const only = process.env.BENCH_ONLY;
const dawn = process.env.BENCH_DAWN ? process.env.BENCH_DAWN.split(',') : [];
if (only !== 'reductions') await benchGemm(dawn);
if (only !== 'gemm') await benchReductions(dawn);
