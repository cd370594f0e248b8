import { describe, expect, it } from 'vitest';
import { randn, type Tensor } from '@edora/tensor';
import { topLeftSingularVectors } from '@edora/linalg';
import {
  AdaptedLinear, AdapterConfigError, EDORA_SVD_DEFAULTS, LayerNorm, Linear, Module, ModuleList, adapterConfigOf, applyAdapters, matchesTarget,
} from '../src/index.js';
import { mat, maxRelErr, mm, tr } from './reference.js';

class Attn extends Module {
  query = this.registerModule('query', new Linear(16, 16, { seed: 1 }));
  value = this.registerModule('value', new Linear(16, 16, { seed: 2 }));
  forward(x: Tensor): Tensor {
    return this.value.forward(this.query.forward(x));
  }
}
class Out extends Module {
  dense = this.registerModule('dense', new Linear(16, 16, { seed: 3 }));
  LayerNorm = this.registerModule('LayerNorm', new LayerNorm(16));
  forward(x: Tensor): Tensor {
    return this.LayerNorm.forward(this.dense.forward(x));
  }
}
class Layer extends Module {
  self = this.registerModule('self', new Attn());
  output = this.registerModule('output', new Out());
  forward(x: Tensor): Tensor {
    return this.output.forward(this.self.forward(x));
  }
}
class Tiny extends Module {
  layer = this.registerModule('layer', new ModuleList([new Layer(), new Layer()]));
  classifier = this.registerModule('classifier', new Linear(16, 3, { seed: 9 }));
  forward(x: Tensor): Tensor {
    let h = x;
    for (const l of this.layer) h = l.forward(h);
    return this.classifier.forward(h);
  }
}

describe('target matching (PEFT rules)', () => {
  it('matches whole dotted suffixes, or a full-path regular expression', () => {
    expect(matchesTarget('roberta.encoder.layer.0.attention.output.dense', ['output.dense'])).toBe(true);
    expect(matchesTarget('roberta.encoder.layer.0.output.dense', ['attention.output.dense'])).toBe(false);
    expect(matchesTarget('a.subquery', ['query'])).toBe(false);
    expect(matchesTarget('query', ['query'])).toBe(true);
    expect(matchesTarget('layer.1.self.query', '.*\\.(query|value)')).toBe(true);
    expect(matchesTarget('layer.1.self.query_x', '.*\\.(query|value)')).toBe(false);
  });
});

describe('applyAdapters', () => {
  it('adapts every match once, freezes the rest, keeps modulesToSave trainable and reports shapes', async () => {
    const model = new Tiny();
    const report = await applyAdapters(model, { method: 'lora', r: 2, alpha: 4, targetModules: ['query', 'dense', 'output.dense'], modulesToSave: ['classifier'], seed: 7 });
    expect(report.modules.map((m) => m.path)).toEqual(['layer.0.self.query', 'layer.0.output.dense', 'layer.1.self.query', 'layer.1.output.dense']);
    expect(report.modules[0]).toEqual({ path: 'layer.0.self.query', inFeatures: 16, outFeatures: 16, trainable: 64 });
    const trainable = model.namedParameters().filter(([, p]) => p.requiresGrad).map(([k]) => k);
    expect(trainable).toEqual([
      'layer.0.self.query.lora_A', 'layer.0.self.query.lora_B', 'layer.0.output.dense.lora_A', 'layer.0.output.dense.lora_B',
      'layer.1.self.query.lora_A', 'layer.1.self.query.lora_B', 'layer.1.output.dense.lora_A', 'layer.1.output.dense.lora_B',
      'classifier.weight', 'classifier.bias',
    ]);
    expect(report.trainable).toBe(4 * 64 + 16 * 3 + 3);
    expect(report.total).toBe(report.trainable + report.frozen);
    expect((model.layer.get(0) as Layer).self.query).toBeInstanceOf(AdaptedLinear);
    expect(model.getParameter('layer.0.self.query.base_layer.weight').requiresGrad).toBe(false);
    expect(adapterConfigOf(model)?.method).toBe('lora');
    await expect(applyAdapters(model, { method: 'lora', r: 2, targetModules: ['query'] })).rejects.toThrow(/already has adapters/);
  });

  it('LoRA/DoRA start as the identity (B = 0, m = ‖W‖) and a seed fixes the factors', async () => {
    for (const method of ['lora', 'dora'] as const) {
      const plain = new Tiny();
      const x = randn([3, 16], { seed: 5 });
      const y0 = plain.forward(x).dataSync();
      await applyAdapters(plain, { method, r: 4, targetModules: ['query', 'value'], seed: 3 });
      expect(maxRelErr(plain.forward(x).dataSync(), y0)).toBeLessThan(1e-6);
      const A = plain.getParameter('layer.1.self.value.lora_A').dataSync();
      expect(Math.max(...A.map(Math.abs))).toBeLessThanOrEqual(1 / Math.sqrt(16));
      const again = new Tiny();
      await applyAdapters(again, { method, r: 4, targetModules: ['query', 'value'], seed: 3 });
      expect(again.getParameter('layer.1.self.value.lora_A').dataSync()).toEqual(A);
      // modules draw from consecutive parts of the stream, not the same numbers
      expect(again.getParameter('layer.0.self.value.lora_A').dataSync()).not.toEqual(A);
    }
  });

  it('EDoRA svd init: B has orthonormal columns spanning the top-r subspace, A = BᵀW, m = ‖W‖, R ~ N(0, σ²)', async () => {
    const out = 16;
    const inF = 16;
    const model = new Tiny();
    const W = model.getParameter('layer.0.self.query.weight');
    const Wh = mat(out, inF, W.dataSync());
    await applyAdapters(model, { method: 'edora', r: 4, alpha: 16, targetModules: ['query'], sigma: 1e-5, seed: 2 });
    const q = model.getSubmodule('layer.0.self.query') as AdaptedLinear;
    const B = mat(out, 4, q.loraB.dataSync());
    const A = mat(4, inF, q.loraA.dataSync());
    const BtB = mm(tr(B), B);
    for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) expect(BtB.data[i * 4 + j]).toBeCloseTo(i === j ? 1 : 0, 5);
    expect(maxRelErr(A.data, mm(tr(B), Wh).data)).toBeLessThan(1e-5);
    // BBᵀW is the best rank-4 approximation: its error equals the tail of the spectrum, computed
    // independently from the eigenvalues of WᵀW by power iteration with deflation on the host
    const resid = axpyNorm(Wh, mm(B, A));
    const tail = tailEnergy(Wh, 4);
    expect(resid * resid).toBeCloseTo(tail, 3);
    expect(maxRelErr(q.magnitude!.dataSync(), rowNormsOf(Wh))).toBeLessThan(1e-6);
    const Rv = q.latent!.dataSync() as Float32Array;
    const sd = Math.sqrt(Rv.reduce((s, v) => s + v * v, 0) / Rv.length);
    expect(sd).toBeGreaterThan(3e-6);
    expect(sd).toBeLessThan(2e-5);
    expect(q.loraA.requiresGrad || q.loraB.requiresGrad).toBe(false);
  });

  it("EDoRA svd init runs the reference's SVD settings (EDORA_SVD_DEFAULTS); `svd` overrides single fields", async () => {
    // scikit-learn TruncatedSVD(n_iter=10, random_state=42), as the authors ran it
    const reference = { oversamples: 10, powerIters: 10, normalizer: 'lu', seed: 42 } as const;
    expect(EDORA_SVD_DEFAULTS).toEqual(reference);
    const B = async (svd?: { powerIters: number }): Promise<{ got: Float32Array; want: Float32Array }> => {
      const model = new Tiny();
      const want = await topLeftSingularVectors(model.getParameter('layer.1.self.value.weight'), 4, { ...reference, ...svd });
      await applyAdapters(model, { method: 'edora', r: 4, targetModules: ['value'], seed: 2, ...(svd ? { svd } : {}) });
      const got = (model.getSubmodule('layer.1.self.value') as AdaptedLinear).loraB;
      return { got: got.dataSync() as Float32Array, want: want.dataSync() as Float32Array };
    };
    const byDefault = await B();
    expect(byDefault.got).toEqual(byDefault.want);
    const fewer = await B({ powerIters: 1 });
    expect(fewer.got).toEqual(fewer.want);
    expect(fewer.got).not.toEqual(byDefault.got);
  });

  it('EDoRA random init (the released script): A ~ U(±1/√r), B ~ U(±1/√out)', async () => {
    const model = new Tiny();
    await applyAdapters(model, { method: 'edora', r: 4, targetModules: ['value'], init: 'random', seed: 4 });
    const q = model.getSubmodule('layer.1.self.value') as AdaptedLinear;
    const a = q.loraA.dataSync();
    const b = q.loraB.dataSync();
    expect(Math.max(...a.map(Math.abs))).toBeLessThanOrEqual(0.5);
    expect(Math.max(...a.map(Math.abs))).toBeGreaterThan(0.4);
    expect(Math.max(...b.map(Math.abs))).toBeLessThanOrEqual(0.25);
  });

  it('says what is wrong: no match lists the Linear paths, bad options list the valid choices', async () => {
    await expect(applyAdapters(new Tiny(), { method: 'lora', r: 2, targetModules: ['q_proj'] })).rejects.toThrow(
      /no module matches targetModules \["q_proj"\]; Linear modules are: layer\.0\.self\.query, layer\.0\.self\.value, layer\.0\.output\.dense/,
    );
    await expect(applyAdapters(new Tiny(), { method: 'lora', r: 2, targetModules: ['LayerNorm'] })).rejects.toThrow(/layer\.0\.output\.LayerNorm \(LayerNorm\)/);
    await expect(applyAdapters(new Tiny(), { method: 'vera' as never, r: 2, targetModules: ['query'] })).rejects.toThrow(/one of lora, dora, edora, lora-xs; got "vera"/);
    await expect(applyAdapters(new Tiny(), { method: 'edora', r: 2, targetModules: ['query'], init: 'kaiming' })).rejects.toThrow(/init for edora must be one of svd, random/);
    await expect(applyAdapters(new Tiny(), { method: 'lora', r: 0, targetModules: ['query'] })).rejects.toThrow(AdapterConfigError);
    await expect(applyAdapters(new Tiny(), { method: 'lora', r: 2, targetModules: ['query'], modulesToSave: ['head'] })).rejects.toThrow(/"head" matches no module; top-level modules are: layer, classifier/);
  });

  it('adapter dropout: the base term sees x, the W-term and low-rank term the dropped x (DoRA)', async () => {
    const { manualSeed, dropout } = await import('@edora/tensor');
    const model = new Tiny();
    await applyAdapters(model, { method: 'dora', r: 2, targetModules: ['query'], dropout: 0.3 });
    const q = model.getSubmodule('layer.0.self.query') as AdaptedLinear;
    model.loadStateDict({ ...model.stateDict(), 'layer.0.self.query.lora_B': randn([16, 2], { seed: 8 }), 'layer.0.self.query.lora_magnitude_vector': randn([16], { seed: 9 }).add(3) });
    const x = randn([4, 16], { seed: 10 });
    manualSeed(123);
    const y = q.forward(x).dataSync();
    manualSeed(123);
    const xd = dropout(x, 0.3, { training: true });
    const W = mat(16, 16, q.base.weight.dataSync());
    const Wf = mat(16, 16, W.data.map((v, i) => v + q.deltaWeight().dataSync()[i]!));
    const n = rowNormsOf(Wf);
    const m = q.magnitude!.dataSync();
    const b = q.base.bias!.dataSync();
    const xw = mm(mat(4, 16, x.dataSync()), tr(W));
    const xdw = mm(mat(4, 16, xd.dataSync()), tr(W));
    const xdf = mm(mat(4, 16, xd.dataSync()), tr(Wf));
    const ref = xw.data.map((v, k) => {
      const o = k % 16;
      const g = m[o]! / n[o]!;
      return v + b[o]! + (g - 1) * xdw.data[k]! + g * (xdf.data[k]! - xdw.data[k]!);
    });
    expect(maxRelErr(y, ref)).toBeLessThan(1e-5);
    q.eval();
    const yEval = q.forward(x).dataSync();
    const refEval = mm(mat(4, 16, x.dataSync()), tr(Wf)).data.map((v, k) => (m[k % 16]! / n[k % 16]!) * v + b[k % 16]!);
    expect(maxRelErr(yEval, refEval)).toBeLessThan(1e-5);
  });
});

function rowNormsOf(a: { data: Float64Array; rows: number; cols: number }): number[] {
  return Array.from({ length: a.rows }, (_, i) => Math.hypot(...a.data.slice(i * a.cols, (i + 1) * a.cols)));
}

function axpyNorm(a: { data: Float64Array }, b: { data: Float64Array }): number {
  return Math.sqrt(a.data.reduce((s, v, i) => s + (v - b.data[i]!) ** 2, 0));
}

/** Σ of the eigenvalues of WᵀW beyond the top k (= ‖W − W_k‖²_F), by power iteration with deflation. */
function tailEnergy(W: { data: Float64Array; rows: number; cols: number }, k: number): number {
  let M = mm(tr(W), W);
  const n = M.rows;
  let total = 0;
  for (let i = 0; i < n; i++) total += M.data[i * n + i]!;
  let top = 0;
  for (let e = 0; e < k; e++) {
    let v = new Float64Array(n).fill(1).map((_, i) => Math.cos(i + e));
    let lambda = 0;
    for (let it = 0; it < 5000; it++) {
      const w = mm(M, mat(n, 1, v)).data;
      const norm = Math.hypot(...w);
      lambda = norm;
      v = w.map((x) => x / norm);
    }
    top += lambda;
    const vv = mm(mat(n, 1, v), mat(1, n, v));
    M = mat(n, n, M.data.map((x, i) => x - lambda * vv.data[i]!));
  }
  return total - top;
}

