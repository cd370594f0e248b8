import type { ProgramSpec } from '../programs.js';
import { lit } from './source.js';

/**
 * Row kernels over dense [rows, d] operands (the reduced axis last, as the contract guarantees
 * for fused ops). Each output element recomputes its row's statistics (d reads each), which costs
 * d× more reads than a two-pass scheme but needs one kernel and no intermediate texture; rows in
 * this project are a sequence or a hidden size long.
 */

/** Statements that set `base` (the row's first element) and `r` (the row) from the thread index. */
function rowOf(d: number): string {
  return `const t = this.thread.x + 0.0;
const r = Math.floor((t + 0.5) / ${lit(d)});
const base = r * ${lit(d)};`;
}

/** Statements that leave the row's maximum of `a` in `m` (0 when the row is all −∞, as the cpu backend does). */
function rowMax(d: number): string {
  return `let m = a[base];
for (let k = 1; k < ${d}; k++) { const v = a[base + k]; if (v > m) m = v; }
if (m < -3.4e38) m = 0.0;`;
}

/** y = softmax(x) (or log-softmax) along rows. */
export function softmaxSpec(rows: number, d: number, log: boolean): ProgramSpec {
  return {
    outputLength: rows * d,
    source: `function (a) {
${rowOf(d)}
${rowMax(d)}
let s = 0.0;
for (let k = 0; k < ${d}; k++) s = s + Math.exp(a[base + k] - m);
const x = a[this.thread.x];
return ${log ? 'x - (Math.log(s) + m)' : 'Math.exp(x - m) / s'};
}`,
  };
}

/** softmax: dx = y ⊙ (dy − Σ dy⊙y); log-softmax: dx = dy − exp(y) Σ dy. Arguments (y, dy). */
export function softmaxBackwardSpec(rows: number, d: number, log: boolean): ProgramSpec {
  return {
    outputLength: rows * d,
    source: `function (y, g) {
${rowOf(d)}
let s = 0.0;
for (let k = 0; k < ${d}; k++) s = s + ${log ? 'g[base + k]' : 'g[base + k] * y[base + k]'};
const yi = y[this.thread.x];
const gi = g[this.thread.x];
return ${log ? 'gi - Math.exp(yi) * s' : 'yi * (gi - s)'};
}`,
  };
}

/** Per row: [mean, rstd] interleaved (2·rows values), two-pass as the cpu backend computes them. */
export function layerNormStatsSpec(rows: number, d: number, eps: number): ProgramSpec {
  return {
    outputLength: rows * 2,
    source: `function (a) {
const t = this.thread.x + 0.0;
const r = Math.floor((t + 0.5) / 2.0);
const base = r * ${lit(d)};
let s = 0.0;
for (let k = 0; k < ${d}; k++) s = s + a[base + k];
const mu = s / ${lit(d)};
let v = 0.0;
for (let k = 0; k < ${d}; k++) { const c = a[base + k] - mu; v = v + c * c; }
const rs = 1.0 / Math.sqrt(v / ${lit(d)} + ${lit(eps)});
return t - r * 2.0 < 0.5 ? mu : rs;
}`,
  };
}

/** y = (x − μ)·rstd·γ + β, arguments (x, stats from layerNormStatsSpec, γ, β). */
export function layerNormSpec(rows: number, d: number): ProgramSpec {
  return {
    outputLength: rows * d,
    source: `function (a, stats, gamma, beta) {
${rowOf(d)}
const k = t - base;
return (a[this.thread.x] - stats[r * 2.0]) * stats[r * 2.0 + 1.0] * gamma[k] + beta[k];
}`,
  };
}

/** dx = rstd · (g − mean(g) − x̂ · mean(g ⊙ x̂)) with g = dy ⊙ γ; arguments (x, γ, mean, rstd, dy). */
export function layerNormDxSpec(rows: number, d: number): ProgramSpec {
  return {
    outputLength: rows * d,
    source: `function (x, gamma, mean, rstd, dy) {
${rowOf(d)}
const mu = mean[r];
const rs = rstd[r];
let sg = 0.0;
let sgx = 0.0;
for (let k = 0; k < ${d}; k++) {
  const g = dy[base + k] * gamma[k];
  sg = sg + g;
  sgx = sgx + g * (x[base + k] - mu) * rs;
}
sg = sg / ${lit(d)};
sgx = sgx / ${lit(d)};
const col = t - base;
const xh = (x[this.thread.x] - mu) * rs;
return rs * (dy[this.thread.x] * gamma[col] - sg - xh * sgx);
}`,
  };
}

/** [dγ, dβ] concatenated (2·d values): column sums of dy ⊙ x̂ and of dy; arguments (x, mean, rstd, dy). */
export function layerNormDParamsSpec(rows: number, d: number): ProgramSpec {
  return {
    outputLength: 2 * d,
    source: `function (x, mean, rstd, dy) {
const t = this.thread.x + 0.0;
const which = Math.floor((t + 0.5) / ${lit(d)});
const col = t - which * ${lit(d)};
let acc = 0.0;
let at = col;
let rf = 0.0;
for (let r = 0; r < ${rows}; r++) {
  const xh = which < 0.5 ? (x[at] - mean[rf]) * rstd[rf] : 1.0;
  acc = acc + dy[at] * xh;
  at = at + ${lit(d)};
  rf = rf + 1.0;
}
return acc;
}`,
  };
}
