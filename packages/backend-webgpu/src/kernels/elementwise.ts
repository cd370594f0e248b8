import type { BinaryFn, OpAttrs, TensorView, UnaryFn } from '@edora/tensor';
import { EXTRA, mapDispatch } from './map.js';
import { WGSL_MATH } from './math.js';
import { wgslType, type Dispatch } from './program.js';

/** Elementwise ops of tier 0 (and the two elementwise tier-1 ops) on the strided skeleton. */

const UNARY: Record<UnaryFn, string> = {
  neg: '-x',
  abs: 'abs(x)',
  sign: 'select(select(select(nanF(), 0.0, x == 0.0), -1.0, x < 0.0), 1.0, x > 0.0)',
  exp: 'exp(x)',
  log: 'log(x)',
  sqrt: 'sqrt(x)',
  // 1/sqrt rather than inverseSqrt: the built-in is allowed 2 ulp, the division is exact-rounded
  rsqrt: '1.0 / sqrt(x)',
  reciprocal: '1.0 / x',
  square: 'x * x',
  tanh: 'tanh_(x)',
  erf: 'erf_(x)',
  sigmoid: 'sigmoid_(x)',
  relu: 'select(0.0, x, x > 0.0)',
  gelu: 'gelu_(x)',
};

const F32_BINARY: Record<BinaryFn, string> = {
  add: 'a + b',
  sub: 'a - b',
  mul: 'a * b',
  div: 'a / b',
  pow: 'pow_(a, b)',
  max: 'select(select(b, a, a > b), nanF(), isNan(a) || isNan(b))',
  min: 'select(select(b, a, a < b), nanF(), isNan(a) || isNan(b))',
  eq: 'select(0.0, 1.0, a == b)',
  ne: 'select(0.0, 1.0, a != b)',
  lt: 'select(0.0, 1.0, a < b)',
  le: 'select(0.0, 1.0, a <= b)',
  gt: 'select(0.0, 1.0, a > b)',
  ge: 'select(0.0, 1.0, a >= b)',
};

const I32_BINARY: Record<BinaryFn, string> = {
  add: 'a + b',
  sub: 'a - b',
  mul: 'a * b',
  // C-style truncating division; x / 0 is 0 like the cpu backend
  div: 'select(a / select(b, 1, b == 0), 0, b == 0)',
  pow: 'i32(pow_(f32(a), f32(b)))',
  max: 'max(a, b)',
  min: 'min(a, b)',
  eq: 'a == b',
  ne: 'a != b',
  lt: 'a < b',
  le: 'a <= b',
  gt: 'a > b',
  ge: 'a >= b',
};

const COMPARE = new Set<BinaryFn>(['eq', 'ne', 'lt', 'le', 'gt', 'ge']);

/** pow with a negative base: defined for integral exponents (sign from parity), NaN otherwise. */
const POW = `
fn pow_(a: f32, b: f32) -> f32 {
  if (b == 0.0) { return 1.0; }
  if (a > 0.0) { return exp2(b * log2(a)); }
  if (a == 0.0) { return select(posInf(), 0.0, b > 0.0); }
  if (floor(b) != b) { return nanF(); }
  let m = exp2(b * log2(-a));
  return select(m, -m, (i32(b) & 1) == 1);
}`;

export function fill(out: TensorView, attrs: OpAttrs['fill']): Dispatch | null {
  const t = wgslType(out.dtype);
  return mapDispatch({
    op: 'fill',
    key: `fill:${t}`,
    shape: out.shape,
    views: [out],
    writes: [true],
    extra: (p) => (t === 'f32' ? p.f(EXTRA, attrs.value) : p.i(EXTRA, attrs.value)),
    body: `st0(o0, ${t === 'f32' ? `pf(${EXTRA}u)` : `pi(${EXTRA}u)`});`,
  });
}

/** copy and cast: float→int truncates toward zero (WGSL's i32(f32) does). */
export function copyCast(op: 'copy' | 'cast', x: TensorView, out: TensorView): Dispatch | null {
  const tx = wgslType(x.dtype);
  const to = wgslType(out.dtype);
  return mapDispatch({
    op,
    key: `copy:${tx}:${to}`,
    shape: out.shape,
    views: [x, out],
    writes: [false, true],
    body: `st1(o1, ${tx === to ? 'ld0(o0)' : `${to}(ld0(o0))`});`,
  });
}

export function unary(x: TensorView, out: TensorView, attrs: OpAttrs['unary']): Dispatch | null {
  const int = out.dtype === 'int32';
  const expr = UNARY[attrs.fn];
  return mapDispatch({
    op: `unary ${attrs.fn}`,
    key: `unary:${attrs.fn}:${x.dtype}:${out.dtype}`,
    shape: out.shape,
    views: [x, out],
    writes: [false, true],
    prelude: WGSL_MATH,
    body: `let x = f32(ld0(o0)); st1(o1, ${int ? `i32(${expr})` : expr});`,
  });
}

export function binary(a: TensorView, b: TensorView, out: TensorView, attrs: OpAttrs['binary']): Dispatch | null {
  const intIn = a.dtype === 'int32' && b.dtype === 'int32';
  const cmp = COMPARE.has(attrs.fn);
  let expr: string;
  if (intIn) expr = cmp ? `select(0.0, 1.0, ${I32_BINARY[attrs.fn]})` : I32_BINARY[attrs.fn];
  else expr = F32_BINARY[attrs.fn];
  const load = intIn ? 'let a = ld0(o0); let b = ld1(o1);' : 'let a = f32(ld0(o0)); let b = f32(ld1(o1));';
  const to = wgslType(out.dtype);
  const resultType = intIn && !cmp ? 'i32' : 'f32';
  const store = resultType === to ? expr : `${to}(${expr})`;
  return mapDispatch({
    op: `binary ${attrs.fn}`,
    key: `binary:${attrs.fn}:${a.dtype}:${b.dtype}:${out.dtype}`,
    shape: out.shape,
    views: [a, b, out],
    writes: [false, false, true],
    prelude: WGSL_MATH + POW,
    body: `${load} st2(o2, ${store});`,
  });
}

export function where(c: TensorView, a: TensorView, b: TensorView, out: TensorView): Dispatch | null {
  return mapDispatch({
    op: 'where',
    key: `where:${c.dtype}:${out.dtype}`,
    shape: out.shape,
    views: [c, a, b, out],
    writes: [false, false, false, true],
    body: `st3(o3, select(ld2(o2), ld1(o1), f32(ld0(o0)) != 0.0));`,
  });
}

export function geluBackward(x: TensorView, dy: TensorView, dx: TensorView): Dispatch | null {
  return mapDispatch({
    op: 'geluBackward',
    key: 'geluBackward',
    shape: dx.shape,
    views: [x, dy, dx],
    writes: [false, false, true],
    prelude: WGSL_MATH,
    body: 'st2(o2, ld1(o1) * geluGrad_(ld0(o0)));',
  });
}

/**
 * PyTorch's AdamW with the bias corrections folded on the host (in float64) into two scalars, so
 * the kernel does the float32 part only: p ← p(1 − lr·wd); m, v moments; p ← p − s·m / (√v / c + eps)
 * with s = lr / (1 − β1ᵗ), c = √(1 − β2ᵗ).
 */
export function adamw(p: TensorView, g: TensorView, m: TensorView, v: TensorView, attrs: OpAttrs['adamw']): Dispatch | null {
  const bc1 = 1 - Math.pow(attrs.beta1, attrs.step);
  const bc2 = 1 - Math.pow(attrs.beta2, attrs.step);
  return mapDispatch({
    op: 'adamw',
    key: 'adamw',
    shape: p.shape,
    views: [p, g, m, v],
    writes: [true, false, true, true],
    extra: (q) =>
      q
        .f(EXTRA, 1 - attrs.lr * attrs.weightDecay)
        .f(EXTRA + 1, attrs.beta1)
        .f(EXTRA + 2, 1 - attrs.beta1)
        .f(EXTRA + 3, attrs.beta2)
        .f(EXTRA + 4, 1 - attrs.beta2)
        .f(EXTRA + 5, attrs.lr / bc1)
        .f(EXTRA + 6, Math.sqrt(bc2))
        .f(EXTRA + 7, attrs.eps),
    body: `
  let gr = ld1(o1);
  let pd = ld0(o0) * pf(${EXTRA}u);
  let mi = pf(${EXTRA + 1}u) * ld2(o2) + pf(${EXTRA + 2}u) * gr;
  let vi = pf(${EXTRA + 3}u) * ld3(o3) + pf(${EXTRA + 4}u) * gr * gr;
  st2(o2, mi);
  st3(o3, vi);
  st0(o0, pd - (pf(${EXTRA + 5}u) * mi) / (sqrt(vi) / pf(${EXTRA + 6}u) + pf(${EXTRA + 7}u)));`,
  });
}
