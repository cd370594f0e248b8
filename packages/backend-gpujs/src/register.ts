import { registerBackend } from '@edora/tensor';
import { GpujsBackend } from './backend.js';
import { webgl2Available } from './webgl2.js';

/**
 * Importing this module registers the backend as "gpujs" (what `edora --backend
 * @edora/backend-gpujs` imports): on WebGL2 where the context has it, else on what gpu.js picks
 * (its WebAssembly kernels in Node). Priority 0: it never becomes the default by itself; a page
 * without WebGPU asks for it by name.
 */
registerBackend('gpujs', () => new GpujsBackend(webgl2Available() ? { mode: 'webgl2' } : {}), { priority: 0 });
