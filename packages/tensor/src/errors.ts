import { EdoraError } from '@edora/errors';

/**
 * Every error EDoRA.ts throws on purpose is an `EdoraError` (from @edora/errors, the one base
 * shared by every package, glue included) with a stable `code`.
 */
export { EdoraError };

/** Incompatible or invalid shapes; the message names the op and every shape involved. */
export class ShapeError extends EdoraError {
  constructor(message: string) {
    super('E_SHAPE', message);
  }
}

/** A dtype the op or backend cannot take. */
export class DTypeError extends EdoraError {
  constructor(message: string) {
    super('E_DTYPE', message);
  }
}

/** A bad argument value (an option outside its valid choices, a negative size...). */
export class ArgumentError extends EdoraError {
  constructor(message: string) {
    super('E_ARGUMENT', message);
  }
}

/** Backend missing, failing, or asked for something it cannot do. */
export class BackendError extends EdoraError {
  /**
   * The backend could not allocate a buffer: the work does not fit its memory, and the same work
   * in smaller pieces may (fit splits a batch into micro-batches on it). Nothing was changed.
   */
  readonly outOfMemory: boolean;

  constructor(message: string, options?: { cause?: unknown; outOfMemory?: boolean }) {
    super('E_BACKEND', message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.outOfMemory = options?.outOfMemory ?? false;
  }
}

/** A tensor used after `dispose()`. */
export class DisposedError extends EdoraError {
  constructor(message: string) {
    super('E_DISPOSED', message);
  }
}

/** Autograd misuse: backward on a non-scalar without a gradient, a released graph, ... */
export class AutogradError extends EdoraError {
  constructor(message: string) {
    super('E_AUTOGRAD', message);
  }
}

/** A malformed file (safetensors and others); the message names the file when known. */
export class FormatError extends EdoraError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_FORMAT', message, options);
  }
}
