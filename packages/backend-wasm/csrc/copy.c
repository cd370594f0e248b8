/*
 * A strided copy of 4-byte elements (float32, int32) over up to four dims, the layout changes a
 * transformer step makes (the attention's head split and merge: [B, T, H, D] ↔ [B, H, T, D]).
 * src/copy.ts merges what dims it can first, so the innermost dim is usually contiguous on both
 * sides and copied four elements at a time. A copy moves bits: identical to the cpu kernel's.
 * Same rules as gemm.c: no libc, no shadow stack.
 */
#include <stdint.h>
#include <wasm_simd128.h>

#define EXPORT(name) __attribute__((export_name(name)))

EXPORT("copy4_b32")
void copy4_b32(const uint32_t *S, uint32_t *D, int32_t n0, int32_t n1, int32_t n2, int32_t n3, int32_t s0, int32_t s1,
               int32_t s2, int32_t s3, int32_t d0, int32_t d1, int32_t d2, int32_t d3) {
  for (int32_t i0 = 0; i0 < n0; i0++) {
    for (int32_t i1 = 0; i1 < n1; i1++) {
      for (int32_t i2 = 0; i2 < n2; i2++) {
        const uint32_t *s = S + i0 * s0 + i1 * s1 + i2 * s2;
        uint32_t *d = D + i0 * d0 + i1 * d1 + i2 * d2;
        int32_t k = 0;
        if (s3 == 1 && d3 == 1) {
          for (; k + 4 <= n3; k += 4) wasm_v128_store(d + k, wasm_v128_load(s + k));
          for (; k < n3; k++) d[k] = s[k];
        } else {
          for (; k < n3; k++) d[k * d3] = s[k * s3];
        }
      }
    }
  }
}
