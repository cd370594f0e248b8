import {
  BACKEND_API_VERSION, BackendError, type BackendBuffer, type BackendCapabilities, type BackendV1, type DType, type MemoryInfo,
  type OpAttrs, type OpName, type TensorView,
} from '@edora/tensor';
import { MemoryLedger, runKernelOrHost, supportsWithHostFallback, type CpuBuffer, type KernelTable } from '@edora/tensor/backend-kit';
import type { GPUInternalMode, GPUMode } from 'gpu.js';
import { gpujsKernels, STRIDED_OPS } from './kernels/index.js';
import { ProgramCache, type CompileStats } from './programs.js';

export interface GpujsBackendOptions {
  /** Registry name (default "gpujs"). */
  name?: string;
  /**
   * gpu.js's mode: 'webgl2' (what a browser without WebGPU has), 'webgl', 'webasm' (its
   * WebAssembly kernels, what Node gets without the native `gl` module), 'cpu'; default: what
   * gpu.js picks (the best it finds).
   */
  mode?: GPUMode | GPUInternalMode;
}

/**
 * EDoRA.ts on WebGL2 through gpu.js, written as a third-party plugin: it imports only
 * `@edora/tensor` and `@edora/tensor/backend-kit`. Buffers live in host memory (a gpu.js kernel
 * takes typed arrays and returns one); the products, elementwise ops, row softmax and layerNorm
 * (and their backwards), reductions and the AdamW step run as gpu.js kernels, compiled once per
 * shape class (`compileStats()`); every other op runs on the kit's host fallback, counted
 * (`backendStats(backend).fallbacks`).
 */
export class GpujsBackend implements BackendV1 {
  readonly apiVersion = BACKEND_API_VERSION;
  readonly name: string;
  readonly capabilities: BackendCapabilities;
  private readonly ledger = new MemoryLedger<CpuBuffer>();
  private readonly programs: ProgramCache;
  private readonly kernels: KernelTable;

  constructor(options: GpujsBackendOptions = {}) {
    this.name = options.name ?? 'gpujs';
    this.programs = new ProgramCache(options.mode);
    this.kernels = gpujsKernels(this.programs);
    this.capabilities = {
      float64: true, // float64 tensors live in host memory; their ops run on the host fallback
      maxBufferBytes: 2 ** 31 - 8,
      async: false, // kernels return their results: run has finished when it returns
      device: `gpu.js ${this.programs.mode} (precision single)`,
    };
  }

  /** gpu.js's kernel class in use: 'webgl2' in a browser with WebGL2, 'webasm' in Node without `gl`. */
  get mode(): string {
    return this.programs.mode;
  }

  /** gpu.js compiles (shaders, or wasm modules in Node), kernels held, and kernel runs so far. */
  compileStats(): CompileStats {
    return this.programs.stats();
  }

  alloc(byteLength: number): BackendBuffer {
    if (byteLength > this.capabilities.maxBufferBytes) {
      throw new BackendError(`gpujs: cannot allocate ${byteLength} bytes; the largest buffer is ${this.capabilities.maxBufferBytes} bytes`);
    }
    // rounded up to 8 bytes so that a float64 (or float32) view of any buffer is legal
    return this.ledger.add({ byteLength, bytes: new Uint8Array(Math.ceil(byteLength / 8) * 8) });
  }

  free(buffer: BackendBuffer): void {
    this.ledger.remove(buffer as CpuBuffer);
  }

  write(buffer: BackendBuffer, data: ArrayBufferView, byteOffset = 0): void {
    (buffer as CpuBuffer).bytes.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), byteOffset);
  }

  readSync(buffer: BackendBuffer, byteOffset: number, byteLength: number): Uint8Array {
    return (buffer as CpuBuffer).bytes.slice(byteOffset, byteOffset + byteLength);
  }

  read(buffer: BackendBuffer, byteOffset: number, byteLength: number): Promise<Uint8Array> {
    return Promise.resolve(this.readSync(buffer, byteOffset, byteLength));
  }

  copyBuffer(src: BackendBuffer, srcByteOffset: number, dst: BackendBuffer, dstByteOffset: number, byteLength: number): void {
    (dst as CpuBuffer).bytes.set((src as CpuBuffer).bytes.subarray(srcByteOffset, srcByteOffset + byteLength), dstByteOffset);
  }

  supportsOp(op: OpName, dtypes: readonly DType[]): boolean {
    // every tier-0 op (the host fallback covers what has no kernel), tier-1 ops only with a kernel
    return supportsWithHostFallback(this.kernels, op, dtypes);
  }

  run<O extends OpName>(op: O, inputs: readonly TensorView[], outputs: readonly TensorView[], attrs: OpAttrs[O]): void {
    // fill, copy, binary and matmul read strides themselves; the other kernels get dense stand-ins
    runKernelOrHost(this, this.kernels, op, inputs, outputs, attrs, { denseOnly: !STRIDED_OPS.has(op) });
  }

  flush(): void {}

  sync(): Promise<void> {
    return Promise.resolve();
  }

  memory(): MemoryInfo {
    return this.ledger.memory();
  }

  resetPeak(): void {
    this.ledger.resetPeak();
  }

  dispose(): void {
    this.ledger.clear();
    this.programs.dispose();
  }
}
