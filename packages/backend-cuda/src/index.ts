/**
 * @edora/backend-cuda — NVIDIA GPUs through the CUDA driver API (bound with koffi at run time; no
 * compiler at install): kernels compiled ahead of time to PTX (compute_75) and an sm_90 cubin,
 * cuBLAS for GEMMs when it can be found, the backend's own SGEMM otherwise. Node only.
 */
export { CudaBackend, createCudaBackend, type CudaBackendOptions, type CudaBuffer } from './backend.js';
export { MIN_COMPUTE_CAPABILITY, MIN_DRIVER_VERSION, type DeviceInfo } from './device.js';
export { driverCandidates } from './driver.js';
export { cublasCandidates } from './cublas.js';
export {
  CudaError, CudaUnavailableError, CudaNoDeviceError, CudaUnsupportedGpuError, CudaOutOfMemoryError, CudaKernelFaultError,
  CudaDriverError, CudaOpError, CudaIndexError,
} from './errors.js';
export { MAX_RANK } from './args.js';
/** Priority of "cuda" in the registry: above "webgpu" (20), "wasm" (10) and "cpu" (0). */
export const CUDA_PRIORITY = 30;
