import { describe, expect, it } from 'vitest';
import { tensor, type Tensor } from '@edora/tensor';
import { AdamW, TrainOptionError, clipGradNorm, linearWarmupDecay, totalOptimizerSteps, warmupStepsFor } from '../src/index.js';

/** torch.optim.AdamW's update written out in float64, one parameter, as PyTorch's _single_tensor_adamw does. */
function referenceAdamW(p0: number[], grads: number[][], lrs: number[], wd: number, b1 = 0.9, b2 = 0.999, eps = 1e-8): number[] {
  const p = [...p0];
  const m = p.map(() => 0);
  const v = p.map(() => 0);
  grads.forEach((g, k) => {
    const step = k + 1;
    const lr = lrs[k]!;
    for (let i = 0; i < p.length; i++) {
      p[i]! *= 1 - lr * wd;
      m[i] = b1 * m[i]! + (1 - b1) * g[i]!;
      v[i] = b2 * v[i]! + (1 - b2) * g[i]! * g[i]!;
      const denom = Math.sqrt(v[i]!) / Math.sqrt(1 - b2 ** step) + eps;
      p[i]! -= (lr / (1 - b1 ** step)) * (m[i]! / denom);
    }
  });
  return p;
}

function f64(values: number[]): Tensor {
  return tensor(Float64Array.from(values), [values.length]);
}

describe('AdamW', () => {
  it('matches a float64 recomputation of PyTorch AdamW over several steps, per group lr and decay', async () => {
    const a0 = [0.5, -1.25, 2, 0.001];
    const h0 = [3, -0.2];
    const a = f64(a0);
    const h = f64(h0);
    a.requiresGrad = true;
    h.requiresGrad = true;
    const opt = new AdamW([
      { name: 'adapter', params: [{ name: 'a', tensor: a }], lr: 1e-2 },
      { name: 'head', params: [{ name: 'h', tensor: h }], lr: 5e-3, weightDecay: 0.1 },
    ]);
    const gradsA = [[0.1, -0.2, 0.3, 1e-4], [1, 2, -3, 0], [-0.5, 0.25, 0.125, 7]];
    const gradsH = [[2, -1], [0.01, 0.02], [-3, 4]];
    const scales = [0.25, 1, 0.5];
    for (let k = 0; k < 3; k++) {
      a.grad = f64(gradsA[k]!);
      h.grad = f64(gradsH[k]!);
      opt.step(scales[k]!);
      opt.zeroGrad();
      expect(a.grad).toBeNull();
    }
    const wantA = referenceAdamW(a0, gradsA, scales.map((s) => 1e-2 * s), 0.01);
    const wantH = referenceAdamW(h0, gradsH, scales.map((s) => 5e-3 * s), 0.1);
    const gotA = Array.from(await a.data());
    const gotH = Array.from(await h.data());
    gotA.forEach((x, i) => expect(x).toBeCloseTo(wantA[i]!, 12));
    gotH.forEach((x, i) => expect(x).toBeCloseTo(wantH[i]!, 12));
    expect(opt.meta().steps).toEqual({ a: 3, h: 3 });
    opt.dispose();
  });

  it('skips a parameter without a gradient and does not advance its step', async () => {
    const a = f64([1, 2]);
    const b = f64([3]);
    const opt = new AdamW([{ name: 'g', params: [{ name: 'a', tensor: a }, { name: 'b', tensor: b }], lr: 0.1 }]);
    a.grad = f64([1, 1]);
    opt.step();
    expect(Array.from(await b.data())).toEqual([3]);
    expect(opt.meta().steps).toEqual({ a: 1, b: 0 });
    opt.dispose();
  });

  it('rejects bad options and a parameter listed twice, naming what it found', () => {
    const a = f64([1]);
    expect(() => new AdamW([{ name: 'g', params: [{ name: 'a', tensor: a }], lr: -1 }])).toThrow(/lr of group "g".*found -1/);
    expect(() => new AdamW([{ name: 'g', params: [{ name: 'a', tensor: a }], lr: 1 }], { betas: [1, 0.9] })).toThrow(TrainOptionError);
    expect(() => new AdamW([
      { name: 'x', params: [{ name: 'a', tensor: a }], lr: 1 },
      { name: 'y', params: [{ name: 'a2', tensor: a }], lr: 1 },
    ])).toThrow(/same tensor/);
  });
});

describe('linear warmup and decay (HF get_linear_schedule_with_warmup)', () => {
  it('gives the hand-computed factors', () => {
    // T = 100, warmup = int(0.06 · 100) = 6
    expect(warmupStepsFor(100)).toBe(6);
    expect(warmupStepsFor(49)).toBe(2); // 2.94 → 2
    const f = (s: number): number => linearWarmupDecay(s, 6, 100);
    expect(f(0)).toBe(0);
    expect(f(3)).toBe(0.5);
    expect(f(6)).toBe(1);
    expect(f(53)).toBe(0.5);
    expect(f(100)).toBe(0);
    expect(f(120)).toBe(0);
    // no warmup: the first step uses the full lr
    expect(linearWarmupDecay(0, 0, 10)).toBe(1);
    expect(linearWarmupDecay(5, 0, 10)).toBe(0.5);
  });

  it('counts optimizer steps as epochs · ceil(ceil(N/batch)/accumulation)', () => {
    expect(totalOptimizerSteps(2490, 32, 50)).toBe(50 * 78);
    expect(totalOptimizerSteps(100, 32, 2, 3)).toBe(4); // 4 batches → 2 steps per epoch
  });
});

describe('clipGradNorm (torch.nn.utils.clip_grad_norm_)', () => {
  it('returns the total L2 norm and scales by max/(norm+1e-6) only above the limit', async () => {
    const x = f64([0, 0, 0]);
    const y = f64([0, 0]);
    const gx = [3, -4, 12];
    const gy = [84, 0.5];
    x.grad = f64(gx);
    y.grad = f64(gy);
    const norm = await clipGradNorm([x, y], 1.0);
    const want = Math.sqrt([...gx, ...gy].reduce((s, g) => s + g * g, 0));
    expect(norm).toBeCloseTo(want, 10);
    const coef = 1 / (want + 1e-6);
    expect(Array.from(await x.grad!.data())).toEqual(gx.map((g) => expect.closeTo(g * coef, 12)));
    expect(Array.from(await y.grad!.data())).toEqual(gy.map((g) => expect.closeTo(g * coef, 12)));

    y.grad = f64([0.3, 0.4]);
    x.grad = null;
    expect(await clipGradNorm([x, y], 1.0)).toBeCloseTo(0.5, 12);
    expect(Array.from(await y.grad.data())).toEqual([0.3, 0.4]);
  });
});
