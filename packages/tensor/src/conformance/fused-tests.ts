import { describe, expect, it } from 'vitest';
import type { OpName } from '../backend/contract.js';
import { tensor } from '../ops/creation.js';
import { disableFusedOps } from '../ops/dispatch.js';
import { crossEntropy, dropout, layerNorm, rowNorm, softmax, logSoftmax } from '../ops/nn.js';
import { transpose } from '../ops/views.js';
import { geluBackward } from '../ops/elementwise.js';
import { matmulBiasAct } from '../ops/matmul.js';
import { adamwStep } from '../ops/inplace.js';
import { noGrad } from '../autograd/grad-mode.js';
import { expectClose, readF64 } from './assert.js';
import type { SuiteContext } from './suite-context.js';
import { hostRng, randomArray } from './random-data.js';
import { refGelu, refGeluGrad, refLayerNorm, refLayerNormBackward, refMatmul, refRandom, refSoftmaxRows } from './reference.js';

type Check = (ctx: SuiteContext) => Promise<void>;

const rng = hostRng(777);

/** Each check runs through the Tensor API, so it covers the fused kernel or the composite. */
const checks: { title: string; ops: OpName[]; run: Check }[] = [
  {
    title: 'softmax / logSoftmax forward and backward',
    ops: ['softmax', 'softmaxBackward', 'logSoftmax', 'logSoftmaxBackward'],
    run: async (ctx) => {
      const [n, d] = [6, 37];
      const xd = randomArray(n * d, rng, -6, 6);
      const gd = randomArray(n * d, rng, -1, 1);
      for (const log of [false, true]) {
        const x = tensor(Float32Array.from(xd), [n, d], { backend: ctx.backend() }).requiresGrad_();
        const y = log ? logSoftmax(x) : softmax(x);
        const ref = refSoftmaxRows(xd, n, d, log);
        expectClose(await readF64(y), ref, ctx.tol('float32', 4), log ? 'logSoftmax' : 'softmax');
        y.backward(tensor(Float32Array.from(gd), [n, d], { backend: ctx.backend() }));
        const dx = new Float64Array(n * d);
        for (let r = 0; r < n; r++) {
          let s = 0;
          for (let k = 0; k < d; k++) s += log ? gd[r * d + k]! : gd[r * d + k]! * ref[r * d + k]!;
          for (let k = 0; k < d; k++) {
            const i = r * d + k;
            dx[i] = log ? gd[i]! - Math.exp(ref[i]!) * s : ref[i]! * (gd[i]! - s);
          }
        }
        expectClose(await readF64(x.grad!), dx, ctx.tol('float32', 8), `${log ? 'logSoftmax' : 'softmax'} backward`);
      }
    },
  },
  {
    title: 'softmax cross-entropy with ignored labels, forward and backward',
    ops: ['softmaxCrossEntropy', 'softmaxCrossEntropyBackward'],
    run: async (ctx) => {
      const [n, c] = [7, 5];
      const xd = randomArray(n * c, rng, -4, 4);
      const labels = [0, 4, -100, 2, 2, 1, 3];
      const x = tensor(Float32Array.from(xd), [n, c], { backend: ctx.backend() }).requiresGrad_();
      const lab = tensor(Int32Array.from(labels), [n], { backend: ctx.backend() });
      const loss = crossEntropy(x, lab);
      const logp = refSoftmaxRows(xd, n, c, true);
      const valid = labels.filter((l) => l >= 0).length;
      let total = 0;
      labels.forEach((l, r) => (total += l >= 0 ? -logp[r * c + l]! : 0));
      expectClose(await readF64(loss), [total / valid], ctx.tol('float32', 4), 'crossEntropy');
      loss.backward();
      const dx = new Float64Array(n * c);
      labels.forEach((l, r) => {
        if (l < 0) return;
        for (let k = 0; k < c; k++) dx[r * c + k] = (Math.exp(logp[r * c + k]!) - (k === l ? 1 : 0)) / valid;
      });
      expectClose(await readF64(x.grad!), dx, ctx.tol('float32', 4), 'crossEntropy backward');
    },
  },
  {
    title: 'layerNorm forward and backward',
    ops: ['layerNorm', 'layerNormBackward'],
    run: async (ctx) => {
      const [n, d] = [5, 48];
      const xd = randomArray(n * d, rng, -3, 3);
      const gm = randomArray(d, rng, 0.5, 1.5);
      const bt = randomArray(d, rng, -1, 1);
      const dy = randomArray(n * d, rng, -1, 1);
      const b = ctx.backend();
      const x = tensor(Float32Array.from(xd), [n, d], { backend: b }).requiresGrad_();
      const g = tensor(Float32Array.from(gm), [d], { backend: b }).requiresGrad_();
      const be = tensor(Float32Array.from(bt), [d], { backend: b }).requiresGrad_();
      const y = layerNorm(x, g, be, 1e-5);
      const ref = refLayerNorm(xd, gm, bt, n, d, 1e-5);
      expectClose(await readF64(y), ref.y, ctx.tol('float32', 8), 'layerNorm');
      y.backward(tensor(Float32Array.from(dy), [n, d], { backend: b }));
      const { dx, dg, db } = refLayerNormBackward(xd, gm, ref.mean, ref.rstd, dy, n, d);
      expectClose(await readF64(x.grad!), dx, ctx.tol('float32', 32), 'layerNorm dx');
      expectClose(await readF64(g.grad!), dg, ctx.tol('float32', 16), 'layerNorm dgamma');
      expectClose(await readF64(be.grad!), db, ctx.tol('float32', 16), 'layerNorm dbeta');
    },
  },
  {
    title: 'GELU backward',
    ops: ['geluBackward'],
    run: async (ctx) => {
      const xd = randomArray(300, rng, -5, 5);
      const gd = randomArray(300, rng, -1, 1);
      const b = ctx.backend();
      const dx = geluBackward(tensor(Float32Array.from(xd), [300], { backend: b }), tensor(Float32Array.from(gd), [300], { backend: b }));
      expectClose(await readF64(dx), xd.map((v, i) => gd[i]! * refGeluGrad(v)), ctx.tol('float32', 4), 'geluBackward');
    },
  },
  {
    title: 'DoRA row norm',
    ops: ['rowNorm'],
    run: async (ctx) => {
      const [r, c] = [9, 200];
      const wd = randomArray(r * c, rng, -1, 1);
      const n = rowNorm(tensor(Float32Array.from(wd), [r, c], { backend: ctx.backend() }));
      const ref = Float64Array.from({ length: r }, (_, i) => Math.hypot(...wd.slice(i * c, i * c + c)));
      expectClose(await readF64(n), ref, ctx.tol('float32', 8), 'rowNorm');
    },
  },
  {
    title: 'matmul + bias + activation',
    ops: ['matmulBiasAct'],
    run: async (ctx) => {
      const [M, K, N] = [13, 40, 11];
      const xd = randomArray(M * K, rng, -1, 1);
      const wd = randomArray(K * N, rng, -1, 1);
      const bd = randomArray(N, rng, -1, 1);
      const b = ctx.backend();
      for (const act of ['none', 'relu', 'gelu', 'tanh'] as const) {
        const y = noGrad(() => matmulBiasAct(tensor(Float32Array.from(xd), [M, K], { backend: b }), tensor(Float32Array.from(wd), [K, N], { backend: b }), tensor(Float32Array.from(bd), [N], { backend: b }), act));
        const ref = refMatmul(xd, wd, 1, M, K, N).map((v, i) => {
          const z = v + bd[i % N]!;
          return act === 'relu' ? Math.max(z, 0) : act === 'gelu' ? refGelu(z) : act === 'tanh' ? Math.tanh(z) : z;
        });
        expectClose(await readF64(y), ref, ctx.tol('float32', 4 * Math.sqrt(K)), `matmulBiasAct ${act}`);
      }
    },
  },
  {
    title: 'dropout forward and backward, bit for bit the Philox mask times 1/(1−p)',
    ops: ['dropout'],
    run: async (ctx) => {
      // 300 × 257 elements: more than one chunk of a threaded kernel; read transposed, so the
      // mask follows the logical (row-major) order of a strided input
      const [r, c] = [257, 300];
      const p = 0.1;
      const seed = 2 ** 33 + 5;
      const offset = 977;
      const xd = Float32Array.from(randomArray(r * c, rng, -3, 3));
      xd[0] = -0;
      xd[1] = 0;
      const gd = Float32Array.from(randomArray(r * c, rng, -1, 1));
      const b = ctx.backend();
      const base = tensor(xd, [r, c], { backend: b }).requiresGrad_();
      const x = transpose(base, 0, 1);
      const y = dropout(x, p, { seed, offset });
      const keep = refRandom(r * c, 'bernoulli', seed, offset, 1 - p);
      const scale = Math.fround(1 / (1 - p));
      // the composite's arithmetic: x · fround(mask · scale), rounded once to float32
      const xt = new Float32Array(r * c);
      for (let i = 0; i < c; i++) for (let j = 0; j < r; j++) xt[i * r + j] = xd[j * c + i]!;
      const expected = xt.map((v, i) => v * (keep[i] ? scale : 0));
      const bits = (a: ArrayLike<number>): number[] => Array.from(new Uint32Array(Float32Array.from(a).buffer));
      expect(bits(await readF64(y)), 'dropout forward bits').toEqual(bits(expected));
      y.backward(tensor(gd, [c, r], { backend: b }));
      // d/dx of x · m is m: the gradient is g · m, transposed back to base's layout
      const dx = new Float32Array(r * c);
      for (let i = 0; i < c; i++) for (let j = 0; j < r; j++) dx[j * c + i] = gd[i * r + j]! * (keep[i * r + j] ? scale : 0);
      expect(bits(await readF64(base.grad!)), 'dropout backward bits').toEqual(bits(dx));
    },
  },
  {
    title: 'AdamW step',
    ops: ['adamw'],
    run: async (ctx) => {
      const n = 50;
      const p0 = randomArray(n, rng, -1, 1);
      const g0 = randomArray(n, rng, -1, 1);
      const m0 = randomArray(n, rng, -0.1, 0.1);
      const v0 = randomArray(n, rng, 0, 0.01);
      const b = ctx.backend();
      const [p, g, m, v] = [p0, g0, m0, v0].map((a) => tensor(Float32Array.from(a), [n], { backend: b }));
      const attrs = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, step: 7 };
      adamwStep(p!, g!, m!, v!, attrs);
      const eP = new Float64Array(n);
      const eM = new Float64Array(n);
      const eV = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const pd = p0[i]! * (1 - attrs.lr * attrs.weightDecay);
        eM[i] = 0.9 * m0[i]! + 0.1 * g0[i]!;
        eV[i] = 0.999 * v0[i]! + 0.001 * g0[i]! ** 2;
        const mh = eM[i]! / (1 - 0.9 ** 7);
        const vh = eV[i]! / (1 - 0.999 ** 7);
        eP[i] = pd - (attrs.lr * mh) / (Math.sqrt(vh) + attrs.eps);
      }
      expectClose(await readF64(p!), eP, ctx.tol('float32', 4), 'adamw param');
      expectClose(await readF64(m!), eM, ctx.tol('float32', 4), 'adamw m');
      expectClose(await readF64(v!), eV, ctx.tol('float32', 4), 'adamw v');
    },
  },
];

export function defineFusedTests(ctx: SuiteContext): void {
  describe('tier 1 (fused kernels and composite fallbacks)', () => {
    for (const check of checks) {
      it(`${check.title} — fused kernel (skipped when the backend has none; the composite test below covers the op)`, async (c) => {
        const missing = check.ops.filter((op) => !ctx.backend().supportsOp(op, ['float32']));
        if (missing.length === check.ops.length) {
          c.skip(`backend "${ctx.backend().name}" has no fused ${missing.join(', ')}; the composite test covers it`);
          return;
        }
        await check.run(ctx);
      });
      it(`${check.title} — composite fallback`, async () => {
        const restore = disableFusedOps(ctx.backend());
        try {
          await check.run(ctx);
        } finally {
          restore();
        }
      });
    }
  });
}
