import { describe, expect, it } from 'vitest';
import { randn, type Tensor } from '@edora/tensor';
import { ADAPTER_METHODS, AdaptedLinear, Linear, METHOD_TRAITS, Module, merge, mergeAndUnload, unmerge, applyAdapters } from '../src/index.js';
import { maxRelErr } from './reference.js';

class Two extends Module {
  a = this.registerModule('query', new Linear(24, 32, { seed: 1 }));
  b = this.registerModule('value', new Linear(32, 16, { seed: 2 }));
  forward(x: Tensor): Tensor {
    return this.b.forward(this.a.forward(x));
  }
}

// Perturbs every trainable factor away from its init so merges have something to fold in.
function perturb(model: Module): void {
  let seed = 100;
  for (const [, p] of model.namedParameters()) {
    if (!p.requiresGrad) continue;
    const noisy = p.add(randn(p.shape, { seed: seed++, std: 0.3 }));
    model.loadStateDict({ ...model.stateDict(), ...Object.fromEntries(model.namedParameters().filter(([, q]) => q === p).map(([k]) => [k, noisy])) });
  }
}

describe.each(ADAPTER_METHODS)('%s: merge', (method) => {
  it('merged forward equals unmerged forward (m perturbed), unmerge restores W, mergeAndUnload leaves plain Linears', async () => {
    const model = new Two();
    const W0 = [...model.a.weight.dataSync()];
    await applyAdapters(model, { method, r: 4, alpha: 16, targetModules: ['query', 'value'], seed: 3, init: METHOD_TRAITS[method].hasR ? 'random' : 'kaiming' });
    perturb(model);
    const q = model.getSubmodule('query') as AdaptedLinear;
    if (q.magnitude) {
      // m really is away from ‖W‖ (g ≠ 1)
      expect(maxRelErr(q.magnitude.dataSync(), q.weightNorm().dataSync())).toBeGreaterThan(0.05);
    }
    const x = randn([5, 24], { seed: 4 });
    const y0 = model.forward(x).dataSync();
    expect(merge(model)).toEqual(['query', 'value']);
    expect(q.merged).toBe(true);
    expect(maxRelErr(model.forward(x).dataSync(), y0)).toBeLessThan(1e-5);
    unmerge(model);
    // float32: W·(n/m) − ΔW rounds at a few ulps of the largest |W|
    expect(maxRelErr(q.base.weight.dataSync(), W0)).toBeLessThan(1e-5);
    expect(maxRelErr(model.forward(x).dataSync(), y0)).toBeLessThan(1e-5);

    mergeAndUnload(model);
    expect(model.getSubmodule('query')).toBeInstanceOf(Linear);
    expect(model.a).toBeInstanceOf(Linear);
    expect(model.namedParameters().map(([k]) => k)).toEqual(['query.weight', 'query.bias', 'value.weight', 'value.bias']);
    expect(maxRelErr(model.forward(x).dataSync(), y0)).toBeLessThan(1e-5);
  });
});
