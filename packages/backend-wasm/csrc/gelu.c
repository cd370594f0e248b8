/*
 * GELU (erf form) and its derivative, the costliest elementwise ops of a transformer FFN: the cpu
 * reference evaluates erf by a double-precision series, ~40x slower than a product's worth of
 * flops. Here, in f64x2 lanes:
 *   Φ2(x) = 1 + erf(x/√2), taken as erfc(|x|/√2) for x < 0 and 2 − erfc(x/√2) otherwise, so the
 *           left tail keeps its relative accuracy (no 1 + (−1 + tiny) cancellation);
 *   erfc(z) for z ≥ 0 by the Chebyshev-fitted form t·exp(−z² + P(t)), t = 1/(1 + z/2), whose
 *           published fractional error is below 1.2e-7 everywhere (Press et al., Numerical
 *           Recipes, §6.2) — float32 accuracy, which is what the results are stored in;
 *   exp     by range reduction x = k·ln2 + r, |r| ≤ ln2/2, a degree-11 Taylor polynomial in r
 *           (error < 1e-13) and 2^k built in the exponent bits.
 * Same rules as gemm.c: no libc, no shadow stack.
 */
#include <stdint.h>
#include <wasm_simd128.h>

#define EXPORT(name) __attribute__((export_name(name)))

static inline v128_t splat(double v) { return wasm_f64x2_splat(v); }
static inline v128_t load2(const float *p) { return wasm_f64x2_promote_low_f32x4(wasm_v128_load64_zero(p)); }
static inline void store2(float *p, v128_t v) { wasm_v128_store64_lane(p, wasm_f32x4_demote_f64x2_zero(v), 0); }
static inline v128_t fma2(v128_t a, v128_t b, v128_t c) { return wasm_f64x2_add(wasm_f64x2_mul(a, b), c); }

/*
 * e^x; exactly 0 below −708 (where doubles turn subnormal; the reference's tiny subnormals and
 * our 0 differ by < 1e-307), so that ∞ · e^(−∞) is NaN as in the reference. Inputs above 700 are
 * clamped (no caller passes them: every argument here is ≤ 0).
 */
static inline v128_t exp2d(v128_t x0) {
  const v128_t x = wasm_f64x2_min(wasm_f64x2_max(x0, splat(-708.0)), splat(700.0));
  const v128_t k = wasm_f64x2_nearest(wasm_f64x2_mul(x, splat(1.4426950408889634)));
  /* ln2 split in two so that k·ln2_hi is exact */
  v128_t r = wasm_f64x2_sub(x, wasm_f64x2_mul(k, splat(6.93147180369123816490e-01)));
  r = wasm_f64x2_sub(r, wasm_f64x2_mul(k, splat(1.90821492927058770002e-10)));
  v128_t p = splat(1.0 / 39916800.0);
  p = fma2(p, r, splat(1.0 / 3628800.0));
  p = fma2(p, r, splat(1.0 / 362880.0));
  p = fma2(p, r, splat(1.0 / 40320.0));
  p = fma2(p, r, splat(1.0 / 5040.0));
  p = fma2(p, r, splat(1.0 / 720.0));
  p = fma2(p, r, splat(1.0 / 120.0));
  p = fma2(p, r, splat(1.0 / 24.0));
  p = fma2(p, r, splat(1.0 / 6.0));
  p = fma2(p, r, splat(0.5));
  p = fma2(p, r, splat(1.0));
  p = fma2(p, r, splat(1.0));
  /* 2^k: k + 2^52 + 1023 holds k + 1023 in its low mantissa bits; shift them into the exponent */
  const v128_t bits = wasm_f64x2_add(k, splat(4503599627371519.0));
  const v128_t e = wasm_f64x2_mul(p, wasm_i64x2_shl(bits, 52));
  return wasm_v128_andnot(e, wasm_f64x2_lt(x0, splat(-708.0)));
}

/* erfc(z) for z ≥ 0, fractional error < 1.2e-7. */
static inline v128_t erfc2(v128_t z) {
  const v128_t t = wasm_f64x2_div(splat(1.0), fma2(z, splat(0.5), splat(1.0)));
  v128_t p = splat(0.17087277);
  p = fma2(p, t, splat(-0.82215223));
  p = fma2(p, t, splat(1.48851587));
  p = fma2(p, t, splat(-1.13520398));
  p = fma2(p, t, splat(0.27886807));
  p = fma2(p, t, splat(-0.18628806));
  p = fma2(p, t, splat(0.09678418));
  p = fma2(p, t, splat(0.37409196));
  p = fma2(p, t, splat(1.00002368));
  p = fma2(p, t, splat(-1.26551223));
  return wasm_f64x2_mul(t, exp2d(wasm_f64x2_sub(p, wasm_f64x2_mul(z, z))));
}

/* 1 + erf(x/√2) = 2Φ(x). */
static inline v128_t phi2(v128_t x) {
  const v128_t e = erfc2(wasm_f64x2_mul(wasm_f64x2_abs(x), splat(0.7071067811865476)));
  const v128_t neg = wasm_f64x2_lt(x, splat(0.0));
  return wasm_v128_bitselect(e, wasm_f64x2_sub(splat(2.0), e), neg);
}

static inline v128_t gelu2(v128_t x) { return wasm_f64x2_mul(wasm_f64x2_mul(splat(0.5), x), phi2(x)); }

/* d/dx GELU = Φ(x) + x·φ(x). */
static inline v128_t gelu_grad2(v128_t x) {
  const v128_t pdf = wasm_f64x2_mul(splat(0.3989422804014327), exp2d(wasm_f64x2_mul(splat(-0.5), wasm_f64x2_mul(x, x))));
  return fma2(x, pdf, wasm_f64x2_mul(splat(0.5), phi2(x)));
}

/* The last odd element goes through a lane of its own (no scalar copy of the formulas). */
EXPORT("gelu_f32")
void gelu_f32(const float *X, float *Y, int32_t n) {
  int32_t i = 0;
  for (; i + 2 <= n; i += 2) store2(Y + i, gelu2(load2(X + i)));
  if (i < n) Y[i] = (float)wasm_f64x2_extract_lane(gelu2(splat(X[i])), 0);
}

EXPORT("gelu_backward_f32")
void gelu_backward_f32(const float *X, const float *DY, float *DX, int32_t n) {
  int32_t i = 0;
  for (; i + 2 <= n; i += 2) store2(DX + i, wasm_f64x2_mul(load2(DY + i), gelu_grad2(load2(X + i))));
  if (i < n) DX[i] = (float)(DY[i] * wasm_f64x2_extract_lane(gelu_grad2(splat(X[i])), 0));
}
