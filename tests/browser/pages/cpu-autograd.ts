/**
 * @edora/tensor's cpu backend in the page: a small graph with a transposed product, a broadcast
 * bias, tanh, cross-entropy and an L2 term that reaches W by a second path, then backward.
 */
import { CpuBackend, crossEntropy, matmul, square, sum, tanh, tensor } from '@edora/tensor';
import { expose } from './expose.js';

export interface CpuAutogradInput {
  /** x [n, d], W [c, d], b [c] (row-major), labels [n] in [0, c). */
  n: number;
  d: number;
  c: number;
  x: number[];
  w: number[];
  b: number[];
  labels: number[];
  /** Weight of the 0.5·Σ W² term. */
  l2: number;
}

export interface CpuAutogradResult {
  loss: number;
  activations: number[];
  gradX: number[];
  gradW: number[];
  gradB: number[];
}

expose(async (input: CpuAutogradInput): Promise<CpuAutogradResult> => {
  const { n, d, c } = input;
  const backend = new CpuBackend();
  const x = tensor(Float32Array.from(input.x), [n, d], { backend }).requiresGrad_();
  const w = tensor(Float32Array.from(input.w), [c, d], { backend }).requiresGrad_();
  const b = tensor(Float32Array.from(input.b), [c], { backend }).requiresGrad_();
  const labels = tensor(Int32Array.from(input.labels), [n], { backend });
  const a = tanh(matmul(x, w, { transB: true }).add(b));
  const loss = crossEntropy(a, labels).add(sum(square(w)).mul(0.5 * input.l2));
  loss.backward();
  const read = async (t: typeof x): Promise<number[]> => Array.from(await t.data());
  return {
    loss: await loss.item(),
    activations: await read(a),
    gradX: await read(x.grad!),
    gradW: await read(w.grad!),
    gradB: await read(b.grad!),
  };
});
