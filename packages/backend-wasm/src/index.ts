/**
 * @edora/backend-wasm — a CPU backend whose GEMM runs as WebAssembly SIMD128 on every core.
 * Browser-safe entry; Node's worker threads and core count live in `@edora/backend-wasm/node`,
 * and `@edora/backend-wasm/register` registers the backend as the default CPU backend.
 */
export { WasmBackend, type WasmBackendOptions } from './backend.js';
export { WasmBackendError } from './errors.js';
export { blasOperand, type BlasOperand, type ExternalGemm, type GemmCall } from './external-gemm.js';
export { PARALLEL_MIN_FLOPS, type WasmBuffer } from './gemm.js';
export { PARALLEL_MIN_ELEMENTS } from './row-tasks.js';
export { sizeClass } from './heap.js';
export type { SpawnWorker, WorkerHandle, WorkerInit } from './pool.js';
export { webWorkerSpawner } from './web-workers.js';
export { NODE_WORKER_SOURCE, BROWSER_WORKER_SOURCE } from './worker-source.js';
/** Priority of "wasm" in the registry: above "cpu" (0); GPU backends should register above it. */
export const WASM_PRIORITY = 10;
