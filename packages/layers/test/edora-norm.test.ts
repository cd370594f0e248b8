import { describe, expect, it } from 'vitest';
import { randn, tensor } from '@edora/tensor';
import { AdaptedLinear, EdoraNormCache, Linear, naiveRowNorm } from '../src/index.js';
import { adaptedWeight, mat, maxRelErr, noise, rowNorms } from './reference.js';

// The fast O(out·r²) row norm from cached W·Aᵀ, A·Aᵀ and ‖W‖² must equal ‖W + s·BRA‖_row.
describe('EDoRA fast row norm', () => {
  const out = 48;
  const inF = 40;
  const r = 6;
  const s = 16 / r;

  it('equals the naive formula and a host float64 reference (float64)', () => {
    const W = noise(out * inF, 1);
    const A = noise(r * inF, 2);
    const B = noise(out * r, 3);
    const R = noise(r * r, 4).map((v) => v * 0.3);
    const T = (d: Float64Array, shape: number[]) => tensor(d, shape, { dtype: 'float64' });
    const cache = EdoraNormCache.build(T(W, [out, inF]), T(A, [r, inF]));
    const fast = cache.norm(T(B, [out, r]), T(R, [r, r]), s).dataSync();
    const naive = naiveRowNorm(T(W, [out, inF]), T(A, [r, inF]), T(B, [out, r]), T(R, [r, r]), s).dataSync();
    const ref = rowNorms(adaptedWeight({ W: mat(out, inF, W), A: mat(r, inF, A), B: mat(out, r, B), R: mat(r, r, R), b: null, m: null, s }));
    expect(maxRelErr(fast, ref)).toBeLessThan(1e-13);
    expect(maxRelErr(naive, ref)).toBeLessThan(1e-13);
  });

  it('gives the same forward on both paths in float32, with R at init scale and after training-sized steps', () => {
    for (const sigma of [1e-5, 0.1]) {
      const base = new Linear(inF, out, { seed: 5 });
      const mk = () => ({
        A: randn([r, inF], { seed: 6 }),
        B: randn([out, r], { seed: 7 }).mul(0.2),
        R: randn([r, r], { seed: 8, std: sigma }),
        m: randn([out], { seed: 9 }).add(2),
      });
      const fastL = new AdaptedLinear(base, mk(), { method: 'edora', r, alpha: 16, normPath: 'fast' });
      const naiveL = new AdaptedLinear(base, mk(), { method: 'edora', r, alpha: 16, normPath: 'naive' });
      expect(maxRelErr(fastL.weightNorm().dataSync(), naiveL.weightNorm().dataSync())).toBeLessThan(2e-6);
      const x = randn([7, inF], { seed: 10 });
      expect(maxRelErr(fastL.forward(x).dataSync(), naiveL.forward(x).dataSync())).toBeLessThan(2e-6);
    }
  });

  it('drops its cache when the base weight is reloaded', () => {
    const base = new Linear(inF, out, { seed: 5 });
    const layer = new AdaptedLinear(base, { A: randn([r, inF], { seed: 6 }), B: randn([out, r], { seed: 7 }), R: randn([r, r], { seed: 8 }), m: randn([out], { seed: 9 }) }, { method: 'edora', r, alpha: 16 });
    const before = layer.weightNorm().dataSync();
    layer.loadStateDict({ ...layer.stateDict(), 'base_layer.weight': randn([out, inF], { seed: 99 }) });
    const after = layer.weightNorm().dataSync();
    layer.normPath = 'naive';
    expect(maxRelErr(after, layer.weightNorm().dataSync())).toBeLessThan(2e-6);
    expect(maxRelErr(after, before)).toBeGreaterThan(1e-2);
  });
});
