import { randn, tensor, type BackendV1, type Tensor } from '@edora/tensor';
import { secondsPerEnqueuedRun, table } from '@edora/bench-kit';
import { createCudaBackend, type CudaBackend } from '../src/index.js';

// GEMM throughput of the cuda backend at the shapes RoBERTa-base training runs (the 4096-token
// batch, 32 × 128, through the 768×768 projections and the 768↔3072 FFN, as A·B and A·Wᵀ, and
// batched attention for 32 × 12 heads), through cuBLAS and through the backend's own SGEMM, as
// GFLOP/s and as a fraction of the fp32 peak. Needs a GPU (bench/gpu-run.sh runs it there).
// Run: pnpm --filter @edora/backend-cuda bench
// Environment:
//   BENCH_PEAK_GFLOPS=n  the device's fp32 (non-tensor-core) peak; default 67,000 (H200 SXM)
//   BENCH_TF32=1         also time cuBLAS with TF32 tensor cores (changes numerics; off by default)
//   EDORA_CUDA_DRIVER    the driver to load (the stand-in works too, for a smoke run: BENCH_SMALL=1)

interface Shape {
  name: string;
  batch: number;
  M: number;
  K: number;
  N: number;
  transB: boolean;
}

const small = process.env.BENCH_SMALL === '1';
const T = small ? 64 : 4096;
const shapes: Shape[] = [
  { name: `${T}×768 · 768×768`, batch: 1, M: T, K: 768, N: 768, transB: false },
  { name: `${T}×768 · (768×768)ᵀ`, batch: 1, M: T, K: 768, N: 768, transB: true },
  { name: `${T}×768 · 768×3072`, batch: 1, M: T, K: 768, N: 3072, transB: false },
  { name: `${T}×3072 · 3072×768`, batch: 1, M: T, K: 3072, N: 768, transB: false },
  { name: `${T}×3072 · (768×3072)ᵀ`, batch: 1, M: T, K: 3072, N: 768, transB: true },
  { name: `${small ? 2 : 384} × 128×64 · (128×64)ᵀ (QKᵀ)`, batch: small ? 2 : 384, M: 128, K: 64, N: 128, transB: true },
  { name: `${small ? 2 : 384} × 128×128 · 128×64 (PV)`, batch: small ? 2 : 384, M: 128, K: 128, N: 64, transB: false },
];

function operands(backend: BackendV1, s: Shape): { a: Tensor; b: Tensor; out: Tensor; all: Tensor[] } {
  const a = randn([s.batch, s.M, s.K], { backend, seed: 1 });
  const stored = randn(s.transB ? [s.batch, s.N, s.K] : [s.batch, s.K, s.N], { backend, seed: 2 });
  const b = s.transB ? stored.transpose(1, 2) : stored;
  const out = tensor(new Float32Array(s.batch * s.M * s.N), [s.batch, s.M, s.N], { backend });
  return { a, b, out, all: [a, stored, b, out] };
}

async function gflopsOf(backend: CudaBackend, s: Shape): Promise<number> {
  const { a, b, out, all } = operands(backend, s);
  const sec = await secondsPerEnqueuedRun(() => backend.run('matmul', [a, b], [out], { alpha: 1, beta: 0 }), () => backend.sync(), small ? 0.05 : 0.5);
  for (const t of all) t.dispose();
  return (2 * s.batch * s.M * s.K * s.N) / sec / 1e9;
}

const peak = Number(process.env.BENCH_PEAK_GFLOPS ?? 67_000);
const variants: [string, () => Promise<CudaBackend>][] = [
  ['cuBLAS fp32', () => createCudaBackend()],
  ['own SGEMM', () => createCudaBackend({ cublasPath: false })],
];
if (process.env.BENCH_TF32 === '1') variants.push(['cuBLAS TF32', () => createCudaBackend({ tf32: true })]);

const rows: (string | number)[][] = [];
let device = '';
for (const [label, make] of variants) {
  const backend = await make();
  device = backend.capabilities.device;
  if (label.startsWith('cuBLAS') && backend.gemm.library !== 'cublas') {
    console.log(`${label}: skipped, ${backend.gemm.reason}`);
    backend.dispose();
    continue;
  }
  for (const s of shapes) {
    const g = await gflopsOf(backend, s);
    rows.push([label, s.name, g.toFixed(0), `${((100 * g) / peak).toFixed(1)}%`]);
  }
  backend.dispose();
}
console.log(`GEMM on ${device}; fraction of ${peak} GFLOP/s fp32 peak\n`);
console.log(table(['path', 'shape', 'GFLOP/s', 'of peak'], rows));
