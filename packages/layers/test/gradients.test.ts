import { describe, expect, it } from 'vitest';
import { mul, sum, tensor, type Tensor } from '@edora/tensor';
import { AdaptedLinear, Linear, METHOD_TRAITS, ADAPTER_METHODS, type AdapterMethod } from '../src/index.js';
import { adaptedForward, adaptedWeight, finiteDiff, mat, maxRelErr, noise, rowNorms, tr, mm, type RefParams } from './reference.js';

// Gradient checks in float64 on the cpu backend: autograd against central differences of an
// independent host reference in which the row norm is held at its base-point value (detached).
const N = 3;
const IN = 5;
const OUT = 4;
const R = 2;
const ALPHA = 3;

function f64(data: Float64Array, shape: number[]): Tensor {
  return tensor(data, shape, { dtype: 'float64' });
}

function setup(method: AdapterMethod) {
  const t = METHOD_TRAITS[method];
  const base = new Linear(IN, OUT, { seed: 11, dtype: 'float64' });
  const host = {
    x: noise(N * IN, 1),
    A: noise(R * IN, 2),
    B: noise(OUT * R, 3), // B ≠ 0 so every factor's gradient is non-trivial
    R: noise(R * R, 4),
    // m perturbed away from ‖W‖ so g ≠ 1
    m: noise(OUT, 5).map((v) => 1.5 + v),
    C: noise(N * OUT, 6),
  };
  const layer = new AdaptedLinear(
    base,
    {
      A: f64(host.A, [R, IN]),
      B: f64(host.B, [OUT, R]),
      ...(t.hasR ? { R: f64(host.R, [R, R]) } : {}),
      ...(t.hasMagnitude ? { m: f64(host.m, [OUT]) } : {}),
    },
    { method, r: R, alpha: ALPHA },
  );
  const W = Float64Array.from(base.weight.dataSync());
  const b = Float64Array.from(base.bias!.dataSync());
  const p: RefParams = {
    W: mat(OUT, IN, W), b,
    A: mat(R, IN, host.A), B: mat(OUT, R, host.B),
    R: t.hasR ? mat(R, R, host.R) : null,
    m: t.hasMagnitude ? host.m : null,
    s: ALPHA / R,
  };
  return { layer, host, p, base };
}

describe.each(ADAPTER_METHODS)('%s: float64 gradient check', (method) => {
  const t = METHOD_TRAITS[method];

  it('forward equals the reference and every gradient equals central differences with the norm detached', () => {
    const { layer, host, p, base } = setup(method);
    const xT = f64(host.x, [N, IN]).requiresGrad_();
    const y = layer.forward(xT);
    const yRef = adaptedForward(mat(N, IN, host.x), p);
    expect(maxRelErr(y.dataSync(), yRef.data)).toBeLessThan(1e-13);

    sum(mul(y, f64(host.C, [N, OUT]))).backward();
    const n0 = rowNorms(adaptedWeight(p)); // frozen at the base point: the detached norm
    const x = mat(N, IN, host.x);
    const loss = (): number => {
      const yy = adaptedForward(x, p, n0);
      return yy.data.reduce((s, v, i) => s + v * host.C[i]!, 0);
    };
    const checks: [string, Tensor, Float64Array][] = [['x', xT, x.data]];
    if (t.trainsAB) checks.push(['A', layer.loraA, p.A.data], ['B', layer.loraB, p.B.data]);
    if (t.hasR) checks.push(['R', layer.latent!, p.R!.data]);
    if (t.hasMagnitude) checks.push(['m', layer.magnitude!, p.m!]);
    for (const [name, param, hostValues] of checks) {
      expect(param.grad, `${name}.grad`).not.toBeNull();
      const fd = finiteDiff(loss, hostValues);
      expect(maxRelErr(param.grad!.dataSync(), fd), `gradient of ${name}`).toBeLessThan(1e-8);
    }
    // frozen tensors receive nothing
    expect(base.weight.grad).toBeNull();
    expect(base.bias!.grad).toBeNull();
    if (!t.trainsAB) {
      expect(layer.loraA.grad).toBeNull();
      expect(layer.loraB.grad).toBeNull();
    }
  });

  if (t.hasMagnitude) {
    it('the gradient of m has the closed form Σₙ C·(x(W+ΔW)ᵀ) / n', () => {
      const { layer, host, p } = setup(method);
      const y = layer.forward(f64(host.x, [N, IN]));
      sum(mul(y, f64(host.C, [N, OUT]))).backward();
      const Wf = adaptedWeight(p);
      const n = rowNorms(Wf);
      const dir = mm(mat(N, IN, host.x), tr(Wf));
      const closed = new Float64Array(OUT);
      for (let i = 0; i < N; i++) for (let o = 0; o < OUT; o++) closed[o]! += (host.C[i * OUT + o]! * dir.data[i * OUT + o]!) / n[o]!;
      expect(maxRelErr(layer.magnitude!.grad!.dataSync(), closed)).toBeLessThan(1e-13);
    });

    it('the check can fail: differentiating through the norm gives a different gradient', () => {
      const { layer, host, p } = setup(method);
      const y = layer.forward(f64(host.x, [N, IN]));
      sum(mul(y, f64(host.C, [N, OUT]))).backward();
      const x = mat(N, IN, host.x);
      const attached = (): number => adaptedForward(x, p).data.reduce((s, v, i) => s + v * host.C[i]!, 0);
      const [param, values] = t.hasR ? [layer.latent!, p.R!.data] : [layer.loraB, p.B.data];
      expect(maxRelErr(param.grad!.dataSync(), finiteDiff(attached, values))).toBeGreaterThan(1e-4);
    });
  }
});
