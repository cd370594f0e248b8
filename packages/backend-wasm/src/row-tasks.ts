import type { Gemm } from './gemm.js';
import type { KernelExports } from './module.js';
import type { TaskPool } from './pool.js';
import { KIND, T } from './task.js';

/** Below this many elements a row kernel stays on the calling thread (waking a worker costs ~50 µs). */
export const PARALLEL_MIN_ELEMENTS = 1 << 16;
/** Elements per chunk: enough to amortize claiming a chunk, few enough to balance two loaded cores. */
const CHUNK_ELEMENTS = 1 << 14;

export type RowKind = Exclude<keyof typeof KIND, 'GEMM' | 'PHILOX' | 'DROPOUT'>;

/** A 64-bit value's two int32 words (low, high): how the task block carries doubles and counters. */
const f64Word = new Float64Array(1);
const f64Words = new Int32Array(f64Word.buffer);

/**
 * Runs the row kernels of csrc/rows.c (GELU, its derivative, softmax and its backward, Philox
 * draws, the fused dropout) as tasks of the pool, rows split into chunks, so they use every thread as the products do.
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

  /** The calling thread's scratch (see `Gemm.callerScratch`). */
  callerScratch(floats: number): number {
    return this.gemm.callerScratch(floats);
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

  /**
   * `n` float32 draws at `out` from Philox counters offset … offset + n − 1 (see csrc/philox.c):
   * Bernoulli(p) as 1/0, else low + span · u. Counter-based, so how the range is split over
   * threads changes no bit. `offset + n` and `seed` must be exact integers below 2^53.
   */
  random(out: number, n: number, offset: number, seed: number, bernoulli: boolean, low: number, span: number, p: number): void {
    if (n === 0) return;
    const P = T.PARAMS;
    this.u64(P, offset);
    this.u64(P + 2, seed);
    this.f64(P + 4, low);
    this.f64(P + 6, span);
    this.f64(P + 8, p);
    this.i32[P + 10] = bernoulli ? 1 : 0;
    this.i32[T.KIND] = KIND.PHILOX;
    this.runElements(0, out, n);
  }

  /**
   * The fused dropout (csrc/philox.c): `n` float32 values x at `a`, y = x · (u < keep ? scale : 0)
   * at `c`, element i with Philox counter offset + i. Same integer limits as `random`.
   */
  dropout(a: number, c: number, n: number, offset: number, seed: number, keep: number, scale: number): void {
    if (n === 0) return;
    const P = T.PARAMS;
    this.u64(P, offset);
    this.u64(P + 2, seed);
    this.f64(P + 4, keep);
    this.f64(P + 6, scale);
    this.i32[T.KIND] = KIND.DROPOUT;
    this.runElements(a, c, n);
  }

  /** An elementwise task over n elements (input at a, output at c), in chunks of CHUNK_ELEMENTS. */
  private runElements(a: number, c: number, n: number): void {
    const t = this.i32;
    t[T.A] = a;
    t[T.C] = c;
    t[T.M] = n;
    t[T.N] = 1;
    t[T.ROWS] = CHUNK_ELEMENTS;
    const task = this.pool.task;
    this.pool.run(Math.ceil(n / CHUNK_ELEMENTS), n >= this.parallelMinElements, (tid) => this.kernels.task_work(task, tid));
  }

  /** An exact integer below 2^53 as a (low, high) word pair at t[i]. */
  private u64(i: number, v: number): void {
    this.i32[i] = v % 2 ** 32 | 0;
    this.i32[i + 1] = Math.floor(v / 2 ** 32) | 0;
  }

  /** A double's bit pattern as a (low, high) word pair at t[i]. */
  private f64(i: number, v: number): void {
    f64Word[0] = v;
    this.i32[i] = f64Words[0]!;
    this.i32[i + 1] = f64Words[1]!;
  }
}
