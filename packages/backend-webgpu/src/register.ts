import { registerBackend } from '@edora/tensor';
import { createWebGpuBackend } from './backend.js';
import { WEBGPU_PRIORITY } from './index.js';

/** Browser registration: "webgpu" over `navigator.gpu`. */
registerBackend('webgpu', () => createWebGpuBackend(), { priority: WEBGPU_PRIORITY });
