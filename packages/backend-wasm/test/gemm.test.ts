import { afterAll, describe, expect, it } from 'vitest';
import type { Activation, TensorView } from '@edora/tensor';
import { tensor } from '@edora/tensor';
import { erfScalar } from '@edora/tensor/backend-kit';
import { createWasmBackend, loadBlas, type WasmBackend } from '../src/node.js';
import { untilEveryThreadWorks } from './helpers.js';

// The wasm GEMM against a float64 recomputation, over the cases its packing and chunking treat
// separately: every layout pair, tile edges (M, N not multiples of 4 / 8), K past one 256-deep
// slab, shared and per-entry B, alpha/beta, bias with each activation, one and two threads.

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
}

type Layout = 'row' | 'col';

/** A [batch, rows, cols] float32 view of random data in the given layout (batch stride 0 when shared). */
function operand(be: WasmBackend, batch: number, rows: number, cols: number, layout: Layout, shared: boolean, r: () => number) {
  const n = (shared ? 1 : batch) * rows * cols;
  const data = Float32Array.from({ length: n }, r);
  const t = tensor(data, [n], { backend: be });
  const per = rows * cols;
  const strides = layout === 'row' ? [shared ? 0 : per, cols, 1] : [shared ? 0 : per, 1, rows];
  const view: TensorView = { buffer: t.buffer, dtype: 'float32', shape: [batch, rows, cols], strides, offset: t.offset };
  const at = (b: number, i: number, j: number): number => data[(shared ? 0 : b * per) + (layout === 'row' ? i * cols + j : j * rows + i)]!;
  return { t, view, at };
}

const act64: Record<Activation, (x: number) => number> = {
  none: (x) => x,
  relu: (x) => Math.max(0, x),
  gelu: (x) => 0.5 * x * (1 + erfScalar(x / Math.SQRT2)),
  tanh: Math.tanh,
};

interface Case {
  batch: number;
  M: number;
  K: number;
  N: number;
  sharedB: boolean;
}

const cases: Case[] = [
  { batch: 1, M: 1, K: 1, N: 1, sharedB: true },
  { batch: 1, M: 13, K: 300, N: 21, sharedB: true },
  { batch: 1, M: 130, K: 70, N: 67, sharedB: true },
  { batch: 3, M: 37, K: 19, N: 9, sharedB: true },
  { batch: 3, M: 37, K: 260, N: 17, sharedB: false },
  { batch: 2, M: 260, K: 64, N: 40, sharedB: false },
];

function check(be: WasmBackend, c: Case, la: Layout, lb: Layout, alpha: number, beta: number, act: Activation | null, seed: number): void {
  const r = rng(seed);
  const { batch, M, K, N } = c;
  const a = operand(be, batch, M, K, la, false, r);
  const b = operand(be, batch, K, N, lb, c.sharedB, r);
  const c0 = Float32Array.from({ length: batch * M * N }, r);
  const o = tensor(Float32Array.from(c0), [batch, M, N], { backend: be });
  const bias = Float32Array.from({ length: N }, r);
  const biasT = tensor(bias, [N], { backend: be });
  if (act) be.run('matmulBiasAct', [a.view, b.view, biasT], [o], { activation: act });
  else be.run('matmul', [a.view, b.view], [o], { alpha, beta });
  const got = o.dataSync();
  let worst = 0;
  let where = '';
  for (let bi = 0; bi < batch; bi++) {
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) {
        let s = 0;
        let mag = 0;
        for (let k = 0; k < K; k++) {
          s += a.at(bi, i, k) * b.at(bi, k, j);
          mag += Math.abs(a.at(bi, i, k) * b.at(bi, k, j));
        }
        const p = (bi * M + i) * N + j;
        const want = act ? act64[act](s + bias[j]!) : alpha * s + beta * c0[p]!;
        // float32 accumulation: error grows with the sum of |terms|, not with the result
        const err = Math.abs(got[p]! - want) / (1e-6 + (Math.abs(alpha) * mag + Math.abs(beta * c0[p]!) + 1) * 1e-6 * Math.sqrt(K));
        if (!(err <= worst)) {
          worst = err;
          where = `b${bi} i${i} j${j}: got ${got[p]}, want ${want}`;
        }
      }
    }
  }
  expect(worst, `B${batch} M${M} K${K} N${N} ${la}/${lb} shared ${c.sharedB} ${act ?? `alpha ${alpha} beta ${beta}`}: ${where}`).toBeLessThan(4);
  for (const t of [a.t, b.t, o, biasT]) t.dispose();
}

// The wasm GEMM on one and two threads, and the system BLAS that the Node entry puts in its place
// when one is installed (CI installs OpenBLAS; elsewhere that block says why it is skipped).
const blas = loadBlas({ threads: 2 });
const blasMissing = blas.ok ? '' : `no BLAS on this machine (${blas.reason}; searched ${blas.searched.join(', ')})`;
if (!blas.ok && process.env['CI']) throw new Error(`CI installs OpenBLAS (tooling/scripts/setup-system.sh), but ${blasMissing}`);
const configs = [
  { label: 'wasm GEMM, 1 thread, every product through the pool', threads: 1, blas: 'off' as const, skip: '' },
  { label: 'wasm GEMM, 2 threads, every product through the pool', threads: 2, blas: 'off' as const, skip: '' },
  { label: `system BLAS in place of the wasm GEMM${blasMissing ? ` (skipped: ${blasMissing})` : ''}`, threads: 2, blas: 'auto' as const, skip: blasMissing },
];

for (const config of configs) {
  describe.skipIf(config.skip !== '')(config.label, () => {
    const threads = config.threads;
    const be = createWasmBackend({ threads, parallelMinFlops: 0, blas: config.blas });
    afterAll(() => be.dispose());

    if (config.blas === 'off') {
      it('every thread takes chunks', async () => {
        const chunks = await untilEveryThreadWorks(be);
        expect(chunks).toHaveLength(threads);
        expect(chunks.every((c) => c > 0), `chunks by thread: ${chunks.join(', ')}`).toBe(true);
      });
    } else {
      it('the products run on the BLAS, not on the wasm threads', () => {
        check(be, { batch: 2, M: 33, K: 20, N: 17, sharedB: false }, 'col', 'row', 1, 0, null, 7);
        expect(be.capabilities.device).toMatch(/GEMM: /);
        expect(be.chunksByThread().every((c) => c === 0)).toBe(true);
      });
    }

    it('matmul: every layout pair, alpha/beta, shared and per-entry B, tile edges, K across slabs', () => {
      let seed = 1;
      for (const c of cases) {
        for (const la of ['row', 'col'] as const) {
          for (const lb of ['row', 'col'] as const) {
            check(be, c, la, lb, 0.75, c.M % 2 ? 0 : -1.5, null, seed++);
          }
        }
      }
    });

    it('matmulBiasAct: bias then none / relu / gelu / tanh', () => {
      let seed = 100;
      for (const act of ['none', 'relu', 'gelu', 'tanh'] as const) {
        for (const c of cases) check(be, c, 'row', 'col', 1, 0, act, seed++);
      }
    });

    it('beta = 0 overwrites NaN in the output; beta = 1 accumulates', () => {
      const a = tensor(Float32Array.from([1, 2, 3, 4, 5, 6]), [1, 2, 3], { backend: be });
      const b = tensor(Float32Array.from([1, 0, 0, 1, 1, 1]), [1, 3, 2], { backend: be });
      const o = tensor(Float32Array.from([NaN, NaN, NaN, NaN]), [1, 2, 2], { backend: be });
      be.run('matmul', [a, b], [o], { alpha: 1, beta: 0 });
      expect(Array.from(o.dataSync())).toEqual([4, 5, 10, 11]);
      be.run('matmul', [a, b], [o], { alpha: 2, beta: 1 });
      expect(Array.from(o.dataSync())).toEqual([12, 15, 30, 33]);
      for (const t of [a, b, o]) t.dispose();
    });

    it('a product large enough to be split into many chunks agrees with float64', () => {
      check(be, { batch: 1, M: 517, K: 515, N: 203, sharedB: true }, 'row', 'col', 1, 0, null, 999);
    });
  });
}
