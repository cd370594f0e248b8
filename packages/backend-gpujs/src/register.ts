import { registerBackend } from '@edora/tensor';
import { GpujsBackend } from './backend.js';

/**
 * Importing this module registers the backend as "gpujs" (what `edora --backend
 * @edora/backend-gpujs` imports). Priority 0: it never becomes the default by itself; a page
 * without WebGPU asks for it by name.
 */
registerBackend('gpujs', () => new GpujsBackend(), { priority: 0 });
