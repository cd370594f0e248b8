/*
 * The task block shared by the calling thread, the workers and the kernels: int32 words at a fixed
 * address of the wasm memory, mirrored by src/task.ts (keep both in the same order).
 */
#ifndef EDORA_TASK_H
#define EDORA_TASK_H
#include <stdint.h>

enum {
  T_SEQ = 0,       /* generation published to workers (JS bumps and notifies it) */
  T_COUNTER,       /* (generation & 0xfff) << 20 | next chunk index */
  T_COMPLETED,     /* chunks finished */
  T_NCHUNKS,
  T_STOP,          /* set by dispose: workers leave their loop */
  T_M, T_N, T_K, T_BATCH,
  T_ALPHA, T_BETA, /* float32 bit patterns */
  T_A, T_A_BATCH, T_A_ROW, T_A_COL,
  T_B, T_B_BATCH, T_B_ROW, T_B_COL,
  T_C, T_C_BATCH, T_LDC,
  T_PACKB,         /* shared packed B, or 0 when every chunk packs its own batch entry of B */
  T_ROWS,          /* rows per chunk */
  T_CHUNKS_PER_BATCH,
  T_BIAS,          /* float32 [N] or 0 */
  T_RELU,
  T_KIND,          /* what the chunks are: KIND_GEMM or one of the row kernels of rows.c */
  T_ERROR,         /* set by a worker whose call trapped (JS only) */
  T_PARAMS,        /* a row kernel's own parameters (KIND_PHILOX: see rows.c), 64-bit words as lo, hi pairs */
  T_SCRATCH0 = T_PARAMS + 12 /* per-thread scratch pointers follow, indexed by thread id */
};

#define GEN_SHIFT 20
#define IDX_MASK ((1 << GEN_SHIFT) - 1)

enum { KIND_GEMM = 0, KIND_GELU, KIND_GELU_BACKWARD, KIND_SOFTMAX, KIND_SOFTMAX_BACKWARD, KIND_PHILOX, KIND_DROPOUT };

static inline int32_t ld(const int32_t *t, int i) { return __atomic_load_n(&t[i], __ATOMIC_RELAXED); }

/* The 64-bit word at t[i] (low half) and t[i + 1] (high half). */
static inline uint64_t ld64(const int32_t *t, int i) {
  return (uint64_t)(uint32_t)ld(t, i) | ((uint64_t)(uint32_t)ld(t, i + 1) << 32);
}

static inline double ldd(const int32_t *t, int i) {
  union { uint64_t u; double d; } v;
  v.u = ld64(t, i);
  return v.d;
}

static inline float ldf(const int32_t *t, int i) {
  union { int32_t i; float f; } u;
  u.i = ld(t, i);
  return u.f;
}

/* One chunk of a row-kernel task (rows.c); `scratch` is the calling thread's. */
void rows_chunk(const int32_t *t, float *scratch, int32_t chunk);

#endif
