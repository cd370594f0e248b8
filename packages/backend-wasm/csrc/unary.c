/*
 * The float32 unary functions whose result, computed once in float32, equals the cpu kernel's
 * double-precision result rounded to float32: negation and absolute value are exact, a float32
 * square is the exact double product rounded once, and a correctly rounded float32 square root
 * equals the double one rounded (53 ≥ 2·24 + 2 bits, so double rounding cannot differ). So these
 * are bit-identical to the cpu kernel. Same rules as gemm.c: no libc, no shadow stack.
 */
#include <stdint.h>
#include <wasm_simd128.h>

#define EXPORT(name) __attribute__((export_name(name)))

/* as src/fused.ts numbers them */
enum { U_NEG = 0, U_ABS, U_SQUARE, U_SQRT };

#define LOOP(VOP, SOP)                                                           \
  do {                                                                           \
    int32_t i = 0;                                                               \
    for (; i + 4 <= n; i += 4) wasm_v128_store(Y + i, VOP(wasm_v128_load(X + i))); \
    for (; i < n; i++) Y[i] = SOP(X[i]);                                         \
  } while (0)

static inline v128_t vsquare(v128_t x) { return wasm_f32x4_mul(x, x); }
static inline float sneg(float x) { return -x; }
static inline float sabs(float x) { return __builtin_fabsf(x); }
static inline float ssquare(float x) { return x * x; }
static inline float ssqrt(float x) { return __builtin_sqrtf(x); }

EXPORT("unary_f32")
void unary_f32(int32_t fn, const float *X, float *Y, int32_t n) {
  switch (fn) {
    case U_NEG: LOOP(wasm_f32x4_neg, sneg); break;
    case U_ABS: LOOP(wasm_f32x4_abs, sabs); break;
    case U_SQUARE: LOOP(vsquare, ssquare); break;
    default: LOOP(wasm_f32x4_sqrt, ssqrt); break;
  }
}
