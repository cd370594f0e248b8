/*
 * Sum along one axis of a dense float32 tensor, as the cpu kernel computes it: each output
 * element accumulates its elements in order in double precision with Neumaier's compensation,
 * then s + comp is rounded to float32. Two output elements run side by side in the two f64 lanes
 * of a v128; each lane performs exactly the cpu kernel's sequence of double operations, so the
 * result is bit-identical. Same rules as gemm.c: no libc, no shadow stack.
 */
#include <stdint.h>
#include <wasm_simd128.h>

#define EXPORT(name) __attribute__((export_name(name)))

/* x is [outer, len, inner] (row-major), out is [outer, inner]: out[o, i] = Σ_k x[o, k, i]. */
EXPORT("reduce_sum_f32")
void reduce_sum_f32(const float *X, float *O, int32_t outer, int32_t len, int32_t inner) {
  const int32_t n = outer * inner;
  const int32_t block = len * inner;
  int32_t q = 0;
  for (; q + 2 <= n; q += 2) {
    /* where each lane's output element starts; the two may sit in different [len, inner] blocks */
    const float *p0 = X + (q / inner) * block + q % inner;
    const float *p1 = X + ((q + 1) / inner) * block + (q + 1) % inner;
    v128_t s = wasm_f64x2_splat(0), comp = s;
    for (int32_t k = 0; k < len; k++, p0 += inner, p1 += inner) {
      const v128_t v = wasm_f64x2_make((double)*p0, (double)*p1);
      const v128_t t = wasm_f64x2_add(s, v);
      const v128_t sBig = wasm_f64x2_ge(wasm_f64x2_abs(s), wasm_f64x2_abs(v));
      const v128_t c1 = wasm_f64x2_add(wasm_f64x2_sub(s, t), v);
      const v128_t c2 = wasm_f64x2_add(wasm_f64x2_sub(v, t), s);
      comp = wasm_f64x2_add(comp, wasm_v128_bitselect(c1, c2, sBig));
      s = t;
    }
    const v128_t r = wasm_f64x2_add(s, comp);
    O[q] = (float)wasm_f64x2_extract_lane(r, 0);
    O[q + 1] = (float)wasm_f64x2_extract_lane(r, 1);
  }
  if (q < n) {
    const float *p = X + (q / inner) * block + q % inner;
    double s = 0, comp = 0;
    for (int32_t k = 0; k < len; k++, p += inner) {
      const double v = *p, t = s + v;
      comp += __builtin_fabs(s) >= __builtin_fabs(v) ? (s - t) + v : (v - t) + s;
      s = t;
    }
    O[q] = (float)(s + comp);
  }
}
