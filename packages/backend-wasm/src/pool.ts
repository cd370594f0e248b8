import { WasmBackendError } from './errors.js';
import { CHUNKS0, GEN_MASK, GEN_SHIFT, MAX_THREADS, T } from './task.js';

/** What a worker receives: the compiled kernels, the shared memory, the task block and its id. */
export interface WorkerInit {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  /** Byte address of the task block. */
  task: number;
  /** Thread id, 1-based (0 is the calling thread); selects the worker's scratch. */
  tid: number;
}

/** A started worker; `terminate` must end it (the pool first asks it to leave its loop). */
export interface WorkerHandle {
  terminate(): void;
}

/** Starts one worker running the loop of worker-source.ts. Node and browsers each provide one. */
export type SpawnWorker = (init: WorkerInit) => WorkerHandle;

/** No progress for this long while waiting for workers means one is gone: fail instead of hanging. */
const STALL_MS = 60_000;

/**
 * The calling thread's side of the task protocol. `run` publishes a new generation (parameters
 * are written before by the caller), wakes the workers if the task is worth it, does chunks itself
 * until none are left, then waits until every chunk is done (workers may still hold some). Workers that have not started yet
 * simply miss tasks; the caller then does all the chunks, so nothing depends on worker start-up.
 */
export class TaskPool {
  private readonly i32: Int32Array;
  private gen = 0;
  private readonly workers: WorkerHandle[] = [];
  private disposed = false;

  constructor(
    memory: WebAssembly.Memory,
    readonly task: number,
    /** Threads including the caller. */
    readonly threads: number,
    spawn: SpawnWorker | undefined,
    module: WebAssembly.Module,
    /** Whether this thread may block in Atomics.wait (not a browser's main thread). */
    private readonly canBlock: boolean,
  ) {
    this.i32 = new Int32Array(memory.buffer, task, CHUNKS0 + MAX_THREADS);
    if (threads > 1 && spawn) {
      for (let tid = 1; tid < threads; tid++) this.workers.push(spawn({ module, memory, task, tid }));
    }
  }

  /** Threads that can take chunks (1 when no workers could be started). */
  get parallelism(): number {
    return this.workers.length + 1;
  }

  /**
   * Runs a published task of `nchunks` chunks through `work(tid)` on every participating thread.
   * `parallel` false keeps it on the calling thread (small problems: waking workers costs more).
   */
  run(nchunks: number, parallel: boolean, work: (tid: number) => number): void {
    if (this.disposed) throw new WasmBackendError('wasm: backend used after dispose()');
    const i32 = this.i32;
    this.gen = (this.gen + 1) & GEN_MASK;
    Atomics.store(i32, T.COMPLETED, 0);
    Atomics.store(i32, T.ERROR, 0);
    Atomics.store(i32, T.NCHUNKS, nchunks);
    Atomics.store(i32, T.COUNTER, this.gen << GEN_SHIFT);
    Atomics.store(i32, T.SEQ, this.gen);
    const wake = parallel && this.workers.length > 0 && nchunks > 1;
    if (wake) Atomics.notify(i32, T.SEQ);
    this.i32[CHUNKS0] = this.i32[CHUNKS0]! + work(0);
    // even unwoken, a worker that was late for the previous task may have joined this one
    let seen = Atomics.load(i32, T.COMPLETED);
    let since = Date.now();
    while (seen < nchunks) {
      if (Atomics.load(i32, T.ERROR) !== 0) throw new WasmBackendError('wasm: a worker thread failed while running a kernel');
      if (this.canBlock) Atomics.wait(i32, T.COMPLETED, seen, 100);
      const now = Atomics.load(i32, T.COMPLETED);
      if (now !== seen) {
        seen = now;
        since = Date.now();
      } else if (Date.now() - since > STALL_MS) {
        throw new WasmBackendError(`wasm: workers made no progress for ${STALL_MS / 1000} s (${seen} of ${nchunks} chunks done)`);
      }
    }
  }

  /** Chunks each thread has done since creation (index 0: the calling thread). */
  chunksByThread(): number[] {
    return Array.from({ length: this.parallelism }, (_, tid) => Atomics.load(this.i32, CHUNKS0 + tid));
  }

  /** Asks every worker to leave its loop, then terminates it; idempotent. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    Atomics.store(this.i32, T.STOP, 1);
    Atomics.notify(this.i32, T.SEQ);
    for (const w of this.workers) w.terminate();
    this.workers.length = 0;
  }
}
