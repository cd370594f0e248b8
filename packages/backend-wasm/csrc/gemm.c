/*
 * Single-precision GEMM for WebAssembly SIMD128, GotoBLAS-style:
 *   C[b] = alpha * A[b] @ B[b] + beta * C[b]  (+ bias[j], then relu, when asked)
 *
 * - B is packed once per problem into 8-column panels, KC-deep slabs (see pack_b); A is packed per
 *   chunk of rows into 4-row panels per slab (pack_a). Packing reads any (row stride, column
 *   stride) pair, so transposed operands cost nothing beyond the packing itself.
 * - The 4x8 micro-kernel keeps 8 f32x4 accumulators, one splat of A and two vectors of B in
 *   registers: 13 of the 16 SIMD registers V8 has on x64 (a wider tile spills).
 * - Work is split into chunks (rows of one batch entry) handed out through an atomic counter in
 *   the shared task block, so the calling thread and every worker pull chunks until none are
 *   left: uneven cores (a machine shared with other work) balance themselves.
 *
 * The file uses no libc and no shadow stack (no arrays on the stack, no address-taken locals):
 * every thread runs this same instance layout over one shared memory, and the C stack region would
 * be shared between them. build-wasm.sh checks the output never touches __stack_pointer.
 */
#include <wasm_simd128.h>
#include "task.h"

#define MR 4
#define NR 8
#define KC 256

#define EXPORT(name) __attribute__((export_name(name)))

/* Panels are padded to a multiple of 8 columns; slab s of the packed B starts at k0 * npad. */
static inline int32_t pad8(int32_t n) { return (n + NR - 1) & ~(NR - 1); }

/* Transposes the 4x4 block held in r0..r3 (rows) into columns, written to d, d+ds, d+2ds, d+3ds. */
static inline void store_transposed(float *d, int32_t ds, v128_t r0, v128_t r1, v128_t r2, v128_t r3) {
  v128_t t0 = wasm_i32x4_shuffle(r0, r1, 0, 4, 1, 5);
  v128_t t1 = wasm_i32x4_shuffle(r2, r3, 0, 4, 1, 5);
  v128_t t2 = wasm_i32x4_shuffle(r0, r1, 2, 6, 3, 7);
  v128_t t3 = wasm_i32x4_shuffle(r2, r3, 2, 6, 3, 7);
  wasm_v128_store(d, wasm_i64x2_shuffle(t0, t1, 0, 2));
  wasm_v128_store(d + ds, wasm_i64x2_shuffle(t0, t1, 1, 3));
  wasm_v128_store(d + 2 * ds, wasm_i64x2_shuffle(t2, t3, 0, 2));
  wasm_v128_store(d + 3 * ds, wasm_i64x2_shuffle(t2, t3, 1, 3));
}

/*
 * Packs B[k, j] = B[k * row + j * col] (k < K, j < N) into dst: for each slab k0 (KC deep) and
 * panel jp, a kc x 8 block, row-major, zero-padded past N.
 */
static void pack_b(float *dst, const float *B, int32_t K, int32_t N, int32_t row, int32_t col) {
  const int32_t npad = pad8(N);
  for (int32_t k0 = 0; k0 < K; k0 += KC) {
    const int32_t kc = K - k0 < KC ? K - k0 : KC;
    for (int32_t j0 = 0; j0 < N; j0 += NR) {
      float *p = dst + k0 * npad + j0 * kc;
      const float *src = B + k0 * row + j0 * col;
      const int32_t nr = N - j0 < NR ? N - j0 : NR;
      int32_t k = 0;
      if (nr == NR && col == 1) {
        for (; k < kc; k++) {
          wasm_v128_store(p + k * NR, wasm_v128_load(src + k * row));
          wasm_v128_store(p + k * NR + 4, wasm_v128_load(src + k * row + 4));
        }
      } else if (nr == NR && row == 1) {
        /* column-major B (x W^T): columns are contiguous in k; transpose 4x4 blocks */
        for (; k + 4 <= kc; k += 4) {
          for (int32_t h = 0; h < NR; h += 4) {
            const float *s = src + k + h * col;
            store_transposed(p + k * NR + h, NR, wasm_v128_load(s), wasm_v128_load(s + col),
                             wasm_v128_load(s + 2 * col), wasm_v128_load(s + 3 * col));
          }
        }
      }
      for (; k < kc; k++) {
        for (int32_t c = 0; c < NR; c++) p[k * NR + c] = c < nr ? src[k * row + c * col] : 0.0f;
      }
    }
  }
}

/* Packs rows [0, mc) x slab [0, kc) of A (already offset) into 4-row panels: dst[(ip*kc + k)*4 + r]. */
static void pack_a(float *dst, const float *A, int32_t mc, int32_t kc, int32_t row, int32_t col) {
  for (int32_t i0 = 0; i0 < mc; i0 += MR) {
    float *p = dst + i0 * kc;
    const float *src = A + i0 * row;
    const int32_t mr = mc - i0 < MR ? mc - i0 : MR;
    int32_t k = 0;
    if (mr == MR && row == 1) {
      for (; k < kc; k++) wasm_v128_store(p + k * MR, wasm_v128_load(src + k * col));
    } else if (mr == MR && col == 1) {
      for (; k + 4 <= kc; k += 4) {
        store_transposed(p + k * MR, MR, wasm_v128_load(src + k), wasm_v128_load(src + row + k),
                         wasm_v128_load(src + 2 * row + k), wasm_v128_load(src + 3 * row + k));
      }
    }
    for (; k < kc; k++) {
      for (int32_t r = 0; r < MR; r++) p[k * MR + r] = r < mr ? src[r * row + k * col] : 0.0f;
    }
  }
}

/* Writes one accumulator row: first slab applies beta (beta == 0 ignores what C held, NaN included). */
static inline v128_t combine(v128_t acc, v128_t old, v128_t va, v128_t vb, int first, int beta0) {
  v128_t v = wasm_f32x4_mul(acc, va);
  if (!first) return wasm_f32x4_add(old, v);
  return beta0 ? v : wasm_f32x4_add(wasm_f32x4_mul(old, vb), v);
}

static inline v128_t finish(v128_t v, const float *bias, int relu) {
  if (bias) v = wasm_f32x4_add(v, wasm_v128_load(bias));
  if (relu) v = wasm_f32x4_max(v, wasm_f32x4_splat(0.0f));
  return v;
}

/*
 * C[0:mc, :] for one chunk: for each slab, pack A, then sweep the B panels (one 8 KiB panel stays in
 * L1 while the packed A block streams from L2).
 */
static void gemm_rows(const int32_t *t, float *scratch, const float *A, const float *pb, float *C, int32_t mc) {
  const int32_t N = ld(t, T_N), K = ld(t, T_K);
  const int32_t aRow = ld(t, T_A_ROW), aCol = ld(t, T_A_COL), ldc = ld(t, T_LDC);
  const float alpha = ldf(t, T_ALPHA), beta = ldf(t, T_BETA);
  const float *bias = (const float *)(uintptr_t)ld(t, T_BIAS);
  const int relu = ld(t, T_RELU);
  const int32_t npad = pad8(N);
  const int beta0 = beta == 0.0f;
  const v128_t va = wasm_f32x4_splat(alpha), vb = wasm_f32x4_splat(beta);
  float *pa = scratch;
  float *tile = scratch + KC * ((mc + MR - 1) & ~(MR - 1));
  for (int32_t k0 = 0; k0 < K; k0 += KC) {
    const int32_t kc = K - k0 < KC ? K - k0 : KC;
    const int first = k0 == 0, last = k0 + kc == K;
    pack_a(pa, A + k0 * aCol, mc, kc, aRow, aCol);
    for (int32_t j0 = 0; j0 < N; j0 += NR) {
      const float *bp = pb + k0 * npad + j0 * kc;
      const int32_t nr = N - j0 < NR ? N - j0 : NR;
      const float *bj = last && bias ? bias + j0 : 0;
      for (int32_t i0 = 0; i0 < mc; i0 += MR) {
        const float *ap = pa + i0 * kc;
        const float *bq = bp;
        v128_t c00 = wasm_f32x4_splat(0.0f), c01 = c00, c10 = c00, c11 = c00;
        v128_t c20 = c00, c21 = c00, c30 = c00, c31 = c00;
        for (int32_t k = 0; k < kc; k++) {
          const v128_t b0 = wasm_v128_load(bq), b1 = wasm_v128_load(bq + 4);
          v128_t a = wasm_v128_load32_splat(ap);
          c00 = wasm_f32x4_add(c00, wasm_f32x4_mul(a, b0));
          c01 = wasm_f32x4_add(c01, wasm_f32x4_mul(a, b1));
          a = wasm_v128_load32_splat(ap + 1);
          c10 = wasm_f32x4_add(c10, wasm_f32x4_mul(a, b0));
          c11 = wasm_f32x4_add(c11, wasm_f32x4_mul(a, b1));
          a = wasm_v128_load32_splat(ap + 2);
          c20 = wasm_f32x4_add(c20, wasm_f32x4_mul(a, b0));
          c21 = wasm_f32x4_add(c21, wasm_f32x4_mul(a, b1));
          a = wasm_v128_load32_splat(ap + 3);
          c30 = wasm_f32x4_add(c30, wasm_f32x4_mul(a, b0));
          c31 = wasm_f32x4_add(c31, wasm_f32x4_mul(a, b1));
          ap += MR;
          bq += NR;
        }
        const int32_t mr = mc - i0 < MR ? mc - i0 : MR;
        float *c = C + i0 * ldc + j0;
        if (mr == MR && nr == NR) {
          /* full tile: straight to C */
#define ROW(r, x0, x1)                                                                                  \
  do {                                                                                                 \
    float *q = c + (r) * ldc;                                                                          \
    v128_t v0 = combine(x0, first ? (beta0 ? x0 : wasm_v128_load(q)) : wasm_v128_load(q), va, vb, first, beta0); \
    v128_t v1 = combine(x1, first ? (beta0 ? x1 : wasm_v128_load(q + 4)) : wasm_v128_load(q + 4), va, vb, first, beta0); \
    if (last) {                                                                                        \
      v0 = finish(v0, bj, relu);                                                                       \
      v1 = finish(v1, bj ? bj + 4 : 0, relu);                                                          \
    }                                                                                                  \
    wasm_v128_store(q, v0);                                                                            \
    wasm_v128_store(q + 4, v1);                                                                        \
  } while (0)
          ROW(0, c00, c01);
          ROW(1, c10, c11);
          ROW(2, c20, c21);
          ROW(3, c30, c31);
#undef ROW
        } else {
          /* edge tile: through the per-thread scratch tile */
          wasm_v128_store(tile, c00); wasm_v128_store(tile + 4, c01);
          wasm_v128_store(tile + 8, c10); wasm_v128_store(tile + 12, c11);
          wasm_v128_store(tile + 16, c20); wasm_v128_store(tile + 20, c21);
          wasm_v128_store(tile + 24, c30); wasm_v128_store(tile + 28, c31);
          for (int32_t r = 0; r < mr; r++) {
            for (int32_t j = 0; j < nr; j++) {
              float *q = c + r * ldc + j;
              float v = alpha * tile[r * NR + j];
              if (!first) v += *q;
              else if (!beta0) v += beta * *q;
              if (last) {
                if (bj) v += bj[j];
                if (relu && !(v > 0.0f)) v = v != v ? v : 0.0f;
              }
              *q = v;
            }
          }
        }
      }
    }
  }
}

/* Scratch floats a thread needs: its A block, the 4x8 edge tile, and a private B when not shared. */
EXPORT("gemm_scratch_floats")
int32_t gemm_scratch_floats(int32_t rows, int32_t K, int32_t N, int32_t privateB) {
  return KC * ((rows + MR - 1) & ~(MR - 1)) + MR * NR + (privateB ? K * pad8(N) : 0);
}

/* Packs the B of batch entry 0 into the shared panel buffer at T_PACKB (called once, before work). */
EXPORT("gemm_pack_shared_b")
void gemm_pack_shared_b(const int32_t *t) {
  pack_b((float *)(uintptr_t)ld(t, T_PACKB), (const float *)(uintptr_t)ld(t, T_B), ld(t, T_K), ld(t, T_N),
         ld(t, T_B_ROW), ld(t, T_B_COL));
}

/*
 * Pulls chunks of the task published under generation `gen` until none are left: rows of a
 * product, or of a row kernel (T_KIND). Any number of threads may call it at once; `tid` selects
 * the caller's scratch. Returns how many chunks this caller did (the pool keeps per-thread counts,
 * which tests use to see every worker take part).
 */
EXPORT("task_work")
int32_t task_work(int32_t *t, int32_t tid) {
  int32_t done = 0;
  const int32_t gen = __atomic_load_n(&t[T_SEQ], __ATOMIC_SEQ_CST) & 0xfff;
  const int32_t n = ld(t, T_NCHUNKS);
  const int32_t M = ld(t, T_M), rows = ld(t, T_ROWS), perBatch = ld(t, T_CHUNKS_PER_BATCH);
  float *scratch = (float *)(uintptr_t)ld(t, T_SCRATCH0 + tid);
  const float *sharedB = (const float *)(uintptr_t)ld(t, T_PACKB);
  for (;;) {
    int32_t w = __atomic_load_n(&t[T_COUNTER], __ATOMIC_SEQ_CST);
    if ((int32_t)((uint32_t)w >> GEN_SHIFT) != gen || (w & IDX_MASK) >= n) return done;
    if (!__atomic_compare_exchange_n(&t[T_COUNTER], &w, w + 1, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) continue;
    const int32_t chunk = w & IDX_MASK;
    if (ld(t, T_KIND) != KIND_GEMM) {
      rows_chunk(t, scratch, chunk);
      done++;
      __atomic_fetch_add(&t[T_COMPLETED], 1, __ATOMIC_SEQ_CST);
      continue;
    }
    const int32_t b = chunk / perBatch, i0 = (chunk % perBatch) * rows;
    const int32_t mc = M - i0 < rows ? M - i0 : rows;
    const float *A = (const float *)(uintptr_t)ld(t, T_A) + b * ld(t, T_A_BATCH) + i0 * ld(t, T_A_ROW);
    float *C = (float *)(uintptr_t)ld(t, T_C) + b * ld(t, T_C_BATCH) + i0 * ld(t, T_LDC);
    const float *pb = sharedB;
    if (!pb) {
      /* one chunk per batch entry: pack this entry's B behind the A block */
      float *own = scratch + KC * ((rows + MR - 1) & ~(MR - 1)) + MR * NR;
      pack_b(own, (const float *)(uintptr_t)ld(t, T_B) + b * ld(t, T_B_BATCH), ld(t, T_K), ld(t, T_N),
             ld(t, T_B_ROW), ld(t, T_B_COL));
      pb = own;
    }
    gemm_rows(t, scratch, A, pb, C, mc);
    done++;
    __atomic_fetch_add(&t[T_COMPLETED], 1, __ATOMIC_SEQ_CST);
  }
}
