import type { OpAttrs, TensorView } from '../../contract.js';
import { gelu, geluGrad } from '../../../math/erf.js';
import { arrayOf } from '../buffer.js';
import { gemm } from './matmul.js';

/**
 * Tier-1 fused kernels of the cpu backend. Inputs are contiguous with the reduced axis last
 * (the core guarantees it). Row statistics accumulate in float64.
 */
function rows(v: TensorView): [number, number] {
  const d = v.shape.length === 0 ? 1 : v.shape[v.shape.length - 1]!;
  const n = d === 0 ? 0 : v.shape.reduce((p, s) => p * s, 1) / d;
  return [n, d];
}

export function softmax(x: TensorView, y: TensorView, log: boolean): void {
  const X = arrayOf(x);
  const Y = arrayOf(y);
  const [n, d] = rows(x);
  // the exponentials of a row, kept in float64 between the sum and the division
  const e = log ? null : new Float64Array(d);
  for (let r = 0; r < n; r++) {
    const px = x.offset + r * d;
    const py = y.offset + r * d;
    let m = -Infinity;
    for (let k = 0; k < d; k++) if (X[px + k]! > m) m = X[px + k]!;
    if (m === -Infinity) m = 0;
    let s = 0;
    if (e) {
      for (let k = 0; k < d; k++) {
        e[k] = Math.exp(X[px + k]! - m);
        s += e[k]!;
      }
      for (let k = 0; k < d; k++) Y[py + k] = e[k]! / s;
    } else {
      for (let k = 0; k < d; k++) s += Math.exp(X[px + k]! - m);
      const ls = Math.log(s) + m;
      for (let k = 0; k < d; k++) Y[py + k] = X[px + k]! - ls;
    }
  }
}

/** softmax: dx = y ⊙ (dy − Σ dy⊙y); log-softmax: dx = dy − exp(y) Σ dy. */
export function softmaxBackward(y: TensorView, dy: TensorView, dx: TensorView, log: boolean): void {
  const Y = arrayOf(y);
  const G = arrayOf(dy);
  const O = arrayOf(dx);
  const [n, d] = rows(y);
  for (let r = 0; r < n; r++) {
    const py = y.offset + r * d;
    const pg = dy.offset + r * d;
    const po = dx.offset + r * d;
    let s = 0;
    if (log) {
      for (let k = 0; k < d; k++) s += G[pg + k]!;
      for (let k = 0; k < d; k++) O[po + k] = G[pg + k]! - Math.exp(Y[py + k]!) * s;
    } else {
      for (let k = 0; k < d; k++) s += G[pg + k]! * Y[py + k]!;
      for (let k = 0; k < d; k++) O[po + k] = Y[py + k]! * (G[pg + k]! - s);
    }
  }
}

export function softmaxCrossEntropy(
  logits: TensorView, labels: TensorView, loss: TensorView, probs: TensorView, attrs: OpAttrs['softmaxCrossEntropy'],
): void {
  softmax(logits, probs, false);
  const X = arrayOf(logits);
  const L = arrayOf(labels);
  const O = arrayOf(loss);
  const [n, c] = rows(logits);
  for (let r = 0; r < n; r++) {
    const label = L[labels.offset + r]!;
    if (label === attrs.ignoreIndex || label < 0 || label >= c) {
      O[loss.offset + r] = 0;
      continue;
    }
    const px = logits.offset + r * c;
    let m = -Infinity;
    for (let k = 0; k < c; k++) if (X[px + k]! > m) m = X[px + k]!;
    let s = 0;
    for (let k = 0; k < c; k++) s += Math.exp(X[px + k]! - m);
    O[loss.offset + r] = Math.log(s) + m - X[px + label]!;
  }
}

export function softmaxCrossEntropyBackward(
  probs: TensorView, labels: TensorView, dloss: TensorView, dlogits: TensorView, attrs: OpAttrs['softmaxCrossEntropyBackward'],
): void {
  const P = arrayOf(probs);
  const L = arrayOf(labels);
  const G = arrayOf(dloss);
  const O = arrayOf(dlogits);
  const [n, c] = rows(probs);
  for (let r = 0; r < n; r++) {
    const label = L[labels.offset + r]!;
    const po = dlogits.offset + r * c;
    const pp = probs.offset + r * c;
    if (label === attrs.ignoreIndex || label < 0 || label >= c) {
      for (let k = 0; k < c; k++) O[po + k] = 0;
      continue;
    }
    const g = G[dloss.offset + r]!;
    for (let k = 0; k < c; k++) O[po + k] = g * (P[pp + k]! - (k === label ? 1 : 0));
  }
}

export function layerNorm(
  x: TensorView, gamma: TensorView, beta: TensorView, y: TensorView, mean: TensorView, rstd: TensorView, eps: number,
): void {
  const X = arrayOf(x);
  const Gm = arrayOf(gamma);
  const Bt = arrayOf(beta);
  const Y = arrayOf(y);
  const Mn = arrayOf(mean);
  const Rs = arrayOf(rstd);
  const [n, d] = rows(x);
  for (let r = 0; r < n; r++) {
    const px = x.offset + r * d;
    let s = 0;
    for (let k = 0; k < d; k++) s += X[px + k]!;
    const mu = s / d;
    let v = 0;
    for (let k = 0; k < d; k++) {
      const t = X[px + k]! - mu;
      v += t * t;
    }
    const rs = 1 / Math.sqrt(v / d + eps);
    Mn[mean.offset + r] = mu;
    Rs[rstd.offset + r] = rs;
    const py = y.offset + r * d;
    for (let k = 0; k < d; k++) {
      Y[py + k] = (X[px + k]! - mu) * rs * Gm[gamma.offset + k]! + Bt[beta.offset + k]!;
    }
  }
}

/**
 * With x̂ = (x − μ)·rstd and g = dy ⊙ γ: dx = rstd · (g − mean(g) − x̂ · mean(g ⊙ x̂)),
 * dγ = Σ_rows dy ⊙ x̂, dβ = Σ_rows dy.
 */
export function layerNormBackward(
  x: TensorView, gamma: TensorView, mean: TensorView, rstd: TensorView, dy: TensorView,
  dx: TensorView, dgamma: TensorView, dbeta: TensorView,
): void {
  const X = arrayOf(x);
  const Gm = arrayOf(gamma);
  const Mn = arrayOf(mean);
  const Rs = arrayOf(rstd);
  const DY = arrayOf(dy);
  const DX = arrayOf(dx);
  const DG = arrayOf(dgamma);
  const DB = arrayOf(dbeta);
  const [n, d] = rows(x);
  const dg = new Float64Array(d);
  const db = new Float64Array(d);
  // x̂ and dy·γ of one row, computed once and read by both passes (the same doubles either way)
  const xhRow = new Float64Array(d);
  const gRow = new Float64Array(d);
  const gam = new Float64Array(d);
  for (let k = 0; k < d; k++) gam[k] = Gm[gamma.offset + k]!;
  const xo = x.offset;
  const yo = dy.offset;
  const oo = dx.offset;
  for (let r = 0; r < n; r++) {
    const px = xo + r * d;
    const pg = yo + r * d;
    const mu = Mn[mean.offset + r]!;
    const rs = Rs[rstd.offset + r]!;
    let sg = 0;
    let sgx = 0;
    for (let k = 0; k < d; k++) {
      const xh = (X[px + k]! - mu) * rs;
      const dyk = DY[pg + k]!;
      const g = dyk * gam[k]!;
      xhRow[k] = xh;
      gRow[k] = g;
      sg += g;
      sgx += g * xh;
      dg[k]! += dyk * xh;
      db[k]! += dyk;
    }
    sg /= d;
    sgx /= d;
    const po = oo + r * d;
    for (let k = 0; k < d; k++) DX[po + k] = rs * (gRow[k]! - sg - xhRow[k]! * sgx);
  }
  for (let k = 0; k < d; k++) {
    DG[dgamma.offset + k] = dg[k]!;
    DB[dbeta.offset + k] = db[k]!;
  }
}

export function geluBackward(x: TensorView, dy: TensorView, dx: TensorView): void {
  const X = arrayOf(x);
  const G = arrayOf(dy);
  const O = arrayOf(dx);
  const n = x.shape.reduce((p, s) => p * s, 1);
  for (let i = 0; i < n; i++) O[dx.offset + i] = G[dy.offset + i]! * geluGrad(X[x.offset + i]!);
}

export function rowNorm(w: TensorView, out: TensorView): void {
  const W = arrayOf(w);
  const O = arrayOf(out);
  const [n, d] = rows(w);
  for (let r = 0; r < n; r++) {
    let s = 0;
    const p = w.offset + r * d;
    for (let k = 0; k < d; k++) s += W[p + k]! * W[p + k]!;
    O[out.offset + r] = Math.sqrt(s);
  }
}

export function matmulBiasAct(a: TensorView, b: TensorView, bias: TensorView, out: TensorView, attrs: OpAttrs['matmulBiasAct']): void {
  const [batch, M, K] = a.shape as [number, number, number];
  const N = b.shape[2]!;
  const A = arrayOf(a);
  const B = arrayOf(b);
  const O = arrayOf(out);
  const Bi = arrayOf(bias);
  for (let bi = 0; bi < batch; bi++) {
    const oOff = out.offset + bi * out.strides[0]!;
    gemm(
      M, N, K, 1, 0,
      A, a.offset + bi * a.strides[0]!, a.strides[1]!, a.strides[2]!,
      B, b.offset + bi * b.strides[0]!, b.strides[1]!, b.strides[2]!,
      O, oOff, out.strides[1]!,
    );
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) {
        const p = oOff + i * out.strides[1]! + j;
        const v = O[p]! + Bi[bias.offset + j * bias.strides[0]!]!;
        O[p] = attrs.activation === 'relu' ? (v > 0 ? v : 0) : attrs.activation === 'gelu' ? gelu(v) : attrs.activation === 'tanh' ? Math.tanh(v) : v;
      }
    }
  }
}

/** PyTorch AdamW: p ← p − lr·wd·p; m, v moments; p ← p − lr · m̂ / (√v̂ + eps). */
export function adamw(param: TensorView, grad: TensorView, m: TensorView, v: TensorView, attrs: OpAttrs['adamw']): void {
  const P = arrayOf(param);
  const G = arrayOf(grad);
  const Mm = arrayOf(m);
  const V = arrayOf(v);
  const { lr, beta1, beta2, eps, weightDecay, step } = attrs;
  const bc1 = 1 - Math.pow(beta1, step);
  const bc2 = 1 - Math.pow(beta2, step);
  const stepSize = lr / bc1;
  const bc2Sqrt = Math.sqrt(bc2);
  const n = param.shape.reduce((p, s) => p * s, 1);
  for (let i = 0; i < n; i++) {
    const g = G[grad.offset + i]!;
    let p = P[param.offset + i]!;
    p -= lr * weightDecay * p;
    const mi = beta1 * Mm[m.offset + i]! + (1 - beta1) * g;
    const vi = beta2 * V[v.offset + i]! + (1 - beta2) * g * g;
    Mm[m.offset + i] = mi;
    V[v.offset + i] = vi;
    P[param.offset + i] = p - (stepSize * mi) / (Math.sqrt(vi) / bc2Sqrt + eps);
  }
}
