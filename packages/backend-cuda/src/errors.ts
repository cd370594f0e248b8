import { BackendError, EdoraError } from '@edora/tensor';

/**
 * Typed errors of the CUDA backend. Each says what was looked for and what was found, so
 * `edora backends` can print why `cuda` is unavailable on a machine instead of crashing.
 */
export class CudaError extends EdoraError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** No NVIDIA driver (libcuda.so.1 could not be loaded) or no `koffi` to load it with. */
export class CudaUnavailableError extends CudaError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_CUDA_UNAVAILABLE', message, options);
  }
}

/** The driver loaded but reports no CUDA device (or not the ordinal asked for). */
export class CudaNoDeviceError extends CudaError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_CUDA_NO_DEVICE', message, options);
  }
}

/** The GPU is older than the kernels' target (compute capability 7.5), or the driver cannot load them. */
export class CudaUnsupportedGpuError extends CudaError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_CUDA_UNSUPPORTED_GPU', message, options);
  }
}

/** A device allocation failed: the message names the request and the device's free memory. */
export class CudaOutOfMemoryError extends CudaError {
  constructor(message: string) {
    super('E_CUDA_OOM', message);
  }
}

/**
 * A kernel faulted on the device (illegal address, trap, launch failure). CUDA makes such errors
 * sticky: the context is unusable afterwards, so every later call of this backend raises this too;
 * a new process is needed to use the GPU again.
 */
export class CudaKernelFaultError extends CudaError {
  constructor(message: string) {
    super('E_CUDA_KERNEL_FAULT', message);
  }
}

/** Any other driver call that failed: names the call and the CUDA result code. */
export class CudaDriverError extends CudaError {
  readonly result: number;
  constructor(message: string, result: number) {
    super('E_CUDA_DRIVER', message);
    this.result = result;
  }
}

/** An op the backend cannot take as asked (rank, dtype, size limits). */
export class CudaOpError extends CudaError {
  constructor(message: string) {
    super('E_CUDA_OP', message);
  }
}

/**
 * A row id outside [0, rows) met by gatherRows or scatterAddRows: a `BackendError` with the cpu
 * backend's message shape, raised at the next `read()` or `sync()` (kernels cannot throw).
 */
export class CudaIndexError extends BackendError {}
