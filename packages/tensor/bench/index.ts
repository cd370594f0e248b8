import os from 'node:os';
import { CpuBackend, keep, matmul, noGrad, randn, tidy, useBackend } from '@edora/tensor';
import { medianWallAndCpu, table } from '@edora/bench-kit';

// cpu-backend GEMM throughput and a small MLP's forward+backward, the baseline every faster
// backend is compared with. Run: pnpm --filter @edora/tensor bench (or pnpm bench at the root).
const backend = new CpuBackend();
useBackend(backend);

const shapes: [string, number, number, number][] = [
  ['256³', 256, 256, 256],
  ['512³', 512, 512, 512],
  ['1024³', 1024, 1024, 1024],
  ['4096×768 · 768×768', 4096, 768, 768],
  ['4096×768 · 768×3072', 4096, 768, 3072],
  ['4096×3072 · 3072×768', 4096, 3072, 768],
];

console.log(`# @edora/tensor bench — ${os.cpus()[0]?.model ?? 'cpu'} × ${os.cpus().length}, Node ${process.version}, load ${os.loadavg()[0]!.toFixed(2)}`);
const rows: (string | number)[][] = [];
for (const [label, m, k, n] of shapes) {
  const a = keep(randn([m, k], { seed: 1 }));
  const b = keep(randn([k, n], { seed: 2 }));
  const reps = m * n * k > 1e9 ? 1 : 3;
  const ms = medianWallAndCpu(() => noGrad(() => tidy(() => void matmul(a, b))), reps).wall;
  rows.push([label, ms.toFixed(0), ((2 * m * n * k) / ms / 1e6).toFixed(2)]);
  a.dispose();
  b.dispose();
}
console.log('\ncpu backend matmul');
console.log(table(['shape', 'ms', 'GFLOP/s'], rows));

// forward + backward of a 2-layer MLP: 256×512 → 1024 (gelu) → 512
const x = keep(randn([256, 512], { seed: 3 }));
const w1 = keep(randn([512, 1024], { seed: 4, std: 0.05 }).requiresGrad_());
const w2 = keep(randn([1024, 512], { seed: 5, std: 0.05 }).requiresGrad_());
const mlpMs = medianWallAndCpu(() =>
  tidy(() => {
    const loss = x.matmul(w1).gelu().matmul(w2).square().mean();
    loss.backward();
    for (const w of [w1, w2]) {
      w.grad?.dispose();
      w.grad = null;
    }
  }),
  3,
).wall;
console.log('\nMLP 256×512 → 1024 (GELU) → 512, forward + backward');
console.log(table(['backend', 'ms / step'], [['cpu', mlpMs.toFixed(1)]]));

// elementwise, broadcast, copy, reduction and random kernels (docs/benchmarks.md, "cpu backend: elementwise")
const { benchElementwise } = await import('./elementwise.js');
console.log('\ncpu backend elementwise, broadcast, copy, reduction and random kernels');
console.log(benchElementwise());

// safetensors read/write throughput (see docs/benchmarks.md, "@edora/tensor: safetensors")
const { benchSafetensors } = await import('./safetensors.js');
console.log(await benchSafetensors());
