import { householder } from './householder.js';
import { assertFinite, type HostMatrix } from './matrix.js';

export interface QR {
  /** m×k with orthonormal columns, k = min(m, n). */
  readonly Q: HostMatrix;
  /** k×n upper triangular (upper trapezoidal when n > m), diagonal ≥ 0. */
  readonly R: HostMatrix;
}

/**
 * Thin Householder QR: A = Q R. Backward stable, so Q is orthonormal to working precision even
 * when A is rank-deficient or zero (a zero column gets the identity reflector, and Q then simply
 * completes the basis). The signs are fixed so that diag(R) ≥ 0, which makes the factorization
 * unique for full-rank A and reproducible for all A.
 */
export function qr(a: HostMatrix): QR {
  assertFinite(a, 'qr');
  const m = a.rows;
  const n = a.cols;
  const k = Math.min(m, n);
  const W = a.data.slice(); // reduced in place to R; reflector v_j lives in vs[j]
  const vs: Float64Array[] = [];
  const taus = new Float64Array(k);
  const w = new Float64Array(n);

  for (let j = 0; j < k; j++) {
    const len = m - j;
    const v = new Float64Array(len);
    const h = householder(W, j * n + j, n, v);
    if (!h) {
      vs.push(v); // tau = 0: identity reflector
      continue;
    }
    const tau = h.tau;
    taus[j] = tau;
    vs.push(v);

    // Apply H = I - tau v vᵀ to the trailing columns j+1..n-1: w = vᵀ W, W -= tau v w.
    W[j * n + j] = h.head;
    for (let i = 1; i < len; i++) W[(j + i) * n + j] = 0;
    if (j + 1 < n) {
      w.fill(0, j + 1, n);
      for (let i = 0; i < len; i++) {
        const vi = v[i]!;
        const row = (j + i) * n;
        for (let c = j + 1; c < n; c++) w[c]! += vi * W[row + c]!;
      }
      for (let i = 0; i < len; i++) {
        const f = tau * v[i]!;
        if (f === 0) continue;
        const row = (j + i) * n;
        for (let c = j + 1; c < n; c++) W[row + c]! -= f * w[c]!;
      }
    }
  }

  // Q = H_0 H_1 … H_{k-1} [I_k; 0], applied right to left; H_j only touches rows and columns ≥ j.
  const Q = new Float64Array(m * k);
  for (let i = 0; i < k; i++) Q[i * k + i] = 1;
  const t = new Float64Array(k);
  for (let j = k - 1; j >= 0; j--) {
    const tau = taus[j]!;
    if (tau === 0) continue;
    const v = vs[j]!;
    t.fill(0, j, k);
    for (let i = 0; i < v.length; i++) {
      const vi = v[i]!;
      const row = (j + i) * k;
      for (let c = j; c < k; c++) t[c]! += vi * Q[row + c]!;
    }
    for (let i = 0; i < v.length; i++) {
      const f = tau * v[i]!;
      const row = (j + i) * k;
      for (let c = j; c < k; c++) Q[row + c]! -= f * t[c]!;
    }
  }

  const R = new Float64Array(k * n);
  for (let i = 0; i < k; i++) {
    const neg = W[i * n + i]! < 0;
    for (let c = i; c < n; c++) R[i * n + c] = neg ? -W[i * n + c]! : W[i * n + c]!;
    if (neg) for (let r = 0; r < m; r++) Q[r * k + i] = -Q[r * k + i]!;
  }
  return { Q: { rows: m, cols: k, data: Q }, R: { rows: k, cols: n, data: R } };
}
