/*
 * GELU (erf form) and its derivative, the costliest elementwise ops of a transformer FFN: the cpu
 * reference evaluates erf by a double-precision series, ~40x slower than a product's worth of
 * flops. Here, in f64x2 lanes:
 *   Φ2(x) = 1 + erf(x/√2), taken as erfc(|x|/√2) for x < 0 and 2 − erfc(x/√2) otherwise, so the
 *           left tail keeps its relative accuracy (no 1 + (−1 + tiny) cancellation);
 *   erfc(z) for z ≥ 0 by the Chebyshev-fitted form t·exp(−z² + P(t)), t = 1/(1 + z/2), whose
 *           published fractional error is below 1.2e-7 everywhere (Press et al., Numerical
 *           Recipes, §6.2) — float32 accuracy, which is what the results are stored in;
 *   exp     from simd_math.h.
 * Same rules as gemm.c: no libc, no shadow stack.
 */
#include "kernels.h"
#include "simd_math.h"

#define EXPORT(name) __attribute__((export_name(name)))

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
