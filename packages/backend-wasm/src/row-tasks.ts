import type { Gemm } from './gemm.js';
import type { KernelExports } from './module.js';
import type { TaskPool } from './pool.js';
import { KIND, T } from './task.js';

/** Below this many elements a row kernel stays on the calling thread (waking a worker costs ~50 µs). */
export const PARALLEL_MIN_ELEMENTS = 1 << 16;
/** Elements per chunk: enough to amortize claiming a chunk, few enough to balance two loaded cores. */
const CHUNK_ELEMENTS = 1 << 14;

export type RowKind = Exclude<keyof typeof KIND, 'GEMM'>;

/**
 * Runs the row kernels of csrc/rows.c (GELU, its derivative, softmax and its backward) as tasks
 * of the pool, rows split into chunks, so they use every thread as the products do.
 */
export class RowTasks {
  private readonly i32: Int32Array;

  constructor(
    memory: WebAssembly.Memory,
    private readonly kernels: KernelExports,
    private readonly pool: TaskPool,
    private readonly gemm: Gemm,
    private readonly parallelMinElements: number,
  ) {
    this.i32 = new Int32Array(memory.buffer, pool.task, T.SCRATCH0);
  }

  /**
   * `rows` rows of `cols` elements: x (or y) at address `a`, dy at `b` (0 when unused), the output
   * at `c`. Elementwise kernels pass cols = 1.
   */
  run(kind: RowKind, a: number, b: number, c: number, rows: number, cols: number): void {
    if (rows === 0 || cols === 0) return;
    const per = Math.max(1, Math.floor(CHUNK_ELEMENTS / cols));
    const t = this.i32;
    t[T.KIND] = KIND[kind];
    t[T.A] = a;
    t[T.B] = b;
    t[T.C] = c;
    t[T.M] = rows;
    t[T.N] = cols;
    t[T.ROWS] = per;
    // softmax keeps one row of f64 exponentials in the thread's scratch
    if (kind === 'SOFTMAX') this.gemm.ensureThreadScratch(2 * cols);
    const task = this.pool.task;
    this.pool.run(Math.ceil(rows / per), rows * cols >= this.parallelMinElements, (tid) => this.kernels.task_work(task, tid));
  }
}
