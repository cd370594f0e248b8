import { describe, expect, it } from 'vitest';
import { ARITHMETIC_FNS, COMPARE_FNS, UNARY_FNS, type UnaryFn } from '../backend/contract.js';
import { allocTensor, makeView, type Tensor } from '../tensor.js';
import { tensor } from '../ops/creation.js';
import { broadcastShapes, broadcastStrides, numel } from '../shape.js';
import { expectClose, readF64 } from './assert.js';
import type { SuiteContext } from './suite-context.js';
import { hostRng, randomArray } from './random-data.js';
import { broadcastIndex, refBinary, refMatmul, refRandom, refReduce, refUnary } from './reference.js';
import { viewOf, type ViewKind } from './views.js';

const SHAPES: number[][] = [[], [1], [7], [0], [3, 0, 2], [4, 5], [2, 3, 4], [1, 6, 1, 3]];
const KINDS: ViewKind[] = ['contiguous', 'transposed', 'sliced'];

function out(ctx: SuiteContext, shape: readonly number[], dtype: Tensor['dtype'] = 'float32'): Tensor {
  return allocTensor(ctx.backend(), dtype, shape);
}

/** Inputs in each unary function's comfortable domain. */
function domain(fn: UnaryFn): [number, number] {
  switch (fn) {
    case 'log': case 'sqrt': case 'rsqrt': return [0.1, 4];
    case 'reciprocal': return [0.25, 4];
    case 'exp': return [-5, 5];
    default: return [-4, 4];
  }
}

export function defineContractTests(ctx: SuiteContext): void {
  const rng = hostRng(1234);
  describe('tier 0', () => {
    it('fill writes every element of dense and strided outputs', async () => {
      for (const shape of SHAPES) {
        const o = out(ctx, shape);
        ctx.backend().run('fill', [], [o], { value: 2.5 });
        expectClose(await readF64(o), new Float64Array(numel(shape)).fill(2.5), ctx.tol('float32'), `fill ${shape}`);
        o.dispose();
      }
      // a strided output: fill a transposed view of a zeroed buffer, only the view's region changes
      const base = tensor(new Float32Array(12), [3, 4], { backend: ctx.backend() });
      const region = base.slice(1, 1, 3).transpose();
      ctx.backend().run('fill', [], [region], { value: 1 });
      const got = await readF64(base);
      expect(Array.from(got)).toEqual([0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0]);
      base.dispose();
      region.dispose();
    });

    it('copy gathers from transposed, sliced and broadcast views', async () => {
      for (const shape of SHAPES) {
        for (const kind of KINDS) {
          const data = randomArray(numel(shape), rng);
          const x = viewOf(ctx.backend(), data, shape, 'float32', kind);
          const o = out(ctx, shape);
          ctx.backend().run('copy', [x], [o], {});
          expectClose(await readF64(o), data, ctx.tol('float32'), `copy ${kind} ${shape}`);
          x.dispose();
          o.dispose();
        }
      }
      const src = tensor(Float32Array.from([1, 2, 3]), [3, 1], { backend: ctx.backend() });
      const b = makeView(src, [3, 4], broadcastStrides([3, 1], src.strides, [3, 4], 'copy'), 0);
      const o = out(ctx, [3, 4]);
      ctx.backend().run('copy', [b], [o], {});
      expect(Array.from(await readF64(o))).toEqual([1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3]);
      for (const t of [src, b, o]) t.dispose();
    });

    it('cast converts float32 ↔ int32 (truncating toward zero)', async () => {
      const x = tensor(Float32Array.from([-2.7, -0.5, 0, 0.5, 1.99, 7]), [2, 3], { backend: ctx.backend() });
      const o = out(ctx, [3, 2], 'int32');
      ctx.backend().run('cast', [x.transpose()], [o], {});
      expect(Array.from(await o.data())).toEqual([-2, 0, 0, 1, 0, 7]);
      const back = out(ctx, [3, 2], 'float32');
      ctx.backend().run('cast', [o], [back], {});
      expect(Array.from(await back.data())).toEqual([-2, 0, 0, 1, 0, 7]);
      for (const t of [x, o, back]) t.dispose();
    });

    for (const fn of UNARY_FNS) {
      it(`unary ${fn}`, async () => {
        const [lo, hi] = domain(fn);
        for (const shape of [[], [5], [3, 4], [2, 0]]) {
          for (const kind of KINDS) {
            const data = randomArray(numel(shape), rng, lo, hi);
            const x = viewOf(ctx.backend(), data, shape, 'float32', kind);
            const o = out(ctx, shape);
            ctx.backend().run('unary', [x], [o], { fn });
            expectClose(await readF64(o), data.map(refUnary[fn]), ctx.tol('float32', 4), `${fn} ${kind} ${shape}`);
            x.dispose();
            o.dispose();
          }
        }
      });
    }

    const pairs: [number[], number[]][] = [[[3, 4], [3, 4]], [[3, 1, 4], [1, 5, 4]], [[4], [2, 3, 4]], [[], [2, 2]], [[0, 3], [1, 3]]];
    for (const fn of [...ARITHMETIC_FNS, ...COMPARE_FNS]) {
      it(`binary ${fn} with broadcasting and strided views`, async () => {
        for (const [sa, sb] of pairs) {
          const shape = broadcastShapes(sa, sb, fn);
          const lo = fn === 'pow' ? 0.2 : -3;
          // integer-valued inputs make ties, which comparisons and max/min must handle
          const round = (a: Float64Array): Float64Array => (COMPARE_FNS.includes(fn as never) || fn === 'max' || fn === 'min' ? a.map(Math.round) : a);
          const da = round(randomArray(numel(sa), rng, lo, 3));
          const db = fn === 'div' ? randomArray(numel(sb), rng, 0.5, 3) : fn === 'pow' ? randomArray(numel(sb), rng, -2, 2) : round(randomArray(numel(sb), rng, -3, 3));
          for (const kind of KINDS) {
            const a = viewOf(ctx.backend(), da, sa, 'float32', kind);
            const b = viewOf(ctx.backend(), db, sb, 'float32', kind === 'transposed' ? 'sliced' : 'contiguous');
            const av = makeView(a, shape, broadcastStrides(sa, a.strides, shape, fn), a.offset);
            const bv = makeView(b, shape, broadcastStrides(sb, b.strides, shape, fn), b.offset);
            const o = out(ctx, shape);
            ctx.backend().run('binary', [av, bv], [o], { fn });
            const ia = broadcastIndex(shape, sa);
            const ib = broadcastIndex(shape, sb);
            const expected = Float64Array.from({ length: numel(shape) }, (_, i) => refBinary[fn](da[ia[i]!]!, db[ib[i]!]!));
            expectClose(await readF64(o), expected, ctx.tol('float32', 4), `${fn} ${sa}×${sb} ${kind}`);
            for (const t of [a, b, av, bv, o]) t.dispose();
          }
        }
      });
    }

    it('binary ops on random broadcastable shapes and views (fuzz)', async () => {
      const fz = hostRng(4321);
      for (let trial = 0; trial < 40; trial++) {
        const rank = 1 + Math.floor(fz() * 4);
        const shape = Array.from({ length: rank }, () => Math.floor(fz() * 4)); // includes 0 and 1
        const sa = shape.map((d) => (fz() < 0.3 ? 1 : d));
        const sb = shape.slice(Math.floor(fz() * rank)).map((d) => (fz() < 0.3 ? 1 : d));
        const outShape = broadcastShapes(sa, sb, 'fuzz');
        const fn = (['add', 'sub', 'mul', 'max'] as const)[trial % 4]!;
        const da = randomArray(numel(sa), fz);
        const db = randomArray(numel(sb), fz);
        const a = viewOf(ctx.backend(), da, sa, 'float32', KINDS[trial % 3]!);
        const b = viewOf(ctx.backend(), db, sb, 'float32', KINDS[(trial + 1) % 3]!);
        const av = makeView(a, outShape, broadcastStrides(sa, a.strides, outShape, fn), a.offset);
        const bv = makeView(b, outShape, broadcastStrides(sb, b.strides, outShape, fn), b.offset);
        const o = out(ctx, outShape);
        ctx.backend().run('binary', [av, bv], [o], { fn });
        const ia = broadcastIndex(outShape, sa);
        const ib = broadcastIndex(outShape, sb);
        const expected = Float64Array.from({ length: numel(outShape) }, (_, i) => refBinary[fn](da[ia[i]!]!, db[ib[i]!]!));
        expectClose(await readF64(o), expected, ctx.tol('float32', 4), `${fn} ${sa}×${sb}`);
        for (const t of [a, b, av, bv, o]) t.dispose();
      }
    });

    it('int32 binary ops stay exact', async () => {
      const a = tensor(Int32Array.from([7, -7, 100000, 3]), [4], { backend: ctx.backend() });
      const b = tensor(Int32Array.from([2, 2, 3, -4]), [4], { backend: ctx.backend() });
      const o = out(ctx, [4], 'int32');
      ctx.backend().run('binary', [a, b], [o], { fn: 'add' });
      expect(Array.from(await o.data())).toEqual([9, -5, 100003, -1]);
      ctx.backend().run('binary', [a, b], [o], { fn: 'mul' });
      expect(Array.from(await o.data())).toEqual([14, -14, 300000, -12]);
      for (const t of [a, b, o]) t.dispose();
    });

    it('where selects with a broadcast condition', async () => {
      const cond = tensor(Float32Array.from([1, 0, 1]), [3, 1], { backend: ctx.backend() });
      const da = randomArray(12, rng);
      const db = randomArray(12, rng);
      const a = viewOf(ctx.backend(), da, [3, 4], 'float32', 'transposed');
      const b = viewOf(ctx.backend(), db, [3, 4], 'float32', 'sliced');
      const cv = makeView(cond, [3, 4], broadcastStrides([3, 1], cond.strides, [3, 4], 'where'), 0);
      const o = out(ctx, [3, 4]);
      ctx.backend().run('where', [cv, a, b], [o], {});
      const expected = Float64Array.from({ length: 12 }, (_, i) => ([1, 0, 1][Math.floor(i / 4)] ? da[i]! : db[i]!));
      expectClose(await readF64(o), expected, ctx.tol('float32'), 'where');
      for (const t of [cond, a, b, cv, o]) t.dispose();
    });

    for (const fn of ['sum', 'max', 'argmax'] as const) {
      it(`reduce ${fn} along every axis of strided views`, async () => {
        for (const shape of [[5], [3, 4], [2, 3, 4], [1, 7, 1], [2, 130, 3]]) {
          for (const kind of KINDS) {
            for (let axis = 0; axis < shape.length; axis++) {
              // rounded values create ties: argmax must return the first maximum
              const data = randomArray(numel(shape), rng, -3, 3).map((v) => (fn === 'argmax' ? Math.round(v) : v));
              const x = viewOf(ctx.backend(), data, shape, 'float32', kind);
              const oShape = shape.map((d, i) => (i === axis ? 1 : d));
              const o = out(ctx, oShape, fn === 'argmax' ? 'int32' : 'float32');
              ctx.backend().run('reduce', [x], [o], { fn, axis });
              const scale = fn === 'sum' ? Math.sqrt(shape[axis]!) * 4 : 1;
              expectClose(await readF64(o), refReduce(data, shape, axis, fn), ctx.tol('float32', scale), `${fn} ${kind} ${shape} axis ${axis}`);
              x.dispose();
              o.dispose();
            }
          }
        }
      });
    }

    it('reduce sum of an empty axis is 0', async () => {
      const x = tensor(new Float32Array(0), [3, 0], { backend: ctx.backend() });
      const o = out(ctx, [3, 1]);
      ctx.backend().run('reduce', [x], [o], { fn: 'sum', axis: 1 });
      expect(Array.from(await o.data())).toEqual([0, 0, 0]);
      x.dispose();
      o.dispose();
    });

    const mm: [number, number, number, number][] = [[1, 1, 1, 1], [1, 5, 7, 3], [3, 17, 33, 9], [2, 64, 70, 65], [1, 0, 3, 4], [1, 3, 0, 4], [2, 1, 128, 1]];
    it('matmul: all layouts, batch broadcast, alpha/beta, empty dims', async () => {
      for (const [B, M, K, N] of mm) {
        for (const la of ['row', 'col'] as const) {
          for (const lb of ['row', 'col'] as const) {
            const da = randomArray(B * M * K, rng, -1, 1);
            const db = randomArray(K * N, rng, -1, 1);
            const a = viewOf(ctx.backend(), da, [B, M, K], 'float32', la === 'row' ? 'contiguous' : 'transposed');
            // b shared by every batch entry through a stride-0 batch dim
            const b2 = viewOf(ctx.backend(), db, [K, N], 'float32', lb === 'row' ? 'contiguous' : 'transposed');
            const b = makeView(b2, [B, K, N], [0, b2.strides[0]!, b2.strides[1]!], b2.offset);
            const c0 = randomArray(B * M * N, rng, -1, 1);
            const o = tensor(Float32Array.from(c0), [B, M, N], { backend: ctx.backend() });
            ctx.backend().run('matmul', [a, b], [o], { alpha: 0.5, beta: 2 });
            const bFull = new Float64Array(B * K * N);
            for (let i = 0; i < B; i++) bFull.set(db, i * K * N);
            const expected = refMatmul(da, bFull, B, M, K, N, 0.5, 2, c0);
            expectClose(await readF64(o), expected, ctx.tol('float32', 4 * Math.sqrt(K + 1)), `matmul B${B} M${M} K${K} N${N} ${la}/${lb}`);
            for (const t of [a, b2, b, o]) t.dispose();
          }
        }
      }
    });

    it('matmul with beta = 0 ignores NaN in the output buffer', async () => {
      const a = tensor(Float32Array.from([1, 2, 3, 4]), [1, 2, 2], { backend: ctx.backend() });
      const o = tensor(Float32Array.from([NaN, NaN, NaN, NaN]), [1, 2, 2], { backend: ctx.backend() });
      ctx.backend().run('matmul', [a, a], [o], { alpha: 1, beta: 0 });
      expect(Array.from(await o.data())).toEqual([7, 10, 15, 22]);
      a.dispose();
      o.dispose();
    });

    it('gatherRows and scatterAddRows (repeated indices accumulate)', async () => {
      const table = randomArray(6 * 4, rng);
      const t = tensor(Float32Array.from(table), [6, 4], { backend: ctx.backend() });
      const idx = tensor(Int32Array.from([5, 0, 5, 2]), [4], { backend: ctx.backend() });
      const g = out(ctx, [4, 4]);
      ctx.backend().run('gatherRows', [t, idx], [g], {});
      const expected = Float64Array.from([5, 0, 5, 2].flatMap((r) => Array.from(table.slice(r * 4, r * 4 + 4))));
      expectClose(await readF64(g), expected, ctx.tol('float32'), 'gatherRows');
      const acc = tensor(new Float32Array(24), [6, 4], { backend: ctx.backend() });
      ctx.backend().run('scatterAddRows', [g, idx], [acc], {});
      const exp2 = new Float64Array(24);
      [5, 0, 5, 2].forEach((r, i) => {
        for (let d = 0; d < 4; d++) exp2[r * 4 + d]! += expected[i * 4 + d]!;
      });
      expectClose(await readF64(acc), exp2, ctx.tol('float32'), 'scatterAddRows');
      for (const x of [t, idx, g, acc]) x.dispose();
    });

    it('random: uniform and bernoulli are bit-identical to the Philox spec, normal within float32', async () => {
      const n = 1000;
      for (const [dist, p] of [['uniform', 0], ['bernoulli', 0.9], ['normal', 0]] as const) {
        const o = out(ctx, [10, 100]);
        const seed = 2 ** 33 + 17;
        ctx.backend().run('random', [], [o], { dist, seed, offset: 12345, p, low: 0, high: 1, mean: 0, std: 1 });
        const got = await readF64(o);
        const ref = refRandom(n, dist, seed, 12345, p);
        if (dist === 'normal') expectClose(got, ref, { rtol: 1e-5, atol: 1e-5 }, 'normal');
        else expect(Array.from(got)).toEqual(Array.from(ref.map(Math.fround)));
        o.dispose();
      }
    });

    it('float64 ops keep double precision (skipped where capabilities.float64 is false: no float64 storage)', async (c) => {
      if (!ctx.backend().capabilities.float64) {
        c.skip(`backend "${ctx.backend().name}" has capabilities.float64 = false`);
        return;
      }
      const x = tensor(Float64Array.from([1 + 1e-12, 2]), [2], { backend: ctx.backend() });
      const o = allocTensor(ctx.backend(), 'float64', [2]);
      ctx.backend().run('binary', [x, x], [o], { fn: 'sub' });
      ctx.backend().run('unary', [x], [o], { fn: 'log' });
      expectClose(await readF64(o), [Math.log(1 + 1e-12), Math.log(2)], ctx.tol('float64'), 'float64 log');
      x.dispose();
      o.dispose();
    });

    it('memory counters return to their start after alloc/free', () => {
      const b = ctx.backend();
      const before = b.memory();
      const bufs = [b.alloc(16), b.alloc(4096), b.alloc(0)];
      expect(b.memory().buffers).toBe(before.buffers + 3);
      for (const x of bufs) b.free(x);
      expect(b.memory().buffers).toBe(before.buffers);
      expect(b.memory().bytes).toBe(before.bytes);
    });

  });
}
