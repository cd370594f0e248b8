import type { TensorView } from '@edora/tensor';
import type { WasmHeap } from './heap.js';
import type { KernelExports } from './module.js';
import type { TaskPool } from './pool.js';
import { KIND, T } from './task.js';

/** A buffer of this backend: a byte view of the shared wasm memory at `ptr`. */
export interface WasmBuffer {
  readonly byteLength: number;
  readonly bytes: Uint8Array;
  readonly ptr: number;
  /** The heap block's size class. */
  readonly size: number;
}

/** Below this many flops a product stays on the calling thread: waking a worker costs ~50 µs. */
export const PARALLEL_MIN_FLOPS = 4e6;
/** Rows of C per chunk at most: 128 rows × 256 deep of packed A is 128 KiB, well inside a core's L2. */
const MAX_ROWS = 128;

export interface GemmArgs {
  a: TensorView;
  b: TensorView;
  out: TensorView;
  alpha: number;
  beta: number;
  /** float32 [N] view added before the activation (matmulBiasAct), or null */
  bias: TensorView | null;
  relu: boolean;
}

/** Why the wasm GEMM cannot take these views (the caller then runs the cpu kernel), or null. */
export function gemmUnsupported({ a, b, out, bias }: GemmArgs): string | null {
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || out.dtype !== 'float32') return 'not float32';
  if (a.shape[2] === 0) return 'K = 0';
  // the chunk counter indexes chunks in 20 bits; a batch this large is better served row by row anyway
  if (a.shape[0]! * Math.ceil(a.shape[1]! / 4) >= 2 ** 20) return 'more than 2^20 chunks';
  if (out.strides[2] !== 1 && out.shape[2]! > 1) return 'output not row-major';
  if (bias && (bias.dtype !== 'float32' || (bias.strides[0] !== 1 && bias.shape[0]! > 1))) return 'bias not contiguous float32';
  return null;
}

/** A thread's scratch memory (GEMM packing room, softmax row buffer), grown on demand. */
class Scratch {
  private block: { ptr: number; size: number } | null = null;
  constructor(private readonly heap: WasmHeap) {}
  ensure(floats: number): number {
    if (!this.block || this.block.size < floats * 4) {
      if (this.block) this.heap.release(this.block.ptr, this.block.size);
      this.block = this.heap.alloc(floats * 4);
    }
    return this.block.ptr;
  }
}

/**
 * Runs `out[b] = alpha · a[b] @ b[b] + beta · out[b]` (+ bias, relu) through the wasm kernels:
 * fills the task block, packs a shared B once when every batch entry uses the same B, and lets
 * the pool hand chunks of rows to the threads.
 */
export class Gemm {
  private readonly scratch: Scratch[];
  private readonly packB: Scratch;
  /** The task block as int32 and float32 words. */
  private readonly i32: Int32Array;
  private readonly f32: Float32Array;

  constructor(
    private readonly kernels: KernelExports,
    private readonly heap: WasmHeap,
    private readonly pool: TaskPool,
    private readonly parallelMinFlops: number,
  ) {
    this.scratch = Array.from({ length: pool.threads }, () => new Scratch(heap));
    this.packB = new Scratch(heap);
    // the task block sits in the first pages, which every (older) view of the memory covers
    this.i32 = new Int32Array(heap.memory.buffer, pool.task, T.SCRATCH0 + pool.threads);
    this.f32 = new Float32Array(heap.memory.buffer, pool.task, T.SCRATCH0);
  }

  run({ a, b, out, alpha, beta, bias, relu }: GemmArgs): void {
    const [batch, M, K] = a.shape as [number, number, number];
    const N = b.shape[2]!;
    if (batch === 0 || M === 0 || N === 0) return;
    const ptrA = (a.buffer as WasmBuffer).ptr + a.offset * 4;
    const ptrB = (b.buffer as WasmBuffer).ptr + b.offset * 4;
    const ptrC = (out.buffer as WasmBuffer).ptr + out.offset * 4;
    const sharedB = batch === 1 || b.strides[0] === 0;
    const flops = 2 * batch * M * N * K;
    const parallel = flops >= this.parallelMinFlops && this.pool.parallelism > 1;
    // enough chunks for every thread to get several (load balance), never more rows than fit L2
    const threads = parallel ? this.pool.parallelism : 1;
    const perBatchWanted = Math.ceil((3 * threads) / batch);
    const rows = sharedB ? Math.min(MAX_ROWS, Math.max(4, Math.ceil(M / perBatchWanted / 4) * 4)) : M;
    const perBatch = Math.ceil(M / rows);
    const t = this.i32;
    t[T.KIND] = KIND.GEMM;
    t[T.M] = M;
    t[T.N] = N;
    t[T.K] = K;
    t[T.BATCH] = batch;
    const f = this.f32;
    f[T.ALPHA] = alpha;
    f[T.BETA] = beta;
    t[T.A] = ptrA;
    t[T.A_BATCH] = a.strides[0]!;
    t[T.A_ROW] = a.strides[1]!;
    t[T.A_COL] = a.strides[2]!;
    t[T.B] = ptrB;
    t[T.B_BATCH] = b.strides[0]!;
    t[T.B_ROW] = b.strides[1]!;
    t[T.B_COL] = b.strides[2]!;
    t[T.C] = ptrC;
    t[T.C_BATCH] = out.strides[0]!;
    t[T.LDC] = out.strides[1]!;
    t[T.ROWS] = rows;
    t[T.CHUNKS_PER_BATCH] = perBatch;
    t[T.BIAS] = bias ? (bias.buffer as WasmBuffer).ptr + bias.offset * 4 : 0;
    t[T.RELU] = relu ? 1 : 0;
    this.ensureThreadScratch(this.kernels.gemm_scratch_floats(rows, K, N, sharedB ? 0 : 1));
    if (sharedB) {
      t[T.PACKB] = this.packB.ensure(K * (Math.ceil(N / 8) * 8));
      this.kernels.gemm_pack_shared_b(this.pool.task);
    } else {
      t[T.PACKB] = 0;
    }
    const task = this.pool.task;
    this.pool.run(batch * perBatch, parallel, (tid) => this.kernels.task_work(task, tid));
  }

  /**
   * The calling thread's scratch, at least `floats` long, for a kernel it runs alone between
   * tasks (no worker reads it then).
   */
  callerScratch(floats: number): number {
    return this.scratch[0]!.ensure(floats);
  }

  /**
   * Gives every thread at least `floats` of scratch and publishes the addresses. Every thread's,
   * not only those of the coming task: a worker that wakes late may still join it.
   */
  ensureThreadScratch(floats: number): void {
    const t = this.i32;
    for (let tid = 0; tid < this.scratch.length; tid++) t[T.SCRATCH0 + tid] = this.scratch[tid]!.ensure(floats);
  }
}
