import {
  BACKEND_API_VERSION, type BackendBuffer, type BackendCapabilities, type BackendV1, type DType, type MemoryInfo,
  type OpAttrs, type OpName, type TensorView,
} from '@edora/tensor';
import { MemoryLedger, runOnHost } from '@edora/tensor/backend-kit';
import { ParamArena, type Arg } from './args.js';
import { Cublas, cublasCandidates } from './cublas.js';
import { openDevice, type DeviceInfo, type OpenDevice } from './device.js';
import { CudaError, CudaKernelFaultError, CudaOpError, CudaOutOfMemoryError } from './errors.js';
import { FaultWord } from './fault.js';
import { hasKernel, planners, supports, type Runner } from './ops/index.js';

export interface CudaBackendOptions {
  /** libcuda to load (default: EDORA_CUDA_DRIVER, then libcuda.so.1 through the loader's search path). */
  driverPath?: string;
  /** Device ordinal (default 0). */
  device?: number;
  /**
   * cuBLAS: a path to libcublas.so.*, `false` to always use the backend's own SGEMM kernel, or
   * unset to search (EDORA_CUBLAS, libcublas.so.13/.12 on the loader path, a Python nvidia-cublas wheel).
   */
  cublasPath?: string | false;
  /** TF32 tensor cores in cuBLAS GEMMs (≈10-bit mantissa products: faster, changes numerics). Off by default. */
  tf32?: boolean;
  /**
   * Which kernel image to load: `auto` (the sm_90 cubin on Hopper, the compute_75 PTX elsewhere)
   * or `ptx` (always JIT-compile the PTX, e.g. to check that path on a Hopper).
   */
  kernelImage?: 'auto' | 'ptx';
  /** Registry name (default "cuda"). */
  name?: string;
}

/** A device allocation. `ptr` is 0 for an empty buffer. */
export interface CudaBuffer extends BackendBuffer {
  readonly ptr: number;
  freed: boolean;
}

/** Reads up to this size go through the pinned staging buffer; larger ones straight to pageable memory. */
const MAX_STAGING_BYTES = 64 * 2 ** 20;

/**
 * The CUDA backend: the driver API through koffi, one non-blocking stream in issue order, kernels
 * from the committed PTX/cubin, cuBLAS for GEMMs when found. `run` only enqueues launches; `read`
 * and `sync` wait for the stream. Allocations are stream-ordered (cuMemAllocAsync/cuMemFreeAsync),
 * so a buffer freed while kernels that use it are queued is reused only after them.
 */
export class CudaBackend implements BackendV1 {
  readonly apiVersion = BACKEND_API_VERSION;
  readonly name: string;
  readonly capabilities: BackendCapabilities;
  readonly device: DeviceInfo;
  /** Where cuBLAS was loaded from, or why it was not (then GEMMs run the own SGEMM kernel). */
  readonly gemm: { library: 'cublas'; path: string; tf32: boolean } | { library: 'own-sgemm'; reason: string };
  private readonly dev: OpenDevice;
  private readonly params: ParamArena;
  private readonly cublas: Cublas | null;
  private readonly fault: FaultWord;
  private readonly runner: Runner;
  private staging: { ptr: bigint; bytes: number; view: Uint8Array } | null = null;
  private readonly ledger = new MemoryLedger<CudaBuffer>();
  /** Live buffers, so `dispose` can return their device memory. */
  private readonly live = new Set<CudaBuffer>();
  /** Set once a kernel fault was seen: CUDA contexts stay broken after one. */
  private broken: CudaKernelFaultError | null = null;
  private disposed = false;

  constructor(options: CudaBackendOptions = {}) {
    this.name = options.name ?? 'cuda';
    this.dev = openDevice(options.driverPath, options.device ?? 0, options.kernelImage ?? 'auto');
    const { driver, info } = this.dev;
    this.device = info;
    this.params = new ParamArena((n) => driver.koffi.alloc('uint8_t', n), (p, n) => driver.koffi.view(p, n));
    this.fault = new FaultWord(this);
    if (options.cublasPath === false) {
      this.cublas = null;
      this.gemm = { library: 'own-sgemm', reason: 'cublasPath: false' };
    } else {
      const { cublas, tried } = Cublas.open(driver.koffi, this.dev.stream, cublasCandidates(options.cublasPath), options.tf32 === true);
      this.cublas = cublas;
      this.gemm = cublas
        ? { library: 'cublas', path: cublas.path, tf32: options.tf32 === true }
        : { library: 'own-sgemm', reason: `cuBLAS not found (${tried.join('; ') || 'no candidates'})` };
    }
    this.capabilities = {
      float64: false,
      maxBufferBytes: Math.min(info.totalBytes, Number.MAX_SAFE_INTEGER),
      async: true,
      device: `${info.name} (CUDA, sm_${info.computeCapability}, ${info.image}, ${this.cublas ? 'cuBLAS' : 'own SGEMM'})`,
    };
    this.runner = {
      launch: (kernel, grid, block, args) => this.launch(kernel, grid, block, args),
      temp: (bytes) => this.alloc(bytes) as CudaBuffer,
      release: (b) => this.free(b),
      multiprocessors: info.multiprocessors,
      cublas: this.cublas,
      faultPtr: () => this.fault.arm(),
      checkCublas: (status, what) => {
        if (status !== 0) throw new CudaOpError(`${what}: cublasSgemmStridedBatched returned status ${status}`);
      },
    };
  }

  // --- memory ---

  alloc(byteLength: number): BackendBuffer {
    this.usable('alloc');
    if (!(Number.isInteger(byteLength) && byteLength >= 0)) throw new CudaOpError(`alloc: expected a byte count ≥ 0, got ${byteLength}`);
    let ptr = 0;
    if (byteLength > 0) {
      const out: [number] = [0];
      const { driver, stream, info } = this.dev;
      const r = info.memoryPools ? driver.raw('cuMemAllocAsync', out, byteLength, stream) : driver.raw('cuMemAlloc_v2', out, byteLength);
      if (r !== 0) {
        const err = driver.error(r, info.memoryPools ? 'cuMemAllocAsync' : 'cuMemAlloc_v2', `alloc of ${byteLength} bytes`);
        if (err instanceof CudaOutOfMemoryError) {
          throw new CudaOutOfMemoryError(
            `${err.message}; ${info.name} has ${info.totalBytes} bytes, this backend holds ${this.ledger.memory().bytes} bytes in ${this.live.size} buffers`,
          );
        }
        throw this.remember(err);
      }
      ptr = Number(out[0]);
    }
    const buf: CudaBuffer = { byteLength, ptr, freed: false };
    this.live.add(buf);
    return this.ledger.add(buf);
  }

  free(buffer: BackendBuffer): void {
    const b = buffer as CudaBuffer;
    if (b.freed || !this.ledger.remove(b)) return;
    this.live.delete(b);
    b.freed = true;
    if (b.ptr === 0 || this.disposed || this.broken) return;
    const { driver, stream, info } = this.dev;
    if (info.memoryPools) driver.call('cuMemFreeAsync', 'free', b.ptr, stream);
    else driver.call('cuMemFree_v2', 'free', b.ptr);
  }

  write(buffer: BackendBuffer, data: ArrayBufferView, byteOffset = 0): void {
    this.usable('write');
    const b = this.checkRange('write', buffer, byteOffset, data.byteLength);
    if (data.byteLength === 0) return;
    // from pageable memory the driver copies the source into its staging before returning, so the
    // caller may reuse `data` at once, and the copy stays in stream order
    const src = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    this.dev.driver.call('cuMemcpyHtoDAsync_v2', 'write', b.ptr + byteOffset, src, data.byteLength, this.dev.stream);
  }

  /**
   * Waits for the stream and copies the bytes out. The driver call blocks, so the backend can read
   * synchronously, which also lets the kit's host fallback run the rare op without a kernel here
   * (int32 unary and reduce).
   */
  readSync(buffer: BackendBuffer, byteOffset: number, byteLength: number): Uint8Array {
    this.usable('read');
    const b = this.checkRange('read', buffer, byteOffset, byteLength);
    const { driver, stream } = this.dev;
    if (byteLength === 0) {
      this.wait('read');
      return new Uint8Array(0);
    }
    if (byteLength <= MAX_STAGING_BYTES) {
      const staging = this.stagingOf(byteLength);
      driver.call('cuMemcpyDtoHAsync_v2', 'read', staging.ptr, b.ptr + byteOffset, byteLength, stream);
      this.wait('read');
      return staging.view.slice(0, byteLength);
    }
    const result = new Uint8Array(byteLength);
    driver.call('cuMemcpyDtoHAsync_v2', 'read', result, b.ptr + byteOffset, byteLength, stream);
    this.wait('read');
    return result;
  }

  read(buffer: BackendBuffer, byteOffset: number, byteLength: number): Promise<Uint8Array> {
    try {
      return Promise.resolve(this.readSync(buffer, byteOffset, byteLength));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  copyBuffer(src: BackendBuffer, srcByteOffset: number, dst: BackendBuffer, dstByteOffset: number, byteLength: number): void {
    this.usable('copyBuffer');
    const s = this.checkRange('copyBuffer', src, srcByteOffset, byteLength);
    const d = this.checkRange('copyBuffer', dst, dstByteOffset, byteLength);
    if (byteLength === 0) return;
    this.dev.driver.call('cuMemcpyDtoDAsync_v2', 'copyBuffer', d.ptr + dstByteOffset, s.ptr + srcByteOffset, byteLength, this.dev.stream);
  }

  // --- ops ---

  supportsOp(op: OpName, dtypes: readonly DType[]): boolean {
    return supports(op, dtypes);
  }

  run<O extends OpName>(op: O, inputs: readonly TensorView[], outputs: readonly TensorView[], attrs: OpAttrs[O]): void {
    this.usable(op);
    for (const v of [...inputs, ...outputs]) {
      if (v.dtype === 'float64') {
        throw new CudaOpError(`${op}: the cuda backend holds float32 and int32 only; found a float64 view of shape [${v.shape.join(', ')}]`);
      }
    }
    if (!hasKernel(op, [...inputs, ...outputs].map((v) => v.dtype))) {
      runOnHost(this, op, inputs, outputs, attrs);
      return;
    }
    (planners[op] as (r: Runner, i: readonly TensorView[], o: readonly TensorView[], a: OpAttrs[O]) => void)(this.runner, inputs, outputs, attrs);
  }

  /** Enqueues one kernel launch (the driver copies `args` at launch). */
  private launch(kernel: string, grid: readonly [number, number, number], block: readonly [number, number, number], args: readonly Arg[]): void {
    const fn = this.dev.functions.get(kernel);
    if (fn === undefined) throw new CudaOpError(`no kernel named ${kernel} in the loaded module`);
    const params = this.params.pack(kernel, args);
    const r = this.dev.driver.raw('cuLaunchKernel', fn, grid[0], grid[1], grid[2], block[0], block[1], block[2], 0, this.dev.stream, params, null);
    if (r !== 0) throw this.remember(this.dev.driver.error(r, 'cuLaunchKernel', `launching ${kernel} (grid ${grid.join('×')}, block ${block.join('×')})`));
  }

  // --- lifecycle ---

  flush(): void {
    // launches are submitted by cuLaunchKernel itself
  }

  sync(): Promise<void> {
    try {
      this.usable('sync');
      this.wait('sync');
      return Promise.resolve();
    } catch (err) {
      return Promise.reject(err);
    }
  }

  memory(): MemoryInfo {
    return this.ledger.memory();
  }

  resetPeak(): void {
    this.ledger.resetPeak();
  }

  dispose(): void {
    if (this.disposed) return;
    const { driver, stream, module } = this.dev;
    if (!this.broken) {
      driver.raw('cuStreamSynchronize', stream);
      for (const b of [...this.live]) this.free(b);
      this.fault.dispose();
    }
    this.disposed = true;
    this.cublas?.dispose();
    if (this.staging) driver.raw('cuMemFreeHost', this.staging.ptr);
    this.staging = null;
    driver.raw('cuModuleUnload', module);
    driver.raw('cuStreamDestroy_v2', stream);
    driver.raw('cuDevicePrimaryCtxRelease_v2', this.device.ordinal);
    driver.koffi.free(this.params.arena);
    driver.koffi.free(this.params.pointers);
    this.live.clear();
    this.ledger.clear();
  }

  /**
   * Launches a kernel that traps, for the fault tests: the next `sync()` raises
   * `CudaKernelFaultError`, and the backend stays unusable (as CUDA leaves the context).
   */
  launchTrapForTest(): void {
    const flag = this.alloc(4) as CudaBuffer;
    this.launch('edora_trap', [1, 1, 1], [1, 1, 1], [{ t: 'ptr', v: flag.ptr }]);
  }

  // --- internals shared with FaultWord ---

  /** Waits for the stream; raises a kernel fault, then a recorded bad row id. */
  wait(what: string): void {
    const r = this.dev.driver.raw('cuStreamSynchronize', this.dev.stream);
    if (r !== 0) throw this.remember(this.dev.driver.error(r, 'cuStreamSynchronize', what));
    this.fault.check();
  }

  /** The stream, driver and buffers FaultWord needs. */
  get internals(): OpenDevice {
    return this.dev;
  }

  private stagingOf(bytes: number): { ptr: bigint; bytes: number; view: Uint8Array } {
    if (this.staging && this.staging.bytes >= bytes) return this.staging;
    const { driver } = this.dev;
    if (this.staging) driver.call('cuMemFreeHost', 'freeing pinned staging', this.staging.ptr);
    this.staging = null;
    const size = Math.max(65536, 2 ** Math.ceil(Math.log2(bytes)));
    const out: [bigint | null] = [null];
    driver.call('cuMemAllocHost_v2', `allocating ${size} bytes of pinned staging`, out, size);
    this.staging = { ptr: out[0]!, bytes: size, view: new Uint8Array(driver.koffi.view(out[0]!, size)) };
    return this.staging;
  }

  private checkRange(op: string, buffer: BackendBuffer, byteOffset: number, byteLength: number): CudaBuffer {
    const b = buffer as CudaBuffer;
    if (b.freed) throw new CudaOpError(`${op}: the buffer was freed`);
    if (!(byteOffset >= 0 && byteLength >= 0 && byteOffset + byteLength <= b.byteLength)) {
      throw new CudaOpError(`${op}: bytes [${byteOffset}, ${byteOffset + byteLength}) outside a buffer of ${b.byteLength} bytes`);
    }
    return b;
  }

  private usable(op: string): void {
    if (this.broken) throw this.broken;
    if (this.disposed) throw new CudaError('E_CUDA_DISPOSED', `${op}: the cuda backend was disposed`);
  }

  private remember(err: Error): Error {
    if (err instanceof CudaKernelFaultError) this.broken = err;
    return err;
  }
}

/** Creates the backend (synchronous underneath; async to fit the registry's factories). */
export async function createCudaBackend(options: CudaBackendOptions = {}): Promise<CudaBackend> {
  return new CudaBackend(options);
}
