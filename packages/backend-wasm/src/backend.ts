import { MemoryLedger, runCpuKernel } from '@edora/tensor/backend-kit';
import {
  BACKEND_API_VERSION,
  type BackendBuffer, type BackendCapabilities, type BackendV1, type DType, type MemoryInfo, type OpAttrs, type OpName,
  type TensorView,
} from '@edora/tensor';
import { WasmBackendError } from './errors.js';
import type { ExternalGemm } from './external-gemm.js';
import { Gemm, PARALLEL_MIN_FLOPS, type WasmBuffer } from './gemm.js';
import { wasmKernels, type WasmKernel } from './kernels.js';
import { PARALLEL_MIN_ELEMENTS, RowTasks } from './row-tasks.js';
import { WasmHeap } from './heap.js';
import { instantiate, kernelModule } from './module.js';
import { TaskPool, type SpawnWorker } from './pool.js';
import { MAX_THREADS, TASK_BYTES } from './task.js';

const PAGE = 65536;
const MAX_PAGES = 65536; // 4 GiB, the wasm32 limit

export interface WasmBackendOptions {
  /** Registry name (default "wasm"). */
  name?: string;
  /** Threads including the calling one (default 1 here; the Node entry defaults to the core count). */
  threads?: number;
  /** Starts workers; without it the backend runs single-threaded. */
  spawnWorker?: SpawnWorker;
  /** Whether the calling thread may block in Atomics.wait (false on a browser's main thread). */
  canBlock?: boolean;
  /** Products below this many flops stay on the calling thread (default PARALLEL_MIN_FLOPS). */
  parallelMinFlops?: number;
  /** GELU and softmax over fewer elements stay on the calling thread (default PARALLEL_MIN_ELEMENTS). */
  parallelMinElements?: number;
  /** Upper bound of the wasm memory in bytes (default 4 GiB, the wasm32 limit). */
  maxMemoryBytes?: number;
  /**
   * Runs the float32 products instead of the wasm GEMM where it can take the views (the Node
   * entry passes a system BLAS here by default; see `createWasmBackend`).
   */
  externalGemm?: ExternalGemm;
  /**
   * Fill every reused buffer with 0xff bytes (NaN as float32) instead of leaving its old contents:
   * makes a kernel that reads an output before writing it visible. For tests; off by default.
   */
  poisonReusedMemory?: boolean;
}

function createMemory(maxBytes: number): { memory: WebAssembly.Memory; maxBytes: number } {
  const wanted = Math.min(MAX_PAGES, Math.floor(maxBytes / PAGE));
  // some hosts cannot reserve 4 GiB of address space for a shared memory: try smaller limits
  for (let pages = wanted; pages >= 256; pages = Math.floor(pages / 2)) {
    try {
      return { memory: new WebAssembly.Memory({ initial: 64, maximum: pages, shared: true }), maxBytes: pages * PAGE };
    } catch (err) {
      if (!(err instanceof RangeError)) throw err;
    }
  }
  throw new WasmBackendError(`wasm: could not create a shared WebAssembly.Memory of at least 16 MiB (asked for ${maxBytes} bytes)`);
}

/**
 * The WebAssembly backend: buffers live in one shared wasm memory; matmul and matmulBiasAct run
 * as SIMD128 kernels spread over worker threads; every other op runs the cpu backend's kernels
 * (`runCpuKernel`) directly on the same bytes, so results agree with the reference backend.
 * Synchronous like the cpu backend: `run` has finished when it returns.
 */
export class WasmBackend implements BackendV1 {
  readonly apiVersion = BACKEND_API_VERSION;
  readonly name: string;
  readonly capabilities: BackendCapabilities;
  readonly threads: number;
  private readonly heap: WasmHeap;
  private readonly pool: TaskPool;
  private readonly table: ReturnType<typeof wasmKernels>;
  private readonly ledger = new MemoryLedger<WasmBuffer>();
  private disposed = false;

  constructor(options: WasmBackendOptions = {}) {
    const threads = options.threads ?? 1;
    if (!Number.isInteger(threads) || threads < 1 || threads > MAX_THREADS) {
      throw new WasmBackendError(`wasm: threads must be an integer in [1, ${MAX_THREADS}], got ${String(threads)}`);
    }
    this.name = options.name ?? 'wasm';
    const { memory, maxBytes } = createMemory(options.maxMemoryBytes ?? MAX_PAGES * PAGE);
    const kernels = instantiate(memory);
    this.heap = new WasmHeap(memory, kernels.__heap_base.value as number, maxBytes, options.poisonReusedMemory ?? false);
    const task = this.heap.alloc(TASK_BYTES).ptr;
    this.pool = new TaskPool(memory, task, threads, options.spawnWorker, kernelModule(), options.canBlock ?? true);
    this.threads = this.pool.parallelism;
    const gemm = new Gemm(kernels, this.heap, this.pool, options.parallelMinFlops ?? PARALLEL_MIN_FLOPS);
    const rowTasks = new RowTasks(memory, kernels, this.pool, gemm, options.parallelMinElements ?? PARALLEL_MIN_ELEMENTS);
    const externalGemm = options.externalGemm;
    this.table = wasmKernels({ kernels, rowTasks, gemm, externalGemm, memory, run: (op, inputs, outputs, attrs) => this.run(op, inputs, outputs, attrs) });
    this.capabilities = {
      float64: true,
      maxBufferBytes: Math.min(2 ** 31, maxBytes) - 64,
      async: false,
      device: `CPU (WebAssembly SIMD128, ${this.threads} thread${this.threads > 1 ? 's' : ''}${externalGemm ? `; GEMM: ${externalGemm.description}` : ''})`,
    };
  }

  alloc(byteLength: number): BackendBuffer {
    if (this.disposed) throw new WasmBackendError('wasm: alloc after dispose()');
    if (!(byteLength >= 0) || byteLength > this.capabilities.maxBufferBytes) {
      throw new WasmBackendError(`wasm: cannot allocate ${byteLength} bytes (limit ${this.capabilities.maxBufferBytes})`);
    }
    const { ptr, size } = this.heap.alloc(byteLength);
    // the view covers the whole block (a multiple of 64 bytes) so float64 views are always legal
    return this.ledger.add({ byteLength, bytes: new Uint8Array(this.heap.memory.buffer, ptr, size), ptr, size });
  }

  free(buffer: BackendBuffer): void {
    const b = buffer as WasmBuffer;
    if (!this.ledger.remove(b)) return;
    this.heap.release(b.ptr, b.size);
  }

  write(buffer: BackendBuffer, data: ArrayBufferView, byteOffset = 0): void {
    (buffer as WasmBuffer).bytes.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), byteOffset);
  }

  readSync(buffer: BackendBuffer, byteOffset: number, byteLength: number): Uint8Array {
    return (buffer as WasmBuffer).bytes.slice(byteOffset, byteOffset + byteLength);
  }

  read(buffer: BackendBuffer, byteOffset: number, byteLength: number): Promise<Uint8Array> {
    return Promise.resolve(this.readSync(buffer, byteOffset, byteLength));
  }

  copyBuffer(src: BackendBuffer, srcByteOffset: number, dst: BackendBuffer, dstByteOffset: number, byteLength: number): void {
    const s = (src as WasmBuffer).ptr + srcByteOffset;
    // copyWithin handles overlapping ranges of the same buffer
    new Uint8Array(this.heap.memory.buffer).copyWithin((dst as WasmBuffer).ptr + dstByteOffset, s, s + byteLength);
  }

  supportsOp(_op: OpName, _dtypes: readonly DType[]): boolean {
    // every op: the ones without a wasm kernel run the cpu kernels on the same memory
    return true;
  }

  run<O extends OpName>(op: O, inputs: readonly TensorView[], outputs: readonly TensorView[], attrs: OpAttrs[O]): void {
    if (this.disposed) throw new WasmBackendError(`wasm: ${op} after dispose()`);
    try {
      const kernel = this.table[op] as WasmKernel<O> | null;
      if (!kernel?.(inputs, outputs, attrs)) runCpuKernel(op, inputs, outputs, attrs);
    } catch (err) {
      if (err instanceof RangeError || err instanceof WebAssembly.RuntimeError) {
        throw new WasmBackendError(`wasm ${op}: ${err.message}`, { cause: err });
      }
      throw err;
    }
  }

  flush(): void {}

  sync(): Promise<void> {
    return Promise.resolve();
  }

  memory(): MemoryInfo {
    return this.ledger.memory(this.heap.pooledBytes);
  }

  /** GEMM chunks each thread has done (index 0: the calling thread): shows the workers take part. */
  chunksByThread(): number[] {
    return this.pool.chunksByThread();
  }

  /** Bytes of wasm memory handed out so far: live and pooled buffers, scratch, the task block. */
  get reservedBytes(): number {
    return this.heap.reservedBytes;
  }

  resetPeak(): void {
    this.ledger.resetPeak();
  }

  /** Stops the worker threads (so the process can exit) and drops every buffer. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.pool.dispose();
    this.ledger.clear();
  }
}
