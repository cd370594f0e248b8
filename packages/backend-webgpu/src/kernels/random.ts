import type { OpAttrs, TensorView } from '@edora/tensor';
import { EXTRA, mapDispatch } from './map.js';
import type { Dispatch } from './program.js';

/**
 * Philox4x32-10, bit for bit the generator of `@edora/tensor`'s rng/philox.ts: element i uses
 * counter offset + i (a 64-bit sum done with an explicit carry) and key = seed's two 32-bit words.
 *
 * Bernoulli compares the 24-bit integer k = x0 >> 8 against ⌈p·2²⁴⌉ computed on the host: k·2⁻²⁴ < p
 * holds exactly when k < ⌈p·2²⁴⌉, so dropout masks match the cpu backend's double-precision
 * comparison without rounding p to float32. Uniform and normal compute in float32 (normal matches
 * within float32 error; uniform on [0, 1) is exact).
 *
 * Box–Muller takes ln and cos from BOX_MULLER, not WGSL's built-ins: WGSL lets cos be off by 2⁻¹¹
 * absolute and log by 2⁻²¹ absolute near 1, and Chromium's SwiftShader adapter uses that room
 * (normal samples 2·10⁻⁴ from the float64 reference, where the contract asks for 1e-5).
 */
const PHILOX = /* wgsl */ `
fn mulhi(a: u32, b: u32) -> u32 {
  let aL = a & 0xffffu; let aH = a >> 16u; let bL = b & 0xffffu; let bH = b >> 16u;
  let ll = aL * bL; let lh = aL * bH; let hl = aH * bL; let hh = aH * bH;
  let mid = (ll >> 16u) + (lh & 0xffffu) + (hl & 0xffffu);
  return hh + (lh >> 16u) + (hl >> 16u) + (mid >> 16u);
}

fn philox(c0_: u32, c1_: u32, k0_: u32, k1_: u32) -> vec2<u32> {
  var x0 = c0_; var x1 = c1_; var x2 = 0u; var x3 = 0u;
  var k0 = k0_; var k1 = k1_;
  for (var r = 0; r < 10; r++) {
    let hi0 = mulhi(0xd2511f53u, x0); let lo0 = 0xd2511f53u * x0;
    let hi1 = mulhi(0xcd9e8d57u, x2); let lo1 = 0xcd9e8d57u * x2;
    x0 = hi1 ^ x1 ^ k0; x1 = lo1; x2 = hi0 ^ x3 ^ k1; x3 = lo0;
    k0 = k0 + 0x9e3779b9u; k1 = k1 + 0xbb67ae85u;
  }
  return vec2<u32>(x0, x1);
}`;

/**
 * ln x for x in (0, 1] and cos 2πt for t in [0, 1), to a few float32 ulps. ln: x = m·2ᵉ with m in
 * [√½, √2), ln m = 2·atanh s, s = (m − 1)/(m + 1), |s| ≤ 0.172 (the series' next term is below
 * 10⁻⁹). cos: t minus its nearest quarter turn q/4 is exact (t is a multiple of 2⁻²⁴), leaving
 * a in [−π/4, π/4] for Taylor polynomials of cos and sin (truncation below 3·10⁻⁸).
 */
const BOX_MULLER = /* wgsl */ `
fn lnUnit(x: f32) -> f32 {
  let fe = frexp(x);
  var m = fe.fract;
  var e = f32(fe.exp);
  if (m < 0.70710678) { m = 2.0 * m; e = e - 1.0; }
  let s = (m - 1.0) / (m + 1.0);
  let s2 = s * s;
  let atanh = s * (1.0 + s2 * (0.33333333 + s2 * (0.2 + s2 * (0.14285715 + s2 * 0.11111111))));
  return 2.0 * atanh + e * 0.6931471805599453;
}

fn cos2pi(t: f32) -> f32 {
  let q = round(4.0 * t);
  let a = (t - 0.25 * q) * 6.283185307179586;
  let a2 = a * a;
  let c = 1.0 + a2 * (-0.5 + a2 * (0.041666668 + a2 * (-0.0013888889 + a2 * 0.000024801587)));
  let s = a * (1.0 + a2 * (-0.16666667 + a2 * (0.0083333333 + a2 * (-0.00019841270 + a2 * 0.0000027557319))));
  switch (u32(q) & 3u) {
    case 0u: { return c; }
    case 1u: { return -s; }
    case 2u: { return -c; }
    default: { return s; }
  }
}`;

const DIST_CODE = { uniform: 0, normal: 1, bernoulli: 2 } as const;
const TWO32 = 4294967296;

export function random(out: TensorView, attrs: OpAttrs['random']): Dispatch | null {
  const low = attrs.low ?? 0;
  const high = attrs.high ?? 1;
  const p = attrs.p ?? 0.5;
  const threshold = Math.min(Math.max(Math.ceil(p * 16777216), 0), 16777216);
  const dist = DIST_CODE[attrs.dist];
  const store = out.dtype === 'int32' ? 'i32(r)' : 'r';
  return mapDispatch({
    op: `random ${attrs.dist}`,
    key: `random:${dist}:${out.dtype}`,
    shape: out.shape,
    views: [out],
    writes: [true],
    prelude: dist === 1 ? PHILOX + BOX_MULLER : PHILOX,
    extra: (q) =>
      q
        .u(EXTRA, attrs.offset % TWO32)
        .u(EXTRA + 1, Math.floor(attrs.offset / TWO32))
        .u(EXTRA + 2, attrs.seed % TWO32)
        .u(EXTRA + 3, Math.floor(attrs.seed / TWO32) % TWO32)
        .f(EXTRA + 4, low)
        .f(EXTRA + 5, high - low)
        .f(EXTRA + 6, attrs.mean ?? 0)
        .f(EXTRA + 7, attrs.std ?? 1)
        .u(EXTRA + 8, threshold),
    body: `
  let olo = pu(${EXTRA}u);
  let c0 = olo + i;
  let c1 = pu(${EXTRA + 1}u) + select(0u, 1u, c0 < olo);
  let x = philox(c0, c1, pu(${EXTRA + 2}u), pu(${EXTRA + 3}u));
  let k = x.x >> 8u;
  let u0 = f32(k) * 5.9604644775390625e-8;
  var r: f32;
  ${
    dist === 0
      ? `r = pf(${EXTRA + 4}u) + pf(${EXTRA + 5}u) * u0;`
      : dist === 2
        ? `r = select(0.0, 1.0, k < pu(${EXTRA + 8}u));`
        : `let u1 = f32(x.y >> 8u) * 5.9604644775390625e-8;
  r = pf(${EXTRA + 6}u) + pf(${EXTRA + 7}u) * (sqrt(-2.0 * lnUnit(1.0 - u0)) * cos2pi(u1));`
  }
  st0(o0, ${store});`,
  });
}
