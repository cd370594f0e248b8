import { describe, expect, it } from 'vitest';
import { tensor, zeros, type Tensor } from '@edora/tensor';
import { Dropout, Embedding, LayerNorm, Linear, Module, ModuleList, ModulePathError, StateDictError } from '../src/index.js';

class Block extends Module {
  query: Linear;
  norm: LayerNorm;
  constructor(seed: number) {
    super();
    this.query = this.registerModule('query', new Linear(4, 3, { seed }));
    this.norm = this.registerModule('norm', new LayerNorm(3));
  }
  forward(x: Tensor): Tensor {
    return this.norm.forward(this.query.forward(x));
  }
}

class Net extends Module {
  layer = this.registerModule('layer', new ModuleList([new Block(1), new Block(2)]));
  drop = this.registerModule('drop', new Dropout(0.1));
  forward(x: Tensor): Tensor {
    let h = x;
    for (const b of this.layer) h = b.forward(h);
    return h;
  }
}

describe('Module', () => {
  it('names parameters and modules by dotted path in registration order', () => {
    const net = new Net();
    expect(net.namedParameters().map(([k]) => k)).toEqual([
      'layer.0.query.weight', 'layer.0.query.bias', 'layer.0.norm.weight', 'layer.0.norm.bias',
      'layer.1.query.weight', 'layer.1.query.bias', 'layer.1.norm.weight', 'layer.1.norm.bias',
    ]);
    expect(net.namedModules().map(([k]) => k)).toEqual(['', 'layer', 'layer.0', 'layer.0.query', 'layer.0.norm', 'layer.1', 'layer.1.query', 'layer.1.norm', 'drop']);
    expect(net.getSubmodule('layer.1.query')).toBeInstanceOf(Linear);
    expect(net.getParameter('layer.1.norm.bias').shape).toEqual([3]);
  });

  it('reports unknown paths with the children that exist', () => {
    const net = new Net();
    expect(() => net.getSubmodule('layer.0.key')).toThrow(/layer\.0 has no child "key"; its children are: query, norm/);
    expect(() => net.getSubmodule('layer.7')).toThrow(ModulePathError);
  });

  it('setSubmodule replaces the child and the field that held it', () => {
    const net = new Net();
    const block = net.layer.get(0) as Block;
    const replacement = new Linear(4, 3, { seed: 9 });
    const old = net.setSubmodule('layer.0.query', replacement);
    expect(old).not.toBe(replacement);
    expect(block.query).toBe(replacement);
    expect(net.getSubmodule('layer.0.query')).toBe(replacement);
  });

  it('train/eval reach every module; requiresGrad_ freezes every parameter', () => {
    const net = new Net();
    net.eval();
    expect(net.namedModules().every(([, m]) => !m.training)).toBe(true);
    net.train();
    expect(net.drop.training).toBe(true);
    net.requiresGrad_(false);
    expect(net.parameters().every((p) => !p.requiresGrad)).toBe(true);
  });

  it('loadStateDict copies values in place and round-trips', () => {
    const a = new Net();
    const b = new Net();
    const w = b.getParameter('layer.0.query.weight');
    b.loadStateDict(a.stateDict());
    expect(b.getParameter('layer.0.query.weight')).toBe(w);
    for (const [k, t] of Object.entries(a.stateDict())) expect(b.stateDict()[k]!.dataSync()).toEqual(t.dataSync());
  });

  it('strict loading lists missing keys, unexpected keys and shape mismatches', () => {
    const net = new Net();
    const sd = { ...net.stateDict() };
    delete sd['layer.1.norm.bias'];
    sd['layer.9.extra'] = zeros([2]);
    sd['layer.0.query.weight'] = zeros([3, 5]);
    let err: unknown;
    try {
      net.loadStateDict(sd);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(StateDictError);
    const e = err as StateDictError;
    expect(e.missingKeys).toEqual(['layer.1.norm.bias']);
    expect(e.unexpectedKeys).toEqual(['layer.9.extra']);
    expect(e.shapeMismatches).toEqual(['layer.0.query.weight: expected [3, 4], got [3, 5]']);
    expect(e.message).toMatch(/missing keys: layer\.1\.norm\.bias/);
    // non-strict tolerates key differences but never a shape mismatch
    sd['layer.0.query.weight'] = zeros([3, 4]);
    const res = net.loadStateDict(sd, { strict: false });
    expect(res).toEqual({ missingKeys: ['layer.1.norm.bias'], unexpectedKeys: ['layer.9.extra'] });
    expect([...net.getParameter('layer.0.query.weight').dataSync()].every((v) => v === 0)).toBe(true);
  });
});

describe('layers', () => {
  it('Linear computes x·Wᵀ + b and initializes as nn.Linear (bounds ±1/√in)', () => {
    const lin = new Linear(64, 32, { seed: 3 });
    const w = lin.weight.dataSync() as Float32Array;
    const bound = 1 / Math.sqrt(64);
    expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...w.map(Math.abs))).toBeGreaterThan(0.9 * bound);
    // the uniform variance bound²/3 within sampling error
    const variance = w.reduce((s, v) => s + v * v, 0) / w.length;
    expect(variance).toBeGreaterThan(0.9 * bound * bound / 3);
    expect(variance).toBeLessThan(1.1 * bound * bound / 3);
    const b = lin.bias!.dataSync() as Float32Array;
    expect(b.every((v) => Math.abs(v) <= bound)).toBe(true);
    expect(new Linear(64, 32, { seed: 3 }).weight.dataSync()).toEqual(w);
    expect([...b]).not.toEqual([...w.slice(0, 32)]);

    const x = tensor(Float32Array.from({ length: 2 * 64 }, (_, i) => Math.sin(i)), [2, 64]);
    const y = lin.forward(x).dataSync();
    for (let n = 0; n < 2; n++) {
      for (let o = 0; o < 32; o++) {
        let ref = b[o]!;
        for (let i = 0; i < 64; i++) ref += Math.sin(n * 64 + i) * w[o * 64 + i]!;
        expect(y[n * 32 + o]).toBeCloseTo(ref, 5);
      }
    }
    expect(new Linear(4, 2, { bias: false }).namedParameters().map(([k]) => k)).toEqual(['weight']);
  });

  it('Embedding zeroes the padding row and gathers rows', () => {
    const emb = new Embedding(10, 4, { paddingIdx: 1, seed: 5 });
    const table = emb.weight.dataSync();
    expect([...table.slice(4, 8)]).toEqual([0, 0, 0, 0]);
    const out = emb.forward(tensor(Int32Array.from([3, 1]), [2])).dataSync();
    expect([...out.slice(0, 4)]).toEqual([...table.slice(12, 16)]);
    expect(() => new Embedding(10, 4, { paddingIdx: 10 })).toThrow(/paddingIdx must be an integer in \[0, 10\)/);
  });

  it('LayerNorm normalizes rows; Dropout is the identity in eval mode', () => {
    const ln = new LayerNorm(4);
    const y = ln.forward(tensor(Float32Array.from([1, 2, 3, 4]), [1, 4])).dataSync();
    const sd = Math.sqrt(1.25 + 1e-5);
    expect([...y].map((v) => +v.toFixed(5))).toEqual([-1.5, -0.5, 0.5, 1.5].map((v) => +(v / sd).toFixed(5)));
    const d = new Dropout(0.5).eval();
    const x = tensor(Float32Array.from([1, 2, 3, 4]), [4]);
    expect([...d.forward(x).dataSync()]).toEqual([1, 2, 3, 4]);
    const kept = [...new Dropout(0.5).forward(tensor(new Float32Array(1000).fill(1), [1000])).dataSync()];
    expect(kept.every((v) => v === 0 || v === 2)).toBe(true);
    expect(kept.filter((v) => v === 0).length).toBeGreaterThan(400);
  });
});
