import { BackendError } from '@edora/tensor';

/** Errors of the wasm backend: out of wasm memory, bad options, a worker that failed. Code E_BACKEND. */
export class WasmBackendError extends BackendError {}
