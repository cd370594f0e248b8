import { describe, expect, it } from 'vitest';
import { tensor } from '@edora/tensor';
import { AdaptedLinear, Linear, type AdapterMethod } from '../src/index.js';
import { adaptedWeight, mat, maxRelErr, noise, rowNorms, type RefParams } from './reference.js';

// PEFT's DoRA scale `mag_norm_scale = magnitude / weight_norm`, per output row, against float64.
describe.each(['dora', 'edora', 'lora', 'lora-xs'] as AdapterMethod[])('%s: magNormScale', (method) => {
  const out = 12;
  const inF = 10;
  const r = 3;
  const alpha = 8;
  const hasR = method === 'edora' || method === 'lora-xs';
  const hasM = method === 'dora' || method === 'edora';
  const data = { W: noise(out * inF, 1), b: noise(out, 2), A: noise(r * inF, 3), B: noise(out * r, 4), R: noise(r * r, 5), m: noise(out, 6).map((v) => 1.5 + v) };

  const layer = (): AdaptedLinear => {
    const base = new Linear(inF, out, { seed: 1 });
    base.loadStateDict({ weight: tensor(Float32Array.from(data.W), [out, inF]), bias: tensor(Float32Array.from(data.b), [out]) });
    return new AdaptedLinear(base, {
      A: tensor(Float32Array.from(data.A), [r, inF]),
      B: tensor(Float32Array.from(data.B), [out, r]),
      ...(hasR ? { R: tensor(Float32Array.from(data.R), [r, r]) } : {}),
      ...(hasM ? { m: tensor(Float32Array.from(data.m), [out]) } : {}),
    }, { method, r, alpha });
  };
  // float32 inputs rounded once, then everything in float64
  const f32 = (v: Float64Array) => Float64Array.from(Float32Array.from(v));
  const ref: RefParams = {
    W: mat(out, inF, f32(data.W)), b: f32(data.b), A: mat(r, inF, f32(data.A)), B: mat(out, r, f32(data.B)),
    R: hasR ? mat(r, r, f32(data.R)) : null, m: hasM ? f32(data.m) : null, s: alpha / r,
  };

  it(hasM ? 'is m / ‖W + s·B(R)A‖_row, without a gradient, and the same merged' : 'is null (no magnitude vector)', () => {
    const l = layer();
    const g = l.magNormScale();
    if (!hasM) {
      expect(g).toBeNull();
      return;
    }
    const norms = rowNorms(adaptedWeight(ref));
    const expected = ref.m!.map((m, i) => m / norms[i]!);
    expect(g!.shape).toEqual([out]);
    expect(g!.requiresGrad).toBe(false);
    expect(maxRelErr(g!.dataSync(), expected)).toBeLessThan(1e-6);
    l.merge();
    expect(maxRelErr(l.magNormScale()!.dataSync(), expected)).toBeLessThan(1e-6);
    l.unmerge();
    expect(maxRelErr(l.magNormScale()!.dataSync(), expected)).toBeLessThan(1e-6);
  });

  it('is the factor the forward applies: y = g ⊙ x(W + ΔW)ᵀ + b', () => {
    const l = layer();
    const x = f32(noise(4 * inF, 7));
    const y = l.forward(tensor(Float32Array.from(x), [4, inF])).dataSync();
    const g = l.magNormScale()?.dataSync();
    const xw = adaptedWeight(ref);
    const expected = new Float64Array(4 * out);
    for (let i = 0; i < 4; i++) {
      for (let o = 0; o < out; o++) {
        let s = 0;
        for (let k = 0; k < inF; k++) s += x[i * inF + k]! * xw.data[o * inF + k]!;
        expected[i * out + o] = (g ? g[o]! : 1) * s + ref.b![o]!;
      }
    }
    expect(maxRelErr(y, expected)).toBeLessThan(1e-5);
  });
});

describe('magNormScales', () => {
  it('lists the scale of every DoRA layer by path, each its layer\'s magNormScale; none for LoRA', async () => {
    const { applyAdapters, magNormScales } = await import('../src/index.js');
    const { TinyEncoder } = await import('./tiny-encoder.js');
    const model = new TinyEncoder(8);
    await applyAdapters(model, { method: 'dora', r: 2, targetModules: ['query', 'value'], seed: 1 });
    const scales = magNormScales(model);
    expect([...scales.keys()]).toEqual([0, 1].flatMap((i) => ['query', 'value'].map((n) => `roberta.encoder.layer.${i}.attention.self.${n}`)));
    for (const [path, g] of scales) {
      const layer = model.getSubmodule(path) as AdaptedLinear;
      expect([...g.dataSync()]).toEqual([...layer.magNormScale()!.dataSync()]);
      // DoRA starts with B = 0 and m = ‖W‖, so the scale starts at 1 (PEFT's dora_init)
      expect(maxRelErr(g.dataSync(), new Float64Array(8).fill(1))).toBeLessThan(1e-6);
    }
    const lora = new TinyEncoder(8);
    await applyAdapters(lora, { method: 'lora', r: 2, targetModules: ['query'], seed: 1 });
    expect(magNormScales(lora).size).toBe(0);
  });
});
