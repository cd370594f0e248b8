import type { OpAttrs, TensorView } from '@edora/tensor';
import { WGSL_MATH } from './math.js';
import { ParamBuilder, WG_LINEAR, grid1d, type Dispatch } from './program.js';
import { wgMax, wgSum, workgroupReduceWgsl } from './workgroup-reduce.js';

/**
 * Row-wise tier-1 kernels: one 64-invocation workgroup per row of the (contiguous, reduced-axis
 * last) input, row statistics by wgSum/wgMax (subgroup operations when the device has them, else
 * a tree in workgroup memory; see workgroup-reduce.ts). Params: 0 rows, 1 row length D, 2.. each
 * view's element offset, 16.. the op's scalars.
 */
const WG = 64;


/** [rows, row length]; rows of length 0 still count (rowNorm of an empty row is 0, not unwritten). */
function rowsOf(v: TensorView): [number, number] {
  const d = v.shape.length === 0 ? 1 : v.shape[v.shape.length - 1]!;
  const n = v.shape.slice(0, -1).reduce((p, s) => p * s, 1);
  return [n, d];
}

function rowDispatch(
  op: string, key: string, views: readonly TensorView[], writes: readonly boolean[], rows: number, d: number, body: string,
  subgroups: boolean, extra?: (p: ParamBuilder) => void,
): Dispatch | null {
  if (rows === 0) return null;
  const p = new ParamBuilder().u(0, rows).u(1, d);
  views.forEach((v, k) => p.u(2 + k, v.offset));
  extra?.(p);
  return {
    op,
    key: `row:${key}${subgroups ? ':sg' : ''}`,
    views,
    writes,
    ...(subgroups ? { enables: ['subgroups'] as const } : {}),
    wgsl: () => `${WGSL_MATH}${workgroupReduceWgsl(WG, subgroups, [wgSum, wgMax])}
@compute @workgroup_size(${WG})
fn main(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  ${WG_LINEAR}
  let row = wgi;
  if (row >= pu(0u)) { return; }
  let D = pu(1u);
  ${body}
}`,
    params: p,
    grid: grid1d(rows),
  };
}

/** base of view k's row: offset + row·D */
const base = (k: number): string => `pu(${2 + k}u) + row * D`;

export function softmax(x: TensorView, y: TensorView, log: boolean, subgroups: boolean): Dispatch | null {
  const [n, d] = rowsOf(x);
  return rowDispatch(log ? 'logSoftmax' : 'softmax', `softmax:${log}`, [x, y], [false, true], n, d, `
  let bx = ${base(0)}; let by = ${base(1)};
  var m = negInf();
  for (var k = lid; k < D; k += ${WG}u) { m = max(m, ld0(bx + k)); }
  m = wgMax(m, lid);
  if (m == negInf()) { m = 0.0; }
  var s = 0.0;
  for (var k = lid; k < D; k += ${WG}u) { s += exp(ld0(bx + k) - m); }
  s = wgSum(s, lid);
  ${log ? 'let ls = log(s) + m;' : 'let inv = 1.0 / s;'}
  for (var k = lid; k < D; k += ${WG}u) {
    ${log ? 'st1(by + k, ld0(bx + k) - ls);' : 'st1(by + k, exp(ld0(bx + k) - m) * inv);'}
  }`, subgroups);
}

export function softmaxBackward(y: TensorView, dy: TensorView, dx: TensorView, log: boolean, subgroups: boolean): Dispatch | null {
  const [n, d] = rowsOf(y);
  return rowDispatch(log ? 'logSoftmaxBackward' : 'softmaxBackward', `softmaxBwd:${log}`, [y, dy, dx], [false, false, true], n, d, `
  let by = ${base(0)}; let bg = ${base(1)}; let bo = ${base(2)};
  var s = 0.0;
  for (var k = lid; k < D; k += ${WG}u) { s += ${log ? 'ld1(bg + k)' : 'ld1(bg + k) * ld0(by + k)'}; }
  s = wgSum(s, lid);
  for (var k = lid; k < D; k += ${WG}u) {
    ${log ? 'st2(bo + k, ld1(bg + k) - exp(ld0(by + k)) * s);' : 'st2(bo + k, ld0(by + k) * (ld1(bg + k) - s));'}
  }`, subgroups);
}

export function softmaxCrossEntropy(
  logits: TensorView, labels: TensorView, loss: TensorView, probs: TensorView, attrs: OpAttrs['softmaxCrossEntropy'], subgroups: boolean,
): Dispatch | null {
  const [n, c] = rowsOf(logits);
  return rowDispatch('softmaxCrossEntropy', 'sce', [logits, labels, loss, probs], [false, false, true, true], n, c, `
  let bx = ${base(0)}; let bp = ${base(3)};
  var m = negInf();
  for (var k = lid; k < D; k += ${WG}u) { m = max(m, ld0(bx + k)); }
  m = wgMax(m, lid);
  if (m == negInf()) { m = 0.0; }
  var s = 0.0;
  for (var k = lid; k < D; k += ${WG}u) { s += exp(ld0(bx + k) - m); }
  s = wgSum(s, lid);
  let inv = 1.0 / s;
  for (var k = lid; k < D; k += ${WG}u) { st3(bp + k, exp(ld0(bx + k) - m) * inv); }
  if (lid == 0u) {
    let label = ld1(pu(3u) + row);
    var l = 0.0;
    if (label != pi(16u) && label >= 0 && u32(label) < D) { l = log(s) + m - ld0(bx + u32(label)); }
    st2(pu(4u) + row, l);
  }`, subgroups, (p) => p.i(16, attrs.ignoreIndex));
}

export function softmaxCrossEntropyBackward(
  probs: TensorView, labels: TensorView, dloss: TensorView, dlogits: TensorView, attrs: OpAttrs['softmaxCrossEntropyBackward'],
  subgroups: boolean,
): Dispatch | null {
  const [n, c] = rowsOf(probs);
  return rowDispatch('softmaxCrossEntropyBackward', 'sceBwd', [probs, labels, dloss, dlogits], [false, false, false, true], n, c, `
  let bp = ${base(0)}; let bo = ${base(3)};
  let label = ld1(pu(3u) + row);
  let valid = label != pi(16u) && label >= 0 && u32(label) < D;
  let g = ld2(pu(4u) + row);
  for (var k = lid; k < D; k += ${WG}u) {
    let hot = select(0.0, 1.0, i32(k) == label);
    st3(bo + k, select(0.0, g * (ld0(bp + k) - hot), valid));
  }`, subgroups, (p) => p.i(16, attrs.ignoreIndex));
}

export function layerNorm(
  x: TensorView, gamma: TensorView, beta: TensorView, y: TensorView, mean: TensorView, rstd: TensorView, eps: number, subgroups: boolean,
): Dispatch | null {
  const [n, d] = rowsOf(x);
  return rowDispatch('layerNorm', 'layerNorm', [x, gamma, beta, y, mean, rstd], [false, false, false, true, true, true], n, d, `
  let bx = ${base(0)}; let by = ${base(3)};
  var s = 0.0;
  for (var k = lid; k < D; k += ${WG}u) { s += ld0(bx + k); }
  let mu = wgSum(s, lid) / f32(D);
  var v = 0.0;
  for (var k = lid; k < D; k += ${WG}u) { let t = ld0(bx + k) - mu; v += t * t; }
  let rs = 1.0 / sqrt(wgSum(v, lid) / f32(D) + pf(16u));
  for (var k = lid; k < D; k += ${WG}u) {
    st3(by + k, (ld0(bx + k) - mu) * rs * ld1(pu(3u) + k) + ld2(pu(4u) + k));
  }
  if (lid == 0u) { st4(pu(6u) + row, mu); st5(pu(7u) + row, rs); }`, subgroups, (p) => p.f(16, eps));
}

/**
 * dx per row (x̂ = (x − μ)·rstd, g = dy ⊙ γ: dx = rstd · (g − mean g − x̂ · mean(g ⊙ x̂))); dγ and dβ
 * are column sums over rows, a second dispatch with one invocation per column walking the rows.
 */
export function layerNormBackward(
  x: TensorView, gamma: TensorView, mean: TensorView, rstd: TensorView, dy: TensorView,
  dx: TensorView, dgamma: TensorView, dbeta: TensorView, subgroups: boolean,
): Dispatch[] {
  const [n, d] = rowsOf(x);
  const out: Dispatch[] = [];
  const rowPart = rowDispatch('layerNormBackward', 'lnBwdRows', [x, gamma, mean, rstd, dy, dx], [false, false, false, false, false, true], n, d, `
  let bx = ${base(0)}; let bg = ${base(4)}; let bo = ${base(5)};
  let mu = ld2(pu(4u) + row); let rs = ld3(pu(5u) + row);
  var sg = 0.0; var sgx = 0.0;
  for (var k = lid; k < D; k += ${WG}u) {
    let xh = (ld0(bx + k) - mu) * rs;
    let g = ld4(bg + k) * ld1(pu(3u) + k);
    sg += g; sgx += g * xh;
  }
  sg = wgSum(sg, lid) / f32(D);
  sgx = wgSum(sgx, lid) / f32(D);
  for (var k = lid; k < D; k += ${WG}u) {
    let xh = (ld0(bx + k) - mu) * rs;
    let g = ld4(bg + k) * ld1(pu(3u) + k);
    st5(bo + k, rs * (g - sg - xh * sgx));
  }`, subgroups);
  if (rowPart) out.push(rowPart);
  if (d > 0) {
    const p = new ParamBuilder().u(0, n).u(1, d);
    [x, mean, rstd, dy, dgamma, dbeta].forEach((v, k) => p.u(2 + k, v.offset));
    out.push({
      op: 'layerNormBackward',
      key: 'lnBwdCols',
      views: [x, mean, rstd, dy, dgamma, dbeta],
      writes: [false, false, false, false, true, true],
      wgsl: () => `
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let col = gid.x;
  let N = pu(0u); let D = pu(1u);
  if (col >= D) { return; }
  var dg = 0.0; var db = 0.0;
  for (var r = 0u; r < N; r++) {
    let g = ld3(pu(5u) + r * D + col);
    let xh = (ld0(pu(2u) + r * D + col) - ld1(pu(3u) + r)) * ld2(pu(4u) + r);
    dg += g * xh; db += g;
  }
  st4(pu(6u) + col, dg);
  st5(pu(7u) + col, db);
}`,
      params: p,
      grid: [Math.ceil(d / 64), 1, 1],
    });
  }
  return out;
}

export function rowNorm(w: TensorView, out: TensorView, subgroups: boolean): Dispatch | null {
  const [n, d] = rowsOf(w);
  return rowDispatch('rowNorm', 'rowNorm', [w, out], [false, true], n, d, `
  let bw = ${base(0)};
  var s = 0.0;
  for (var k = lid; k < D; k += ${WG}u) { let v = ld0(bw + k); s += v * v; }
  s = wgSum(s, lid);
  if (lid == 0u) { st1(pu(3u) + row, sqrt(s)); }`, subgroups);
}
