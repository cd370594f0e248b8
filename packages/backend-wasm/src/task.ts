/**
 * The task block shared by the calling thread, the workers and the C kernels: int32 words at a fixed
 * address of the wasm memory. This list mirrors the enum at the top of csrc/gemm.c; keep both in
 * the same order.
 */
export const T = {
  SEQ: 0,
  COUNTER: 1,
  COMPLETED: 2,
  NCHUNKS: 3,
  STOP: 4,
  M: 5,
  N: 6,
  K: 7,
  BATCH: 8,
  ALPHA: 9,
  BETA: 10,
  A: 11,
  A_BATCH: 12,
  A_ROW: 13,
  A_COL: 14,
  B: 15,
  B_BATCH: 16,
  B_ROW: 17,
  B_COL: 18,
  C: 19,
  C_BATCH: 20,
  LDC: 21,
  PACKB: 22,
  ROWS: 23,
  CHUNKS_PER_BATCH: 24,
  BIAS: 25,
  RELU: 26,
  ERROR: 27,
  SCRATCH0: 28,
} as const;

/** Most threads one backend runs (the scratch pointers after SCRATCH0 fill the rest of the block). */
export const MAX_THREADS = 64;

/** Per-thread counts of chunks done follow the scratch pointers (JS only). */
export const CHUNKS0 = T.SCRATCH0 + MAX_THREADS;

/** Bytes of the task block. */
export const TASK_BYTES = (CHUNKS0 + MAX_THREADS) * 4;

/** The chunk counter holds the task generation in its top 12 bits (see gemm_work). */
export const GEN_SHIFT = 20;
export const GEN_MASK = 0xfff;
