import { tensor, type BackendV1, type OpAttrs, type OpName, type Tensor } from '@edora/tensor';
import { hostRng, randomArray, refLayerNorm, refLayerNormBackward, refReduce, refSoftmaxRows } from '@edora/tensor/conformance';
import { WORKGROUP_AXIS } from '../src/kernels/reduce.js';

/**
 * Every kernel that reduces across a workgroup (the fused row ops, and reduce sum/max over long
 * axes), run on a backend and compared with float64 references, at row lengths below, at and
 * around the 64-invocation workgroup and up to RoBERTa's 3072. Plain functions without vitest, so
 * the same checks run in a child process whose llvmpipe has another subgroup size
 * (subgroup-size.child.ts). Tolerance: the conformance suite's float32 one (rtol 2e-6, atol 1e-6)
 * scaled as it scales a sum of D terms, 4·√D.
 */
export interface CheckResult {
  label: string;
  /** Worst |got − want| − (atol + rtol·|want|); ≤ 0 passes. */
  excess: number;
  detail: string;
}

const ROW_SHAPES: [number, number][] = [[3, 1], [4, 5], [2, 64], [5, 67], [3, 1000], [2, 3072]];

function compare(label: string, got: ArrayLike<number>, want: ArrayLike<number>, scale: number): CheckResult {
  const rtol = 2e-6 * scale;
  const atol = 1e-6 * scale;
  let excess = -Infinity;
  let detail = 'ok';
  if (got.length !== want.length) return { label, excess: Infinity, detail: `length ${got.length}, expected ${want.length}` };
  for (let i = 0; i < want.length; i++) {
    const g = got[i]!;
    const w = want[i]!;
    if (Object.is(g, w) || (Number.isNaN(g) && Number.isNaN(w))) continue;
    const e = Math.abs(g - w) - (atol + rtol * Math.abs(w));
    if (!(e <= excess)) {
      excess = Number.isNaN(e) ? Infinity : e;
      detail = `element ${i} is ${g}, expected ${w} (rtol ${rtol.toExponential(2)}, atol ${atol.toExponential(2)})`;
    }
  }
  return { label, excess: excess === -Infinity ? 0 : excess, detail };
}

function run<O extends OpName>(b: BackendV1, op: O, inputs: Tensor[], outShapes: number[][], attrs: OpAttrs[O]): Tensor[] {
  const outs = outShapes.map((s) => tensor(new Float32Array(s.reduce((p, q) => p * q, 1)).fill(Number.NaN), s, { backend: b }));
  b.run(op, inputs, outs, attrs);
  return outs;
}

const f64 = async (t: Tensor): Promise<Float64Array> => Float64Array.from(await t.data());

export async function rowReductionChecks(b: BackendV1): Promise<CheckResult[]> {
  const rng = hostRng(4242);
  const results: CheckResult[] = [];
  const host = (data: Float64Array, shape: number[]): Tensor => tensor(Float32Array.from(data), shape, { backend: b });
  for (const [n, d] of ROW_SHAPES) {
    const scale = 4 * Math.sqrt(d);
    const at = `[${n}, ${d}]`;
    const xd = randomArray(n * d, rng, -6, 6);
    const gd = randomArray(n * d, rng, -1, 1);
    const x = host(xd, [n, d]);
    const g = host(gd, [n, d]);
    for (const log of [false, true]) {
      const name = log ? 'logSoftmax' : 'softmax';
      const ref = refSoftmaxRows(xd, n, d, log);
      const [y] = run(b, log ? 'logSoftmax' : 'softmax', [x], [[n, d]], {});
      results.push(compare(`${name} ${at}`, await f64(y!), ref, scale));
      // backward from the float64 forward, so only the backward kernel's error is measured
      const [dx] = run(b, log ? 'logSoftmaxBackward' : 'softmaxBackward', [host(ref, [n, d]), g], [[n, d]], {});
      const want = new Float64Array(n * d);
      for (let r = 0; r < n; r++) {
        let s = 0;
        for (let k = 0; k < d; k++) s += log ? gd[r * d + k]! : gd[r * d + k]! * ref[r * d + k]!;
        for (let k = 0; k < d; k++) {
          const i = r * d + k;
          want[i] = log ? gd[i]! - Math.exp(ref[i]!) * s : ref[i]! * (gd[i]! - s);
        }
      }
      results.push(compare(`${name} backward ${at}`, await f64(dx!), want, scale));
    }

    const labels = Int32Array.from({ length: n }, (_, r) => (r * 7919) % d);
    const lab = tensor(labels, [n], { backend: b });
    const [loss, probs] = run(b, 'softmaxCrossEntropy', [x, lab], [[n], [n, d]], { ignoreIndex: -100 });
    const logp = refSoftmaxRows(xd, n, d, true);
    results.push(compare(`softmaxCrossEntropy loss ${at}`, await f64(loss!), Array.from(labels, (l, r) => -logp[r * d + l]!), scale));
    results.push(compare(`softmaxCrossEntropy probs ${at}`, await f64(probs!), refSoftmaxRows(xd, n, d, false), scale));

    const gamma = randomArray(d, rng, 0.5, 1.5);
    const beta = randomArray(d, rng, -1, 1);
    const ln = refLayerNorm(xd, gamma, beta, n, d, 1e-5);
    const [y, mean, rstd] = run(b, 'layerNorm', [x, host(gamma, [d]), host(beta, [d])], [[n, d], [n], [n]], { eps: 1e-5 });
    results.push(compare(`layerNorm y ${at}`, await f64(y!), ln.y, scale));
    results.push(compare(`layerNorm mean ${at}`, await f64(mean!), ln.mean, scale));
    results.push(compare(`layerNorm rstd ${at}`, await f64(rstd!), ln.rstd, scale));
    const [dx, dgamma, dbeta] = run(
      b, 'layerNormBackward', [x, host(gamma, [d]), host(ln.mean, [n]), host(ln.rstd, [n]), g], [[n, d], [d], [d]], {},
    );
    const { dx: wantDx, dg: wantDg, db: wantDb } = refLayerNormBackward(xd, gamma, ln.mean, ln.rstd, gd, n, d);
    results.push(compare(`layerNormBackward dx ${at}`, await f64(dx!), wantDx, scale));
    results.push(compare(`layerNormBackward dgamma ${at}`, await f64(dgamma!), wantDg, scale));
    results.push(compare(`layerNormBackward dbeta ${at}`, await f64(dbeta!), wantDb, scale));

    const [norm] = run(b, 'rowNorm', [x], [[n]], {});
    const wantNorm = Array.from({ length: n }, (_, r) => Math.sqrt(xd.subarray(r * d, (r + 1) * d).reduce((s, v) => s + v * v, 0)));
    results.push(compare(`rowNorm ${at}`, await f64(norm!), wantNorm, scale));
  }

  // reduce sum/max over axes long enough for the workgroup path, contiguous and strided
  for (const [shape, axis] of [[[1, 100003], 1], [[300, 7], 0], [[3, WORKGROUP_AXIS], 1], [[2, 4099, 3], 1]] as [number[], number][]) {
    const size = shape.reduce((p, q) => p * q, 1);
    const data = randomArray(size, rng, -3, 3);
    const x = host(data, shape);
    const oShape = shape.map((s, i) => (i === axis ? 1 : s));
    for (const fn of ['sum', 'max'] as const) {
      const [o] = run(b, 'reduce', [x], [oShape], { fn, axis });
      const scale = fn === 'sum' ? 4 * Math.sqrt(shape[axis]!) : 1;
      results.push(compare(`reduce ${fn} [${shape}] axis ${axis}`, await f64(o!), refReduce(data, shape, axis, fn), scale));
    }
  }
  // max: a NaN anywhere in the row wins, −∞ rows stay −∞; int32 sums are exact
  const special = new Float32Array(2 * 1000).fill(Number.NEGATIVE_INFINITY);
  for (let k = 0; k < 1000; k++) special[k] = k % 97;
  special[613] = Number.NaN;
  const [mx] = run(b, 'reduce', [tensor(special, [2, 1000], { backend: b })], [[2, 1]], { fn: 'max', axis: 1 });
  results.push(compare('reduce max with NaN and all −∞ rows', await f64(mx!), [Number.NaN, Number.NEGATIVE_INFINITY], 1));
  const ints = Int32Array.from({ length: 3 * 5000 }, (_, i) => ((i * 37) % 201) - 100);
  const io = tensor(new Int32Array(3), [3, 1], { backend: b });
  b.run('reduce', [tensor(ints, [3, 5000], { backend: b })], [io], { fn: 'sum', axis: 1 });
  const wantInts = [0, 1, 2].map((r) => ints.subarray(r * 5000, (r + 1) * 5000).reduce((s, v) => s + v, 0));
  results.push(compare('reduce sum int32 [3, 5000]', Array.from(await io.data()), wantInts, 0));
  return results;
}
