/*
 * Shared f64x2 helpers of the elementwise kernels: lane loads/stores of float32 pairs and e^x.
 * Static inline only (each kernel file gets its own copy; nothing here has state).
 */
#ifndef EDORA_SIMD_MATH_H
#define EDORA_SIMD_MATH_H
#include <stdint.h>
#include <wasm_simd128.h>

static inline v128_t splat(double v) { return wasm_f64x2_splat(v); }
static inline v128_t load2(const float *p) { return wasm_f64x2_promote_low_f32x4(wasm_v128_load64_zero(p)); }
static inline void store2(float *p, v128_t v) { wasm_v128_store64_lane(p, wasm_f32x4_demote_f64x2_zero(v), 0); }
static inline v128_t fma2(v128_t a, v128_t b, v128_t c) { return wasm_f64x2_add(wasm_f64x2_mul(a, b), c); }

/*
 * e^x by range reduction x = k·ln2 + r, |r| ≤ ln2/2, a degree-11 Taylor polynomial in r (error
 * < 1e-13) and 2^k built in the exponent bits. Exactly 0 below −708, where doubles turn subnormal
 * (the reference's subnormals and our 0 differ by < 1e-307), so that ∞ · e^(−∞) is NaN as in the
 * reference. Inputs above 700 are clamped (no caller passes them: every argument here is ≤ 0).
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

#endif
