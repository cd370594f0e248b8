import { registerBackend } from '@edora/tensor';
import { WEBGPU_PRIORITY } from './index.js';
import { createNodeWebGpuBackend } from './node.js';

/** Node registration: "webgpu" over Dawn from the `webgpu` package. */
registerBackend('webgpu', () => createNodeWebGpuBackend(), { priority: WEBGPU_PRIORITY });
