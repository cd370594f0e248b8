/**
 * @edora/backend-webgpu — the WebGPU backend: WGSL kernels for every op of the contract, a tuned
 * GEMM, pooled buffers and batched submissions. Browser-safe: the `GPU` object is injected
 * (`navigator.gpu` by default); Node's Dawn lives in `@edora/backend-webgpu/node`.
 */
export { WebGpuBackend, createWebGpuBackend, type WebGpuBackendOptions, type WebGpuBuffer } from './backend.js';
export { acquireDevice, type DeviceOptions, type DeviceFeatures, type AcquiredDevice } from './device.js';
export {
  WebGpuError, WebGpuUnavailableError, WebGpuLimitError, WebGpuValidationError, WebGpuOutOfMemoryError, WebGpuDeviceLostError,
  WebGpuOpError, WebGpuIndexError,
} from './errors.js';
export { bucketBytes, type PoolStats } from './pool.js';
export { MAX_RANK } from './kernels/map.js';
/** Priority of "webgpu" in the registry: above "wasm" (10) and "cpu" (0). */
export const WEBGPU_PRIORITY = 20;
