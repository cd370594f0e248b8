import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CpuBackend, tensor, type OpAttrs, type Tensor } from '@edora/tensor';
import { erfScalar, geluGradScalar, geluScalar } from '@edora/tensor/backend-kit';
import { WasmBackend } from '../src/index.js';
import { createWasmBackend } from '../src/node.js';
import { untilEveryThreadWorks } from './helpers.js';

// The wasm fused kernels against the cpu kernels run on identical inputs. Sizes are odd so the
// SIMD bodies and their scalar tails both run; views carry offsets (slices of larger buffers).

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
}

const data = (n: number, r: () => number, scale = 1, shift = 0): Float32Array => Float32Array.from({ length: n }, () => r() * scale + shift);

describe('wasm fused kernels agree with the cpu kernels', () => {
  const wasm = new WasmBackend();
  const cpu = new CpuBackend();
  afterAll(() => wasm.dispose());
  /** The same values on both backends, as a view 3 elements into a larger buffer. */
  const pair = (values: Float32Array, shape: number[]): [Tensor, Tensor] =>
    [wasm, cpu].map((b) => {
      const padded = new Float32Array(values.length + 3);
      padded.set(values, 3);
      return tensor(padded, [values.length + 3], { backend: b }).slice(0, 3, values.length + 3).reshape(shape);
    }) as [Tensor, Tensor];

  it('adamw: identical bits for param, m and v over 3 steps', () => {
    const r = rng(1);
    const n = 1003;
    const [pw, pc] = pair(data(n, r), [n]);
    const [mw, mc] = pair(data(n, r, 0.01), [n]);
    const [vw, vc] = pair(data(n, r, 0.001, 0.001), [n]);
    for (let step = 1; step <= 3; step++) {
      const [gw, gc] = pair(data(n, rng(10 + step)), [n]);
      const attrs: OpAttrs['adamw'] = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, step };
      wasm.run('adamw', [pw, gw, mw, vw], [pw, mw, vw], attrs);
      cpu.run('adamw', [pc, gc, mc, vc], [pc, mc, vc], attrs);
    }
    for (const [w, c, name] of [[pw, pc, 'param'], [mw, mc, 'm'], [vw, vc, 'v']] as const) {
      expect(Array.from(w.dataSync()), name).toEqual(Array.from(c.dataSync()));
    }
  });

  it('rowNorm and layerNorm: within 2 float32 ulps of the cpu kernels', () => {
    const r = rng(2);
    const [n, d] = [7, 771];
    const [xw, xc] = pair(data(n * d, r, 4, 1), [n, d]);
    const [gw, gc] = pair(data(d, r, 0.5, 1), [d]);
    const [bw, bc] = pair(data(d, r), [d]);
    const outs = (b: typeof wasm | typeof cpu, shapes: number[][]): Tensor[] => shapes.map((s) => tensor(new Float32Array(s[0]! * (s[1] ?? 1)), s, { backend: b }));
    const [nw] = outs(wasm, [[n]]);
    const [nc] = outs(cpu, [[n]]);
    wasm.run('rowNorm', [xw], [nw!], {});
    cpu.run('rowNorm', [xc], [nc!], {});
    const lw = outs(wasm, [[n, d], [n], [n]]);
    const lc = outs(cpu, [[n, d], [n], [n]]);
    wasm.run('layerNorm', [xw, gw, bw], lw, { eps: 1e-5 });
    cpu.run('layerNorm', [xc, gc, bc], lc, { eps: 1e-5 });
    const pairs: [Tensor, Tensor, string][] = [[nw!, nc!, 'rowNorm'], [lw[0]!, lc[0]!, 'layerNorm y'], [lw[1]!, lc[1]!, 'mean'], [lw[2]!, lc[2]!, 'rstd']];
    for (const [w, c, name] of pairs) {
      const a = w.dataSync();
      const b = c.dataSync();
      for (let i = 0; i < b.length; i++) {
        expect(Math.abs(a[i]! - b[i]!), `${name}[${i}]: wasm ${a[i]}, cpu ${b[i]}`).toBeLessThanOrEqual(2 * 2 ** -23 * Math.max(Math.abs(b[i]!), 2 ** -10));
      }
    }
  });

  it('layerNormBackward: identical bits for dx, dγ and dβ, odd and even widths, twice in a row (scratch reused)', () => {
    for (const [n, d] of [[9, 771], [5, 64], [3, 1], [4, 2]] as const) {
      const r = rng(3 + d);
      const [xw, xc] = pair(data(n * d, r, 4, 1), [n, d]);
      const [gw, gc] = pair(data(d, r, 0.5, 1), [d]);
      const [dyw, dyc] = pair(data(n * d, r, 2), [n, d]);
      // mean and rstd as layerNorm forward would give them (float32, as saved)
      const [mw, mc] = pair(data(n, r, 0.1, 1), [n]);
      const [sw, sc] = pair(data(n, r, 0.2, 0.8), [n]);
      const grads = (b: typeof wasm | typeof cpu): Tensor[] => [[n, d], [d], [d]].map((s) => tensor(new Float32Array(s[0]! * (s[1] ?? 1)).fill(7), s, { backend: b }));
      for (let round = 0; round < 2; round++) {
        const gwOut = grads(wasm);
        const gcOut = grads(cpu);
        wasm.run('layerNormBackward', [xw, gw, mw, sw, dyw], gwOut, {});
        cpu.run('layerNormBackward', [xc, gc, mc, sc, dyc], gcOut, {});
        for (const [i, name] of ['dx', 'dgamma', 'dbeta'].entries()) {
          expect(Array.from(gwOut[i]!.dataSync()), `${name}, n=${n} d=${d}`).toEqual(Array.from(gcOut[i]!.dataSync()));
        }
      }
    }
  });
});

// GELU and softmax run as row tasks: check them on one thread and on two with every task split
const rowBackends: [string, () => Promise<WasmBackend>][] = [
  ['1 thread', () => Promise.resolve(new WasmBackend())],
  ['2 threads, every task split', async () => {
    const be = createWasmBackend({ threads: 2, parallelMinFlops: 0, parallelMinElements: 0, blas: 'off' });
    await untilEveryThreadWorks(be);
    return be;
  }],
];

describe.each(rowBackends)('wasm GELU and its derivative against the double-precision reference (%s)', (_, make) => {
  let wasm: WasmBackend;
  beforeAll(async () => {
    wasm = await make();
  });
  afterAll(() => wasm.dispose());

  it('within 3 float32 ulps of the result (of its terms for the derivative), or 1e-12 absolute, from −12 to 12, tails, odd lengths, NaN and ±∞', () => {
    const n = 24_001;
    const xs = Float32Array.from({ length: n }, (_, i) => -12 + (24 * i) / (n - 1));
    const special = Float32Array.from([NaN, Infinity, -Infinity, 0, -0, 1e-30, -1e-30, 5.5, -5.5]);
    const all = new Float32Array(n + special.length);
    all.set(xs);
    all.set(special, n);
    const dyData = Float32Array.from({ length: all.length }, (_, i) => 1 + (i % 7) / 7);
    const x = tensor(all, [all.length], { backend: wasm });
    const dy = tensor(dyData, [all.length], { backend: wasm });
    const y = tensor(new Float32Array(all.length), [all.length], { backend: wasm });
    const dx = tensor(new Float32Array(all.length), [all.length], { backend: wasm });
    wasm.run('unary', [x], [y], { fn: 'gelu' });
    wasm.run('geluBackward', [x, dy], [dx], {});
    const gy = y.dataSync();
    const gdx = dx.dataSync();
    for (let i = 0; i < all.length; i++) {
      const v = all[i]!;
      // reference in float64 from the cpu backend's erf (a double-precision series)
      const wantY = Math.fround(geluScalar(v));
      const wantDx = Math.fround(dyData[i]! * geluGradScalar(v));
      // the derivative Φ(x) + xφ(x) cancels near x ≈ −0.75: measure its error against its terms
      const terms = Math.abs(dyData[i]!) * (0.5 * (1 + erfScalar(v * Math.SQRT1_2)) + Math.abs(v * Math.exp(-0.5 * v * v)) / Math.sqrt(2 * Math.PI));
      for (const [got, want, name, scale] of [[gy[i]!, wantY, 'gelu', Math.abs(wantY)], [gdx[i]!, wantDx, 'gelu backward', terms]] as const) {
        if (Number.isNaN(want)) {
          expect(got, `${name}(${v})`).toBeNaN();
          continue;
        }
        if (!Number.isFinite(want)) {
          expect(got, `${name}(${v})`).toBe(want);
          continue;
        }
        expect(Math.abs(got - want), `${name}(${v}): wasm ${got}, reference ${want}`).toBeLessThanOrEqual(
          Math.max(3 * 2 ** -23 * Math.max(Math.abs(want), Number.isFinite(scale) ? scale : 0), 1e-12),
        );
      }
    }
  });
});

describe.each(rowBackends)('wasm softmax forward and backward against the cpu kernels (%s)', (_, make) => {
  let wasm: WasmBackend;
  const cpu = new CpuBackend();
  beforeAll(async () => {
    wasm = await make();
  });
  afterAll(() => wasm.dispose());

  it('within 2 float32 ulps of the result (of the row terms for backward), with −∞, NaN and all-−∞ rows', () => {
    const r = rng(3);
    const [n, d] = [301, 131];
    const xd = data(n * d, r, 20);
    xd[5] = -Infinity; // a masked entry
    xd.fill(-Infinity, d, 2 * d); // a fully masked row: NaN everywhere, as in the reference
    xd[2 * d + 7] = NaN; // a NaN poisons its row
    const dyd = data(n * d, r);
    const run = (be: WasmBackend | CpuBackend): [ArrayLike<number>, ArrayLike<number>] => {
      const x = tensor(Float32Array.from(xd), [n, d], { backend: be });
      const dy = tensor(Float32Array.from(dyd), [n, d], { backend: be });
      const y = tensor(new Float32Array(n * d), [n, d], { backend: be });
      const dx = tensor(new Float32Array(n * d), [n, d], { backend: be });
      be.run('softmax', [x], [y], {});
      be.run('softmaxBackward', [y, dy], [dx], {});
      return [y.dataSync(), dx.dataSync()];
    };
    const [yw, dxw] = run(wasm);
    const [yc, dxc] = run(cpu);
    for (let i = 0; i < n * d; i++) {
      if (Number.isNaN(yc[i]!)) {
        expect(yw[i], `softmax[${i}]`).toBeNaN();
        expect(dxw[i], `softmax backward[${i}]`).toBeNaN();
        continue;
      }
      expect(Math.abs(yw[i]! - yc[i]!), `softmax[${i}]: wasm ${yw[i]}, cpu ${yc[i]}`).toBeLessThanOrEqual(2 * 2 ** -23 * Math.abs(yc[i]!) + 1e-30);
      // dx = y (dy − s): its error scales with y·(|dy| + |s|), s = Σ dy·y ≤ max|dy| = 0.5
      expect(Math.abs(dxw[i]! - dxc[i]!), `softmax backward[${i}]`).toBeLessThanOrEqual(2 * 2 ** -23 * Math.abs(yc[i]!) * (Math.abs(dyd[i]!) + 0.5) + 1e-30);
    }
  });
});

/**
 * Runs `check` on a two-thread backend over [3, 16,389] elements — three full row-task chunks of
 * 16,384 and a tail of 15 — once per case, and checks that exactly those 4 chunks per case ran.
 */
async function inFourChunksOnTwoThreads(check: (wasm: WasmBackend, shape: [number, number]) => void, cases: number): Promise<void> {
  const wasm = createWasmBackend({ threads: 2, parallelMinElements: 0, blas: 'off' });
  await untilEveryThreadWorks(wasm);
  const total = (): number => wasm.chunksByThread().reduce((a, b) => a + b, 0);
  const before = total();
  check(wasm, [3, 16_389]);
  expect(total() - before).toBe(4 * cases);
  wasm.dispose();
}

describe('wasm Philox uniform and Bernoulli samples', () => {
  const cpu = new CpuBackend();
  const cases: OpAttrs['random'][] = [
    { dist: 'uniform', seed: 0, offset: 0, low: 0, high: 1 },
    { dist: 'uniform', seed: 2 ** 40 + 12345, offset: 2 ** 32 - 30_000, low: -3, high: 5 },
    { dist: 'bernoulli', seed: 7, offset: 123, p: 0.9 },
    { dist: 'bernoulli', seed: 2 ** 52 + 1, offset: 2 ** 45, p: 0.25 },
  ];
  const same = (wasm: WasmBackend, shape: [number, number]): void => {
    for (const attrs of cases) {
      const n = shape[0] * shape[1];
      const [w, c] = [wasm, cpu].map((b) => tensor(new Float32Array(n), shape, { backend: b }));
      wasm.run('random', [], [w!], attrs);
      cpu.run('random', [], [c!], attrs);
      expect(Array.from(w!.dataSync()), JSON.stringify(attrs)).toEqual(Array.from(c!.dataSync()));
      w!.dispose();
    }
  };

  it('are bit-identical to the cpu kernel, counters past 2^32 and 64-bit seeds included', () => {
    const wasm = new WasmBackend();
    same(wasm, [7, 143]); // 1,001 draws on the calling thread
    wasm.dispose();
  });

  it('split into chunks over two threads, the same bits (a counter-based generator)', async () => {
    await inFourChunksOnTwoThreads((wasm, shape) => same(wasm, shape), cases.length);
  });
});

describe('wasm fused dropout', () => {
  const cpu = new CpuBackend();
  const cases: OpAttrs['dropout'][] = [
    { seed: 7, offset: 123, keep: 0.9, scale: Math.fround(1 / 0.9) },
    { seed: 2 ** 52 + 1, offset: 2 ** 32 - 30_000, keep: 0.25, scale: Math.fround(1 / 0.25) },
  ];
  const bits = (t: Tensor): number[] => Array.from(new Uint32Array((t.dataSync() as Float32Array).slice().buffer));
  const same = (wasm: WasmBackend, shape: [number, number]): void => {
    const n = shape[0] * shape[1];
    const x = data(n, rng(5), 6);
    x[0] = -0;
    x[1] = 0;
    for (const attrs of cases) {
      const [xw, xc] = [wasm, cpu].map((b) => tensor(x, shape, { backend: b }));
      const [yw, yc] = [wasm, cpu].map((b) => tensor(new Float32Array(n), shape, { backend: b }));
      wasm.run('dropout', [xw!], [yw!], attrs);
      cpu.run('dropout', [xc!], [yc!], attrs);
      expect(bits(yw!), JSON.stringify(attrs)).toEqual(bits(yc!));
      // and both are the random op's Bernoulli mask times the scale, times x
      const mask = tensor(new Float32Array(n), shape, { backend: cpu });
      cpu.run('random', [], [mask], { dist: 'bernoulli', seed: attrs.seed, offset: attrs.offset, p: attrs.keep });
      const m = mask.dataSync();
      const expected = Float32Array.from(x, (v, i) => v * (m[i]! * attrs.scale));
      expect(bits(yc!)).toEqual(Array.from(new Uint32Array(expected.buffer)));
      xw!.dispose();
      yw!.dispose();
    }
  };

  it('is bit-identical to the cpu kernel and to x · Bernoulli mask · scale', () => {
    const wasm = new WasmBackend();
    same(wasm, [7, 143]);
    wasm.dispose();
  });

  it('split into chunks over two threads, the same bits', async () => {
    await inFourChunksOnTwoThreads((wasm, shape) => same(wasm, shape), cases.length);
  });
});
