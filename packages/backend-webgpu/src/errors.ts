import { BackendError, EdoraError } from '@edora/tensor';

/**
 * Typed errors of the WebGPU backend. GPU-side failures surface asynchronously (WebGPU reports
 * them through error scopes), so they are raised at the next `sync()` or `read()` and name the ops
 * of the submission that failed.
 */
export class WebGpuError extends EdoraError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** No WebGPU implementation or no adapter: the message says what to install. */
export class WebGpuUnavailableError extends WebGpuError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_WEBGPU_UNAVAILABLE', message, options);
  }
}

/** A device limit is below what the work needs (binding size, buffer size). */
export class WebGpuLimitError extends WebGpuError {
  constructor(message: string) {
    super('E_WEBGPU_LIMIT', message);
  }
}

/** A validation error captured by an error scope around a submission. */
export class WebGpuValidationError extends WebGpuError {
  constructor(message: string) {
    super('E_WEBGPU_VALIDATION', message);
  }
}

/** The device ran out of memory while allocating or running a submission. */
export class WebGpuOutOfMemoryError extends WebGpuError {
  constructor(message: string) {
    super('E_WEBGPU_OOM', message);
  }
}

/** The device was lost (driver reset, `destroy()`, or an unrecoverable error). */
export class WebGpuDeviceLostError extends WebGpuError {
  constructor(message: string) {
    super('E_WEBGPU_DEVICE_LOST', message);
  }
}

/** An op the backend was asked to run with arguments it cannot take (rank, dtype). */
export class WebGpuOpError extends WebGpuError {
  constructor(message: string) {
    super('E_WEBGPU_OP', message);
  }
}

/**
 * A row id outside [0, rows) met by gatherRows or scatterAddRows. The cpu backend throws a
 * `BackendError` (code E_BACKEND) for the same input and the wasm backend a subclass of it, so this
 * one is a `BackendError` too, with the same message shape; it is raised at the next `read()` or
 * `sync()` (see fault.ts), not by `run`.
 */
export class WebGpuIndexError extends BackendError {}
