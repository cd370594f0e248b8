import type { CpuAutogradInput } from '../pages/cpu-autograd.js';

/**
 * Float64 closed form of the cpu page's graph: h = x·Wᵀ + b, a = tanh h,
 * L = mean_i −log softmax(a_i)[y_i] + (l2/2)·Σ W², and its gradients by hand:
 * dA = (softmax(a) − onehot(y))/n, dH = dA ⊙ (1 − a²), dW = dHᵀ·x + l2·W, db = Σ_i dH_i, dX = dH·W.
 */
export function autogradReference(p: CpuAutogradInput): { loss: number; a: Float64Array; dX: Float64Array; dW: Float64Array; dB: Float64Array } {
  const { n, d, c, x, w, b, labels, l2 } = p;
  const a = new Float64Array(n * c);
  const dH = new Float64Array(n * c);
  let loss = 0;
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < c; k++) {
      let h = b[k]!;
      for (let j = 0; j < d; j++) h += x[i * d + j]! * w[k * d + j]!;
      a[i * c + k] = Math.tanh(h);
    }
    const row = a.subarray(i * c, (i + 1) * c);
    const m = Math.max(...row);
    const z = row.reduce((s, v) => s + Math.exp(v - m), 0);
    loss -= (row[labels[i]!]! - m - Math.log(z)) / n;
    for (let k = 0; k < c; k++) {
      const dA = (Math.exp(row[k]! - m) / z - (k === labels[i] ? 1 : 0)) / n;
      dH[i * c + k] = dA * (1 - row[k]! * row[k]!);
    }
  }
  loss += 0.5 * l2 * w.reduce((s, v) => s + v * v, 0);
  const dX = new Float64Array(n * d);
  const dW = Float64Array.from(w, (v) => l2 * v);
  const dB = new Float64Array(c);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < c; k++) {
      const g = dH[i * c + k]!;
      dB[k]! += g;
      for (let j = 0; j < d; j++) {
        dW[k * d + j]! += g * x[i * d + j]!;
        dX[i * d + j]! += g * w[k * d + j]!;
      }
    }
  }
  return { loss, a, dX, dW, dB };
}

/** The largest |actual − expected| / (1 + |expected|), with where it happened, for messages. */
export function worstError(actual: ArrayLike<number>, expected: ArrayLike<number>): { error: number; at: number } {
  if (actual.length !== expected.length) throw new Error(`expected ${expected.length} values, got ${actual.length}`);
  let error = 0;
  let at = -1;
  for (let i = 0; i < expected.length; i++) {
    const e = Math.abs(actual[i]! - expected[i]!) / (1 + Math.abs(expected[i]!));
    if (!(e <= error)) {
      error = e;
      at = i;
    }
  }
  return { error, at };
}
