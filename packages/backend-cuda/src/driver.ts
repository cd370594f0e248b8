import { CudaDriverError, CudaKernelFaultError, CudaOutOfMemoryError, CudaUnavailableError } from './errors.js';
import { loadKoffi, type Koffi } from './koffi.js';

/** The CUDA driver API entry points the backend binds, by their exported names (CUDA ≥ 12). */
const PROTOTYPES = {
  cuInit: 'int cuInit(unsigned int flags)',
  cuDriverGetVersion: 'int cuDriverGetVersion(_Out_ int *version)',
  cuGetErrorName: 'int cuGetErrorName(int error, _Out_ const char **name)',
  cuGetErrorString: 'int cuGetErrorString(int error, _Out_ const char **text)',
  cuDeviceGetCount: 'int cuDeviceGetCount(_Out_ int *count)',
  cuDeviceGet: 'int cuDeviceGet(_Out_ int *device, int ordinal)',
  cuDeviceGetName: 'int cuDeviceGetName(void *name, int len, int device)',
  cuDeviceGetAttribute: 'int cuDeviceGetAttribute(_Out_ int *value, int attribute, int device)',
  cuDeviceTotalMem_v2: 'int cuDeviceTotalMem_v2(_Out_ size_t *bytes, int device)',
  cuDevicePrimaryCtxRetain: 'int cuDevicePrimaryCtxRetain(_Out_ void **ctx, int device)',
  cuDevicePrimaryCtxRelease_v2: 'int cuDevicePrimaryCtxRelease_v2(int device)',
  cuCtxSetCurrent: 'int cuCtxSetCurrent(void *ctx)',
  cuCtxSynchronize: 'int cuCtxSynchronize()',
  cuMemGetInfo_v2: 'int cuMemGetInfo_v2(_Out_ size_t *free, _Out_ size_t *total)',
  cuModuleLoadData: 'int cuModuleLoadData(_Out_ void **module, const void *image)',
  cuModuleUnload: 'int cuModuleUnload(void *module)',
  cuModuleGetFunction: 'int cuModuleGetFunction(_Out_ void **fn, void *module, const char *name)',
  cuLaunchKernel:
    'int cuLaunchKernel(void *fn, unsigned int gx, unsigned int gy, unsigned int gz, unsigned int bx, unsigned int by, ' +
    'unsigned int bz, unsigned int sharedBytes, void *stream, void *params, void *extra)',
  cuMemAlloc_v2: 'int cuMemAlloc_v2(_Out_ uint64_t *dptr, size_t bytes)',
  cuMemFree_v2: 'int cuMemFree_v2(uint64_t dptr)',
  cuMemAllocAsync: 'int cuMemAllocAsync(_Out_ uint64_t *dptr, size_t bytes, void *stream)',
  cuMemFreeAsync: 'int cuMemFreeAsync(uint64_t dptr, void *stream)',
  cuDeviceGetDefaultMemPool: 'int cuDeviceGetDefaultMemPool(_Out_ void **pool, int device)',
  cuMemPoolSetAttribute: 'int cuMemPoolSetAttribute(void *pool, int attribute, void *value)',
  cuMemAllocHost_v2: 'int cuMemAllocHost_v2(_Out_ void **ptr, size_t bytes)',
  cuMemFreeHost: 'int cuMemFreeHost(void *ptr)',
  cuMemcpyHtoDAsync_v2: 'int cuMemcpyHtoDAsync_v2(uint64_t dst, const void *src, size_t bytes, void *stream)',
  cuMemcpyDtoHAsync_v2: 'int cuMemcpyDtoHAsync_v2(void *dst, uint64_t src, size_t bytes, void *stream)',
  cuMemcpyDtoDAsync_v2: 'int cuMemcpyDtoDAsync_v2(uint64_t dst, uint64_t src, size_t bytes, void *stream)',
  cuMemsetD32Async: 'int cuMemsetD32Async(uint64_t dst, unsigned int value, size_t count, void *stream)',
  cuStreamCreate: 'int cuStreamCreate(_Out_ void **stream, unsigned int flags)',
  cuStreamDestroy_v2: 'int cuStreamDestroy_v2(void *stream)',
  cuStreamSynchronize: 'int cuStreamSynchronize(void *stream)',
  cuEventCreate: 'int cuEventCreate(_Out_ void **event, unsigned int flags)',
  cuEventRecord: 'int cuEventRecord(void *event, void *stream)',
  cuEventSynchronize: 'int cuEventSynchronize(void *event)',
  cuEventElapsedTime: 'int cuEventElapsedTime(_Out_ float *ms, void *start, void *end)',
  cuEventDestroy_v2: 'int cuEventDestroy_v2(void *event)',
} as const;

export type DriverFn = keyof typeof PROTOTYPES;
/** A bound entry point: returns the CUresult; out parameters are one-element arrays. */
export type Bound = (...args: unknown[]) => number;

export const CUDA_SUCCESS = 0;
export const CUDA_ERROR_OUT_OF_MEMORY = 2;
export const CUDA_ERROR_NO_DEVICE = 100;
/** Results that mean a kernel faulted; CUDA keeps the context in that state (sticky errors). */
const KERNEL_FAULTS = new Set([
  700, // ILLEGAL_ADDRESS
  701, // LAUNCH_OUT_OF_RESOURCES (only at launch; reported as a fault of that launch)
  702, // LAUNCH_TIMEOUT
  714, // HARDWARE_STACK_ERROR
  715, // ILLEGAL_INSTRUCTION
  716, // MISALIGNED_ADDRESS
  717, // INVALID_ADDRESS_SPACE
  718, // INVALID_PC
  719, // LAUNCH_FAILED
]);

/** Attributes read from cuDeviceGetAttribute. */
export const ATTR = {
  maxThreadsPerBlock: 1,
  multiprocessorCount: 16,
  computeCapabilityMajor: 75,
  computeCapabilityMinor: 76,
  memoryPoolsSupported: 115,
} as const;

/** Where the driver is looked for, in order, when no path is given. */
export function driverCandidates(path?: string): string[] {
  const fromEnv = process.env.EDORA_CUDA_DRIVER;
  if (path) return [path];
  if (fromEnv) return [fromEnv];
  return ['libcuda.so.1', 'libcuda.so'];
}

/** libcuda bound through koffi, with result checking that maps codes to typed errors. */
export class Driver {
  readonly path: string;
  readonly koffi: Koffi;
  private readonly fns: Record<DriverFn, Bound>;

  private constructor(path: string, koffi: Koffi, fns: Record<DriverFn, Bound>) {
    this.path = path;
    this.koffi = koffi;
    this.fns = fns;
  }

  /** Loads the first candidate library that opens and binds every entry point. */
  static load(path?: string): Driver {
    const koffi = loadKoffi();
    const tried: string[] = [];
    for (const candidate of driverCandidates(path)) {
      let lib;
      try {
        lib = koffi.load(candidate);
      } catch (err) {
        tried.push(`${candidate} (${(err as Error).message.split('\n')[0]})`);
        continue;
      }
      const fns = {} as Record<DriverFn, Bound>;
      try {
        for (const [name, proto] of Object.entries(PROTOTYPES)) fns[name as DriverFn] = lib.func(proto) as Bound;
      } catch (err) {
        lib.unload();
        throw new CudaUnavailableError(
          `${candidate} loaded but lacks a driver entry point the backend needs (${(err as Error).message}); ` +
            'the CUDA backend needs an NVIDIA driver of CUDA 12 or newer (R525+)',
          { cause: err },
        );
      }
      return new Driver(candidate, koffi, fns);
    }
    throw new CudaUnavailableError(
      `no NVIDIA driver found: could not load ${tried.join('; ')}. Install the NVIDIA driver, or point ` +
        'EDORA_CUDA_DRIVER (or the driverPath option) at libcuda.so.1',
    );
  }

  /** The CUDA name and description of a result code, e.g. "CUDA_ERROR_OUT_OF_MEMORY (out of memory)". */
  describe(result: number): string {
    const name: [string | null] = [null];
    const text: [string | null] = [null];
    const okName = this.fns.cuGetErrorName(result, name) === CUDA_SUCCESS;
    const okText = this.fns.cuGetErrorString(result, text) === CUDA_SUCCESS;
    if (!okName) return `CUDA error ${result}`;
    return okText && text[0] !== name[0] ? `${name[0]} (${text[0]})` : `${name[0]}`;
  }

  /** Calls `fn` and throws the typed error for a failed result; `what` says what was being done. */
  call(fn: DriverFn, what: string, ...args: unknown[]): void {
    const r = this.fns[fn](...args);
    if (r !== CUDA_SUCCESS) throw this.error(r, fn, what);
  }

  /** Calls `fn` and returns its result code unchecked (for callers that branch on it). */
  raw(fn: DriverFn, ...args: unknown[]): number {
    return this.fns[fn](...args);
  }

  error(result: number, fn: string, what: string): Error {
    const desc = this.describe(result);
    if (result === CUDA_ERROR_OUT_OF_MEMORY) return new CudaOutOfMemoryError(`${what}: ${fn} failed with ${desc}`);
    if (KERNEL_FAULTS.has(result)) {
      return new CudaKernelFaultError(
        `${what}: ${fn} reported ${desc}, a kernel fault; CUDA keeps the context unusable after one, so this backend ` +
          'refuses further work (start a new process)',
      );
    }
    return new CudaDriverError(`${what}: ${fn} failed with ${desc}`, result);
  }
}
