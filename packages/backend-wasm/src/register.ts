import { registerBackend } from '@edora/tensor';
import { WasmBackend } from './backend.js';
import { WASM_PRIORITY } from './index.js';
import { webWorkerSpawner } from './web-workers.js';

/**
 * Browser (and other non-Node) registration: "wasm" becomes the default CPU backend. Workers
 * need a cross-origin isolated page; elsewhere the backend runs on one thread, and where shared
 * wasm memory is unavailable at all, creating it fails and the registry keeps using "cpu".
 */
const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
const cores = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 1;
registerBackend(
  'wasm',
  () =>
    new WasmBackend(
      isolated && typeof Worker !== 'undefined'
        ? { threads: Math.min(cores, 64), spawnWorker: webWorkerSpawner(), canBlock: typeof window === 'undefined' }
        : { threads: 1, canBlock: false },
    ),
  { priority: WASM_PRIORITY },
);
