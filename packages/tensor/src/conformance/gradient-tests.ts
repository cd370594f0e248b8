import { describe, expect, it } from 'vitest';
import type { Tensor } from '../tensor.js';
import * as ops from '../ops/all.js';
import { gradCheck } from './gradcheck.js';
import type { SuiteContext } from './suite-context.js';
import { hostRng, randomArray } from './random-data.js';

interface Case {
  title: string;
  f: (...xs: Tensor[]) => Tensor;
  inputs: { shape: number[]; lo?: number; hi?: number; int?: number[]; grad?: boolean }[];
}

const unary = (name: string, f: (x: Tensor) => Tensor, lo = -2, hi = 2): Case => ({ title: name, f, inputs: [{ shape: [3, 4], lo, hi }] });
const binary = (name: string, f: (a: Tensor, b: Tensor) => Tensor, sb: number[] = [4], lo = -2, hi = 2): Case => ({
  title: `${name} (broadcast)`, f, inputs: [{ shape: [3, 4] }, { shape: sb, lo, hi }],
});

/** Every differentiable op of the user-facing API, composed as users would call it. */
const cases: Case[] = [
  binary('add', ops.add), binary('sub', ops.sub), binary('mul', ops.mul), binary('div', ops.div, [3, 1], 0.5, 2),
  { title: 'pow', f: ops.pow, inputs: [{ shape: [3, 4], lo: 0.5, hi: 2 }, { shape: [4], lo: -1.5, hi: 1.5 }] },
  binary('maximum', ops.maximum), binary('minimum', ops.minimum),
  unary('neg', ops.neg), unary('abs', ops.abs), unary('exp', ops.exp), unary('log', ops.log, 0.3, 3),
  unary('sqrt', ops.sqrt, 0.3, 3), unary('rsqrt', ops.rsqrt, 0.3, 3), unary('reciprocal', ops.reciprocal, 0.5, 3),
  unary('square', ops.square), unary('tanh', ops.tanh), unary('erf', ops.erf), unary('sigmoid', ops.sigmoid),
  unary('relu', ops.relu), unary('gelu', ops.gelu, -4, 4), unary('clamp', (x) => ops.clamp(x, -0.5, 0.7)),
  { title: 'where', f: (a, b) => ops.where(ops.gt(a, 0), a, b), inputs: [{ shape: [3, 4] }, { shape: [4] }] },
  unary('sum over axes', (x) => ops.sum(x.reshape([3, 2, 2]), [0, 2])),
  unary('mean keepDim', (x) => ops.mean(x, -1, { keepDim: true })),
  unary('max along axis', (x) => ops.max(x, 1)),
  unary('norm along axis', (x) => ops.norm(x, 0)),
  { title: 'matmul batched with broadcast', f: (a, b) => ops.matmul(a, b), inputs: [{ shape: [2, 3, 4] }, { shape: [4, 5] }] },
  { title: 'matmul with transposes', f: (a, b) => ops.matmul(a, b, { transA: true, transB: true }), inputs: [{ shape: [4, 3] }, { shape: [5, 4] }] },
  { title: 'matmul vector', f: (a, b) => ops.matmul(a, b), inputs: [{ shape: [4] }, { shape: [2, 4, 3] }] },
  unary('softmax last axis', (x) => ops.softmax(x, -1)),
  unary('softmax axis 0', (x) => ops.softmax(x, 0)),
  unary('logSoftmax', (x) => ops.logSoftmax(x, -1)),
  {
    title: 'layerNorm', f: (x, g, b) => ops.layerNorm(x, g, b, 1e-5),
    inputs: [{ shape: [3, 6] }, { shape: [6], lo: 0.5, hi: 1.5 }, { shape: [6] }],
  },
  { title: 'embedding', f: (t, ids) => ops.embedding(t, ids), inputs: [{ shape: [5, 3] }, { shape: [2, 3], int: [4, 0, 4, 1, 2, 4], grad: false }] },
  { title: 'crossEntropy', f: (x, y) => ops.crossEntropy(x, y), inputs: [{ shape: [4, 3] }, { shape: [4], int: [2, 0, -100, 1], grad: false }] },
  { title: 'mse', f: (a, b) => ops.mse(a, b), inputs: [{ shape: [3, 4] }, { shape: [3, 4] }] },
  unary('dropout (fixed seed)', (x) => ops.dropout(x, 0.3, { seed: 5 })),
  { title: 'concat and stack', f: (a, b) => ops.stack([ops.concat([a, b], 1), ops.concat([b, a], 1)], 0), inputs: [{ shape: [3, 2] }, { shape: [3, 2] }] },
  unary('views: slice, transpose, reshape, expand', (x) => x.slice(1, 1, 3).transpose().reshape([6]).unsqueeze(0).expand([2, 6]).mul(x.sum())),
  unary('contiguous of a transposed view', (x) => x.transpose().contiguous().mul(x.transpose())),
];

export function defineGradientTests(ctx: SuiteContext): void {
  describe('gradients (central finite differences)', () => {
    for (const c of cases) {
      // the options are known when tests are collected, so a skip's reason goes into the title
      const reason = ctx.skip(`grad ${c.title}`);
      it(reason ? `${c.title} (skipped: ${reason})` : c.title, async (t) => {
        if (reason) {
          t.skip(reason);
          return;
        }
        const rng = hostRng(c.title.length * 31 + 7);
        const inputs = c.inputs.map((inp) => ({
          shape: inp.shape,
          data: inp.int ?? randomArray(inp.shape.reduce((a, b) => a * b, 1), rng, inp.lo ?? -2, inp.hi ?? 2),
          dtype: inp.int ? ('int32' as const) : undefined,
          grad: inp.grad,
        }));
        const res = await gradCheck(ctx.backend(), c.f, inputs);
        expect(res.ok, `${c.title}: max error ${res.maxAbsError} at ${res.worst}`).toBe(true);
      });
    }
  });
}
