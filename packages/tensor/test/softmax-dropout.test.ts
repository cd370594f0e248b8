import { describe, expect, it } from 'vitest';
import { CpuBackend, dropout, manualSeed, mul, softmax, softmaxDropout, sum, tensor, type Tensor } from '@edora/tensor';

// softmaxDropout = dropout(softmax(x, -1), p) with a backward that reads the saved softmax and
// output instead of drawing the mask again. Checked against the two ops composed (each with its
// own backward, the mask regenerated from the same counters), in float64 on the cpu backend, and
// against a float64 closed form of the gradient.

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return 4 * (s / 2 ** 32 - 0.5);
  };
}

describe('softmaxDropout', () => {
  const shape = [2, 3, 5, 7];
  const n = shape.reduce((a, b) => a * b, 1);

  for (const dtype of ['float64', 'float32'] as const) {
    it(`${dtype}: the same output and mask as dropout(softmax(x)), the same gradient`, () => {
      const ops: string[] = [];
      const be = new CpuBackend('counting');
      const run = be.run.bind(be);
      be.run = ((op, inputs, outputs, attrs) => {
        ops.push(op);
        run(op, inputs, outputs, attrs);
      }) as CpuBackend['run'];
      const r = rng(dtype === 'float64' ? 1 : 2);
      const xd = Float64Array.from({ length: n }, r);
      const cd = Float64Array.from({ length: n }, r);
      const make = (): Tensor => tensor(dtype === 'float64' ? xd : Float32Array.from(xd), shape, { backend: be }).requiresGrad_();
      const c = tensor(dtype === 'float64' ? cd : Float32Array.from(cd), shape, { backend: be });

      manualSeed(7);
      const x1 = make();
      const y1 = softmaxDropout(x1, 0.3);
      ops.length = 0;
      sum(mul(y1, c)).backward();
      expect(ops.filter((o) => o === 'dropout' || o === 'random'), 'backward draws no mask').toEqual([]);

      manualSeed(7);
      const x2 = make();
      const y2 = dropout(softmax(x2, -1), 0.3);
      sum(mul(y2, c)).backward();

      expect(Array.from(y1.dataSync()), 'forward bit for bit').toEqual(Array.from(y2.dataSync()));
      const g1 = x1.grad!.dataSync();
      const g2 = x2.grad!.dataSync();
      const tol = dtype === 'float64' ? 1e-14 : 2e-6;
      for (let i = 0; i < n; i++) expect(Math.abs(g1[i]! - g2[i]!), `dx[${i}]`).toBeLessThanOrEqual(tol);

      // closed form in float64 from the mask the forward drew: dp = mask·scale·c, dx = p ⊙ (dp − Σ p ⊙ dp)
      const y = y1.dataSync();
      const T = shape[3]!;
      for (let row = 0; row < n / T; row++) {
        let mx = -Infinity;
        for (let j = 0; j < T; j++) mx = Math.max(mx, xd[row * T + j]!);
        const e = Array.from({ length: T }, (_, j) => Math.exp(xd[row * T + j]! - mx));
        const z = e.reduce((a, b) => a + b, 0);
        const pr = e.map((v) => v / z);
        const dp = pr.map((_, j) => (y[row * T + j] === 0 ? 0 : cd[row * T + j]! / 0.7));
        const dot = pr.reduce((a, v, j) => a + v * dp[j]!, 0);
        for (let j = 0; j < T; j++) {
          const want = pr[j]! * (dp[j]! - dot);
          expect(Math.abs(g1[row * T + j]! - want), `closed form dx[${row * T + j}]`).toBeLessThanOrEqual(dtype === 'float64' ? 1e-12 : 1e-5);
        }
      }
    });
  }

  it('eval mode and p = 0 are the softmax itself; without a gradient no graph is kept', () => {
    const be = new CpuBackend();
    const x = tensor(Float32Array.from({ length: 12 }, rng(3)), [3, 4], { backend: be });
    const s = Array.from(softmax(x, -1).dataSync());
    expect(Array.from(softmaxDropout(x, 0.5, { training: false }).dataSync())).toEqual(s);
    expect(Array.from(softmaxDropout(x, 0).dataSync())).toEqual(s);
    manualSeed(3);
    const y = softmaxDropout(x, 0.5);
    expect(y.node).toBeNull();
    manualSeed(3);
    expect(Array.from(y.dataSync())).toEqual(Array.from(dropout(softmax(x, -1), 0.5).dataSync()));
  });
});
