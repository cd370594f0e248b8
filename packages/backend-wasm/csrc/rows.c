/*
 * Row kernels as chunks of a task, so that they run on every thread like the products: the task
 * block holds T_A (x or y), T_B (dy), T_C (the output), T_M rows of T_N elements, T_ROWS rows per
 * chunk. Elementwise kernels see their data as rows too (the caller picks a row length); the
 * random draws (KIND_PHILOX) and the fused dropout (KIND_DROPOUT) take their seed, counter
 * offset and distribution from T_PARAMS.
 */
#include "kernels.h"
#include "task.h"

void rows_chunk(const int32_t *t, float *scratch, int32_t chunk) {
  const int32_t per = ld(t, T_ROWS), total = ld(t, T_M), d = ld(t, T_N);
  const int32_t r0 = chunk * per;
  const int32_t nr = total - r0 < per ? total - r0 : per;
  const float *x = (const float *)(uintptr_t)ld(t, T_A) + r0 * d;
  const float *dy = (const float *)(uintptr_t)ld(t, T_B) + r0 * d;
  float *out = (float *)(uintptr_t)ld(t, T_C) + r0 * d;
  switch (ld(t, T_KIND)) {
    case KIND_GELU: gelu_f32(x, out, nr * d); break;
    case KIND_GELU_BACKWARD: gelu_backward_f32(x, dy, out, nr * d); break;
    case KIND_SOFTMAX: softmax_f32(x, out, (double *)scratch, nr, d); break;
    case KIND_SOFTMAX_BACKWARD: softmax_backward_f32(x, dy, out, nr, d); break;
    /* params: counter offset, seed (uint64), low, span, p (f64), bernoulli (int) — element r0 uses counter offset + r0 */
    case KIND_PHILOX:
      philox_range(out, nr * d, ld64(t, T_PARAMS) + (uint64_t)(r0 * d), ld64(t, T_PARAMS + 2), ld(t, T_PARAMS + 10),
                   ldd(t, T_PARAMS + 4), ldd(t, T_PARAMS + 6), ldd(t, T_PARAMS + 8));
      break;
    /* params: counter offset, seed (uint64), keep, scale (f64; scale is a float32 value) */
    case KIND_DROPOUT:
      dropout_range(x, out, nr * d, ld64(t, T_PARAMS) + (uint64_t)(r0 * d), ld64(t, T_PARAMS + 2), ldd(t, T_PARAMS + 4),
                    (float)ldd(t, T_PARAMS + 6));
      break;
    default: break;
  }
}
