import type { SpawnWorker } from './pool.js';
import { BROWSER_WORKER_SOURCE } from './worker-source.js';

/**
 * Starts workers as Web Workers from a Blob URL. Shared wasm memory needs a cross-origin
 * isolated page (COOP `same-origin` + COEP `require-corp`); check `crossOriginIsolated`.
 */
export function webWorkerSpawner(): SpawnWorker {
  const url = URL.createObjectURL(new Blob([BROWSER_WORKER_SOURCE], { type: 'text/javascript' }));
  return (init) => {
    const w = new Worker(url);
    w.postMessage(init);
    return { terminate: () => w.terminate() };
  };
}
