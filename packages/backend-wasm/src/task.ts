/**
 * The task block shared by the calling thread, the workers and the C kernels: int32 words at a fixed
 * address of the wasm memory. This list mirrors the enum of csrc/task.h; keep both in the same order.
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
  KIND: 27,
  ERROR: 28,
  /** a row kernel's own parameters: 12 words (64-bit values as lo, hi pairs); see csrc/rows.c */
  PARAMS: 29,
  SCRATCH0: 41,
} as const;

/** What a task's chunks are (T.KIND), as csrc/task.h numbers them. */
export const KIND = { GEMM: 0, GELU: 1, GELU_BACKWARD: 2, SOFTMAX: 3, SOFTMAX_BACKWARD: 4, PHILOX: 5, DROPOUT: 6 } as const;

/** Most threads one backend runs (the scratch pointers after SCRATCH0 fill the rest of the block). */
export const MAX_THREADS = 64;

/** Per-thread counts of chunks done follow the scratch pointers (JS only). */
export const CHUNKS0 = T.SCRATCH0 + MAX_THREADS;

/** Bytes of the task block. */
export const TASK_BYTES = (CHUNKS0 + MAX_THREADS) * 4;

/** The chunk counter holds the task generation in its top 12 bits (see task_work in csrc/gemm.c). */
export const GEN_SHIFT = 20;
export const GEN_MASK = 0xfff;
