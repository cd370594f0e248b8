import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { WasmBackend, type WasmBackendOptions } from './backend.js';
import type { SpawnWorker } from './pool.js';
import { NODE_WORKER_SOURCE } from './worker-source.js';

export * from './index.js';

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

/** A wasm backend using every core of this machine (or `threads`), with Node worker threads. */
export function createWasmBackend(options: WasmBackendOptions = {}): WasmBackend {
  return new WasmBackend({ threads: availableParallelism(), spawnWorker: nodeWorkerSpawner(), canBlock: true, ...options });
}
