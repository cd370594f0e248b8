import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { WasmBackend, type WasmBackendOptions } from './backend.js';
import { loadBlas, type BlasOptions } from './node-blas.js';
import type { SpawnWorker } from './pool.js';
import { NODE_WORKER_SOURCE } from './worker-source.js';
import { WasmBackendError } from './errors.js';

export * from './index.js';
export { BLAS_THIN_MAX, blasCandidates, blasInstallHint, blasThreadsFor, loadBlas, type BlasLoad, type BlasOptions } from './node-blas.js';

/**
 * Starts workers with worker_threads. They are unref'd: an idle pool never keeps the process
 * alive, and `dispose()` ends them at once.
 */
export function nodeWorkerSpawner(): SpawnWorker {
  return (init) => {
    const w = new Worker(NODE_WORKER_SOURCE, { eval: true, workerData: init });
    w.unref();
    // a failing worker reports through the task block; keep its error from crashing the process
    w.on('error', () => {});
    return { terminate: () => void w.terminate() };
  };
}

export interface NodeWasmBackendOptions extends WasmBackendOptions {
  /**
   * Where the float32 products run: `'auto'` (default) a system BLAS when one is found (OpenBLAS,
   * Accelerate; see `loadBlas`), else the wasm GEMM; `'off'` always the wasm GEMM; or where to
   * find the BLAS. `EDORA_BLAS=off` in the environment means `'off'` for `'auto'`.
   */
  blas?: 'auto' | 'off' | BlasOptions;
}

/**
 * A wasm backend using every core of this machine (or `threads`), with Node worker threads, and
 * its products on the system BLAS when there is one (`blas`).
 */
export function createWasmBackend(options: NodeWasmBackendOptions = {}): WasmBackend {
  const { blas = 'auto', ...rest } = options;
  const threads = rest.threads ?? availableParallelism();
  let externalGemm = rest.externalGemm;
  if (externalGemm === undefined && blas !== 'off' && !(blas === 'auto' && process.env['EDORA_BLAS'] === 'off')) {
    const loaded = loadBlas({ threads, ...(blas === 'auto' ? {} : blas) });
    if (loaded.ok) externalGemm = loaded.gemm;
    else if (blas !== 'auto') throw new WasmBackendError(`wasm: no BLAS could be loaded (${loaded.reason}); searched ${loaded.searched.join(', ')}`);
  }
  return new WasmBackend({ spawnWorker: nodeWorkerSpawner(), canBlock: true, ...rest, threads, ...(externalGemm ? { externalGemm } : {}) });
}
