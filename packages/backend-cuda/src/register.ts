import { registerBackend } from '@edora/tensor';
import { createCudaBackend } from './backend.js';
import { CUDA_PRIORITY } from './index.js';

/** Registers "cuda" (device 0, options from the environment: EDORA_CUDA_DRIVER, EDORA_CUBLAS). */
registerBackend('cuda', () => createCudaBackend(), { priority: CUDA_PRIORITY });
