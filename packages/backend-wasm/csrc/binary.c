/*
 * out = a ∘ b for ∘ in {+, −, ×, ÷} over float32 rows, the broadcast patterns a transformer step
 * uses most: each operand is, within a row, either a vector (dense rows, or one row shared by all
 * rows) or one value (a scalar, or one value per row). A float32 +, −, ×, ÷ rounded once is what
 * the cpu kernel's double arithmetic rounds to, so results are bit-identical to it.
 * Same rules as gemm.c: no libc, no shadow stack.
 */
#include <stdint.h>
#include <wasm_simd128.h>

#define EXPORT(name) __attribute__((export_name(name)))

/* operand modes, as src/binary.ts numbers them */
enum { M_DENSE = 0, M_ROW = 1, M_SCALAR = 2, M_PER_ROW = 3 };
enum { OP_ADD = 0, OP_SUB, OP_MUL, OP_DIV };

#define ROW_LOOP(VOP, SOP)                                                                          \
  do {                                                                                             \
    int32_t k = 0;                                                                                 \
    if (av && bv) {                                                                                \
      for (; k + 4 <= d; k += 4) wasm_v128_store(o + k, VOP(wasm_v128_load(ap + k), wasm_v128_load(bp + k))); \
      for (; k < d; k++) o[k] = SOP(ap[k], bp[k]);                                                 \
    } else if (av) {                                                                               \
      const v128_t vb = wasm_f32x4_splat(bs);                                                      \
      for (; k + 4 <= d; k += 4) wasm_v128_store(o + k, VOP(wasm_v128_load(ap + k), vb));          \
      for (; k < d; k++) o[k] = SOP(ap[k], bs);                                                    \
    } else if (bv) {                                                                               \
      const v128_t va = wasm_f32x4_splat(as);                                                      \
      for (; k + 4 <= d; k += 4) wasm_v128_store(o + k, VOP(va, wasm_v128_load(bp + k)));          \
      for (; k < d; k++) o[k] = SOP(as, bp[k]);                                                    \
    } else {                                                                                       \
      const float v = SOP(as, bs);                                                                 \
      for (; k < d; k++) o[k] = v;                                                                 \
    }                                                                                              \
  } while (0)

static inline float sadd(float a, float b) { return a + b; }
static inline float ssub(float a, float b) { return a - b; }
static inline float smul(float a, float b) { return a * b; }
static inline float sdiv(float a, float b) { return a / b; }

EXPORT("binary_f32")
void binary_f32(int32_t op, const float *A, int32_t amode, const float *B, int32_t bmode, float *O, int32_t rows, int32_t d) {
  const int av = amode == M_DENSE || amode == M_ROW, bv = bmode == M_DENSE || bmode == M_ROW;
  for (int32_t r = 0; r < rows; r++) {
    const float *ap = amode == M_DENSE ? A + r * d : A;
    const float *bp = bmode == M_DENSE ? B + r * d : B;
    const float as = amode == M_SCALAR ? A[0] : amode == M_PER_ROW ? A[r] : 0;
    const float bs = bmode == M_SCALAR ? B[0] : bmode == M_PER_ROW ? B[r] : 0;
    float *o = O + r * d;
    switch (op) {
      case OP_ADD: ROW_LOOP(wasm_f32x4_add, sadd); break;
      case OP_SUB: ROW_LOOP(wasm_f32x4_sub, ssub); break;
      case OP_MUL: ROW_LOOP(wasm_f32x4_mul, smul); break;
      default: ROW_LOOP(wasm_f32x4_div, sdiv); break;
    }
  }
}
