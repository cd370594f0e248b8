import type { BackendV1 } from '../backend/contract.js';
import { noGrad } from '../autograd/grad-mode.js';
import { tidy } from '../scope.js';
import type { Tensor } from '../tensor.js';
import { tensor } from '../ops/creation.js';
import { hostRng, randomArray } from './random-data.js';

export interface GradCheckOptions {
  /** Finite-difference step (default 1e-6 in float64, 1e-2 in float32). */
  eps?: number;
  rtol?: number;
  atol?: number;
  /** At most this many elements per input are probed (spread evenly); default 24. */
  maxProbes?: number;
  seed?: number;
}

export interface GradCheckResult {
  ok: boolean;
  maxAbsError: number;
  worst: string;
}

/**
 * Compares autograd gradients of L = Σ f(inputs) ⊙ W (W fixed random) with central finite
 * differences, input by input. `inputs` are host arrays with shapes; `differentiable` says which
 * get gradients. Runs on `backend`, in float64 when the backend holds it.
 */
export async function gradCheck(
  backend: BackendV1,
  f: (...xs: Tensor[]) => Tensor,
  inputs: { data: ArrayLike<number>; shape: readonly number[]; dtype?: 'int32'; grad?: boolean }[],
  options: GradCheckOptions = {},
): Promise<GradCheckResult> {
  const f64 = backend.capabilities.float64;
  const eps = options.eps ?? (f64 ? 1e-6 : 1e-2);
  const rtol = options.rtol ?? (f64 ? 1e-5 : 3e-2);
  const atol = options.atol ?? (f64 ? 1e-7 : 3e-3);
  const maxProbes = options.maxProbes ?? 24;
  const make = (arrs: Float64Array[], withGrad: boolean): Tensor[] =>
    inputs.map((inp, i) => {
      if (inp.dtype === 'int32') return tensor(Int32Array.from(inp.data), inp.shape, { backend });
      const arr = f64 ? Float64Array.from(arrs[i]!) : Float32Array.from(arrs[i]!);
      const t = tensor(arr, inp.shape, { backend });
      if (withGrad && inp.grad !== false) t.requiresGrad = true;
      return t;
    });
  const base = inputs.map((inp) => Float64Array.from(inp.data));
  const rng = hostRng(options.seed ?? 99);
  let weights: Float64Array | null = null;

  const lossOf = (xs: Tensor[]): Tensor => {
    const y = f(...xs);
    if (!weights) weights = randomArray(y.size, rng, -1, 1);
    const w = tensor(f64 ? Float64Array.from(weights) : Float32Array.from(weights), y.shape, { backend });
    return y.mul(w).sum();
  };
  const evalLoss = async (arrs: Float64Array[]): Promise<number> => {
    const loss = noGrad(() => tidy(() => lossOf(make(arrs, false))));
    const v = await loss.item();
    loss.dispose();
    return v;
  };

  const xs = make(base, true);
  tidy(() => lossOf(xs).backward());
  const analytic: (Float64Array | null)[] = [];
  for (const [i, x] of xs.entries()) {
    const skip = inputs[i]!.grad === false || inputs[i]!.dtype === 'int32';
    analytic.push(skip ? null : x.grad ? Float64Array.from(await x.grad.data()) : new Float64Array(x.size));
    x.grad?.dispose();
    x.dispose();
  }

  let maxAbsError = 0;
  let worst = '';
  let ok = true;
  for (const [i] of inputs.entries()) {
    const g = analytic[i];
    if (!g) continue;
    const n = base[i]!.length;
    const step = Math.max(1, Math.floor(n / maxProbes));
    for (let k = 0; k < n; k += step) {
      const plus = base.map((a) => a.slice());
      const minus = base.map((a) => a.slice());
      plus[i]![k]! += eps;
      minus[i]![k]! -= eps;
      const num = ((await evalLoss(plus)) - (await evalLoss(minus))) / (2 * eps);
      const err = Math.abs(num - g[k]!);
      if (err > maxAbsError) {
        maxAbsError = err;
        worst = `input ${i}, element ${k}: autograd ${g[k]}, finite difference ${num}`;
      }
      if (err > atol + rtol * Math.abs(num)) ok = false;
    }
  }
  return { ok, maxAbsError, worst };
}

