// cpu-backend elementwise, broadcast, copy, reduction and random kernels, timed through the op API
// (output allocation included). Run from packages/tensor:
//   node --conditions=@edora/source --import tsx bench/elementwise.ts
// Prints a markdown table: median wall ms of 7 runs after one warm-up, ns per output element, and
// the median CPU ms of the same runs (on a shared machine the CPU time moves less with the load).
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import {
  add, bernoulli, contiguous, CpuBackend, div, exp, expand, gelu, gt, keep, maximum, mul, neg, noGrad, permute, randn,
  relu, softmax, sum, max, tensor, tidy, useBackend, where, type Tensor,
} from '../src/index.js';
import { medianWallAndCpu, table } from '@edora/bench-kit';

const REPS = 7;

/**
 * A training process runs every op on float32, float64 and int32 views of many layouts, so the
 * kernels' call sites and element accesses have seen all of them. Timing a fresh process would
 * measure the best case V8 reaches on a single op and layout; this runs each op once on small
 * tensors of every dtype and layout first, so the table reflects the steady state of real use.
 */
function warmEveryOp(): void {
  noGrad(() =>
    tidy(() => {
      const f32 = randn([6, 5], { seed: 1 });
      const f64 = randn([6, 5], { seed: 2, dtype: 'float64' });
      const i32 = tensor(Int32Array.from({ length: 30 }, (_, i) => i - 15), [6, 5]);
      for (const x of [f32, f64, i32]) {
        for (const y of [x, x.T.contiguous().T, x.sum(0, { keepDim: true }), x.max(1, { keepDim: true })]) {
          for (const op of ['add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum', 'eq', 'ne', 'lt', 'le', 'gt', 'ge'] as const) {
            x[op](y);
          }
        }
        for (const op of ['neg', 'abs', 'sign', 'exp', 'log', 'sqrt', 'rsqrt', 'reciprocal', 'square', 'tanh', 'erf', 'sigmoid', 'relu', 'gelu'] as const) {
          x[op]();
          x.T[op]();
        }
        where(gt(x, 0), x, x.T.contiguous().T);
        x.T.contiguous();
        x.sum(0);
        x.sum(1);
      }
    }),
  );
}

export function benchElementwise(): string {
  useBackend(new CpuBackend());
  warmEveryOp();
  const rows: (string | number)[][] = [];
  const run = (label: string, elements: number, op: () => Tensor | void): void => {
    const { wall, cpu } = medianWallAndCpu(() => noGrad(() => tidy(() => void op())), REPS);
    rows.push([label, wall.toFixed(2), ((wall * 1e6) / elements).toFixed(2), cpu.toFixed(2)]);
  };
  const M = 1024;
  const N = M * M;
  const a = keep(randn([M, M], { seed: 3 }));
  const b = keep(randn([M, M], { seed: 4 }));
  const bias = keep(randn([M], { seed: 5 }));
  const col = keep(randn([M, 1], { seed: 6 }));
  const heads = keep(randn([32, 128, 4, 64], { seed: 7 })); // [batch, seq, heads, head dim]
  const tall = keep(randn([8192, 128], { seed: 8 }));

  run('add, same shape [1024, 1024]', N, () => add(a, b));
  run('mul by a scalar', N, () => mul(a, 0.125));
  run('div by a scalar', N, () => div(a, 8));
  run('add a row vector [1024] (bias)', N, () => add(a, bias));
  run('mul a column [1024, 1]', N, () => mul(a, col));
  run('add a transposed operand', N, () => add(a, b.T));
  run('maximum, same shape', N, () => maximum(a, b));
  run('gt (compare → mask)', N, () => gt(a, b));
  run('where(mask, a, 0)', N, () => where(gt(a, 0), a, 0));
  run('neg', N, () => neg(a));
  run('relu', N, () => relu(a));
  run('exp', N, () => exp(a));
  run('exp of a transposed view', N, () => exp(a.T));
  run('gelu (erf)', N, () => gelu(a));
  run('contiguous() of a transpose', N, () => contiguous(a.T));
  run('contiguous() of a head split [32,128,4,64] → [32,4,128,64]', heads.size, () => contiguous(permute(heads, [0, 2, 1, 3])));
  run('contiguous() of a broadcast [1024] → [1024, 1024]', N, () => contiguous(expand(bias, [M, M])));
  run('sum over the last axis', N, () => sum(a, 1));
  run('sum over the first axis (bias gradient)', N, () => sum(a, 0));
  run('sum of all elements', N, () => sum(a));
  run('max over the last axis', N, () => max(a, 1));
  run('bernoulli (dropout mask)', N, () => bernoulli([M, M], 0.9, { seed: 9 }));
  run('randn', N, () => randn([M, M], { seed: 10 }));
  run('softmax [8192, 128] (fused)', tall.size, () => softmax(tall, -1));
  run('add of a transpose, small [64, 64] × 256 calls', 256 * 64 * 64, () => {
    const s = a.slice(0, 0, 64).slice(1, 0, 64);
    for (let i = 0; i < 256; i++) add(s, s.T).dispose();
  });
  for (const t of [a, b, bias, col, heads, tall]) t.dispose();
  return table(['op (float32)', `ms (median of ${REPS})`, 'ns / element', 'CPU ms'], rows);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  console.log(benchElementwise());
}
