/*
 * Softmax over the last axis and its backward, as the cpu reference computes them: the row max
 * skips NaN (and is taken as 0 when every entry is −∞), e^(x − max) and the row sum in f64, each
 * output rounded once from f64. `tmp` is caller-provided room for one row of f64 exponentials, so
 * e^x is evaluated once per element. Same rules as gemm.c: no libc, no shadow stack.
 */
#include "kernels.h"
#include "simd_math.h"

#define EXPORT(name) __attribute__((export_name(name)))

static float row_max(const float *x, int32_t d) {
  v128_t m = wasm_f32x4_splat(-__builtin_inff());
  int32_t k = 0;
  /* pmax(m, v) = m < v ? v : m keeps m when v is NaN, like the reference's `x > m` scan */
  for (; k + 4 <= d; k += 4) m = wasm_f32x4_pmax(m, wasm_v128_load(x + k));
  float r = wasm_f32x4_extract_lane(m, 0);
  const float l1 = wasm_f32x4_extract_lane(m, 1), l2 = wasm_f32x4_extract_lane(m, 2), l3 = wasm_f32x4_extract_lane(m, 3);
  if (l1 > r) r = l1;
  if (l2 > r) r = l2;
  if (l3 > r) r = l3;
  for (; k < d; k++)
    if (x[k] > r) r = x[k];
  return r;
}

EXPORT("softmax_f32")
void softmax_f32(const float *X, float *Y, double *tmp, int32_t n, int32_t d) {
  for (int32_t r = 0; r < n; r++) {
    const float *x = X + r * d;
    float *y = Y + r * d;
    float mf = row_max(x, d);
    if (mf == -__builtin_inff()) mf = 0;
    const v128_t m = splat(mf);
    v128_t acc = splat(0);
    int32_t k = 0;
    for (; k + 2 <= d; k += 2) {
      const v128_t e = exp2d(wasm_f64x2_sub(load2(x + k), m));
      wasm_v128_store(tmp + k, e);
      acc = wasm_f64x2_add(acc, e);
    }
    double s = wasm_f64x2_extract_lane(acc, 0) + wasm_f64x2_extract_lane(acc, 1);
    if (k < d) {
      tmp[k] = wasm_f64x2_extract_lane(exp2d(splat((double)x[k] - mf)), 0);
      s += tmp[k];
    }
    const v128_t vs = splat(s);
    for (k = 0; k + 2 <= d; k += 2) store2(y + k, wasm_f64x2_div(wasm_v128_load(tmp + k), vs));
    if (k < d) y[k] = (float)(tmp[k] / s);
  }
}

/* dx = y ⊙ (dy − Σ dy ⊙ y) per row. */
EXPORT("softmax_backward_f32")
void softmax_backward_f32(const float *Y, const float *DY, float *DX, int32_t n, int32_t d) {
  for (int32_t r = 0; r < n; r++) {
    const float *y = Y + r * d, *g = DY + r * d;
    float *o = DX + r * d;
    v128_t acc = splat(0);
    int32_t k = 0;
    for (; k + 2 <= d; k += 2) acc = fma2(load2(g + k), load2(y + k), acc);
    double s = wasm_f64x2_extract_lane(acc, 0) + wasm_f64x2_extract_lane(acc, 1);
    if (k < d) s += (double)g[k] * y[k];
    const v128_t vs = splat(s);
    for (k = 0; k + 2 <= d; k += 2) store2(o + k, wasm_f64x2_mul(load2(y + k), wasm_f64x2_sub(load2(g + k), vs)));
    if (k < d) o[k] = (float)(y[k] * (g[k] - s));
  }
}
