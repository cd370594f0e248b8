import { ATTR, CUDA_ERROR_NO_DEVICE, CUDA_SUCCESS, Driver } from './driver.js';
import { CudaNoDeviceError, CudaUnavailableError, CudaUnsupportedGpuError } from './errors.js';
import { KERNEL_ENTRIES, KERNELS_PTX_BASE64, KERNELS_SM90_CUBIN_BASE64 } from './generated/kernels-cuda.js';

/** The oldest GPUs the PTX targets: compute capability 7.5 (Turing). */
export const MIN_COMPUTE_CAPABILITY = 75;
/** The kernels were compiled by CUDA 13.0 (PTX ISA 9.0): the driver must be at least that. */
export const MIN_DRIVER_VERSION = 13000;
const CU_STREAM_NON_BLOCKING = 1;
const CU_MEMPOOL_ATTR_RELEASE_THRESHOLD = 4;

export interface DeviceInfo {
  ordinal: number;
  name: string;
  /** major·10 + minor, e.g. 90 for Hopper */
  computeCapability: number;
  multiprocessors: number;
  totalBytes: number;
  driverVersion: number;
  /** Which image of the kernels the driver loaded. */
  image: 'sm_90 cubin' | 'compute_75 PTX';
  /** Stream-ordered allocation (cuMemAllocAsync) is available. */
  memoryPools: boolean;
}

/** An opened device: context current, stream created, kernels loaded. */
export interface OpenDevice {
  driver: Driver;
  info: DeviceInfo;
  context: bigint;
  stream: bigint;
  module: bigint;
  functions: Map<string, bigint>;
}

function readInt(driver: Driver, fn: 'cuDriverGetVersion', what: string): number {
  const out: [number] = [0];
  driver.call(fn, what, out);
  return out[0];
}

function attribute(driver: Driver, device: number, attr: number, what: string): number {
  const out: [number] = [0];
  driver.call('cuDeviceGetAttribute', what, out, attr, device);
  return out[0];
}

/**
 * Initializes the driver and opens device `ordinal`, with typed errors for each way it can fail:
 * no driver, no device, a GPU older than the kernels' target, a driver too old for the PTX.
 */
export function openDevice(driverPath: string | undefined, ordinal: number, image: 'auto' | 'ptx' = 'auto'): OpenDevice {
  const driver = Driver.load(driverPath);
  const init = driver.raw('cuInit', 0);
  if (init === CUDA_ERROR_NO_DEVICE) {
    throw new CudaNoDeviceError(`the NVIDIA driver (${driver.path}) reports no CUDA-capable device (cuInit: ${driver.describe(init)})`);
  }
  if (init !== CUDA_SUCCESS) {
    throw new CudaUnavailableError(`the NVIDIA driver (${driver.path}) failed to initialize: cuInit returned ${driver.describe(init)}`);
  }
  const driverVersion = readInt(driver, 'cuDriverGetVersion', 'reading the driver version');
  const count: [number] = [0];
  driver.call('cuDeviceGetCount', 'counting CUDA devices', count);
  if (count[0] === 0) throw new CudaNoDeviceError(`the NVIDIA driver (${driver.path}) reports no CUDA-capable device`);
  if (!(Number.isInteger(ordinal) && ordinal >= 0 && ordinal < count[0])) {
    throw new CudaNoDeviceError(`device ${ordinal} asked for, the driver reports ${count[0]} device(s): 0 to ${count[0] - 1}`);
  }
  const dev: [number] = [0];
  driver.call('cuDeviceGet', `opening device ${ordinal}`, dev, ordinal);
  const nameBuf = new Uint8Array(256);
  driver.call('cuDeviceGetName', 'reading the device name', nameBuf, nameBuf.length, dev[0]);
  const name = new TextDecoder().decode(nameBuf.subarray(0, nameBuf.indexOf(0) < 0 ? nameBuf.length : nameBuf.indexOf(0)));
  const major = attribute(driver, dev[0], ATTR.computeCapabilityMajor, 'reading the compute capability');
  const minor = attribute(driver, dev[0], ATTR.computeCapabilityMinor, 'reading the compute capability');
  const computeCapability = major * 10 + minor;
  if (computeCapability < MIN_COMPUTE_CAPABILITY) {
    throw new CudaUnsupportedGpuError(
      `${name} has compute capability ${major}.${minor}; the backend's kernels need 7.5 or newer (Turing, 2018, and later)`,
    );
  }
  if (driverVersion < MIN_DRIVER_VERSION) {
    const v = `${Math.floor(driverVersion / 1000)}.${(driverVersion % 1000) / 10}`;
    throw new CudaUnsupportedGpuError(
      `the NVIDIA driver supports CUDA ${v}; the kernels were compiled by CUDA 13.0 and need a driver of CUDA 13.0 or newer (R580+)`,
    );
  }
  const multiprocessors = attribute(driver, dev[0], ATTR.multiprocessorCount, 'reading the multiprocessor count');
  const memoryPools = attribute(driver, dev[0], ATTR.memoryPoolsSupported, 'reading memory-pool support') === 1;
  const total: [number] = [0];
  driver.call('cuDeviceTotalMem_v2', 'reading the device memory size', total, dev[0]);

  const ctx: [bigint | null] = [null];
  driver.call('cuDevicePrimaryCtxRetain', 'retaining the primary context', ctx, dev[0]);
  const context = ctx[0]!;
  driver.call('cuCtxSetCurrent', 'making the context current', context);
  const st: [bigint | null] = [null];
  driver.call('cuStreamCreate', 'creating a stream', st, CU_STREAM_NON_BLOCKING);
  const stream = st[0]!;
  if (memoryPools) {
    // keep freed memory in the pool across synchronizations (the default threshold, 0, returns it
    // to the OS at every sync, and the next step pays cuMemAlloc again)
    const pool: [bigint | null] = [null];
    driver.call('cuDeviceGetDefaultMemPool', 'reading the default memory pool', pool, dev[0]);
    const threshold = new BigUint64Array([0xffffffffffffffffn]);
    driver.call('cuMemPoolSetAttribute', 'setting the pool release threshold', pool[0], CU_MEMPOOL_ATTR_RELEASE_THRESHOLD, threshold);
  }

  const loaded = loadKernels(driver, computeCapability, name, image === 'ptx');
  const functions = new Map<string, bigint>();
  for (const entry of KERNEL_ENTRIES) {
    const fn: [bigint | null] = [null];
    driver.call('cuModuleGetFunction', `looking up kernel ${entry}`, fn, loaded.module, entry);
    functions.set(entry, fn[0]!);
  }
  return {
    driver,
    context,
    stream,
    module: loaded.module,
    functions,
    info: { ordinal, name, computeCapability, multiprocessors, totalBytes: Number(total[0]), driverVersion, image: loaded.image, memoryPools },
  };
}

/**
 * Hopper (9.0) loads the cubin; any other GPU, a driver that refuses the cubin, or `forcePtx`
 * (to check the JIT path on a Hopper) JIT-compiles the PTX.
 */
function loadKernels(driver: Driver, cc: number, name: string, forcePtx: boolean): { module: bigint; image: DeviceInfo['image'] } {
  const out: [bigint | null] = [null];
  if (cc === 90 && !forcePtx) {
    const cubin = Buffer.from(KERNELS_SM90_CUBIN_BASE64, 'base64');
    if (driver.raw('cuModuleLoadData', out, cubin) === CUDA_SUCCESS) return { module: out[0]!, image: 'sm_90 cubin' };
  }
  // PTX is NUL-terminated text for the driver
  const ptx = Buffer.concat([Buffer.from(KERNELS_PTX_BASE64, 'base64'), Buffer.from([0])]);
  const r = driver.raw('cuModuleLoadData', out, ptx);
  if (r !== CUDA_SUCCESS) {
    throw new CudaUnsupportedGpuError(`${name}: the driver could not load the kernels' compute_75 PTX (cuModuleLoadData: ${driver.describe(r)})`);
  }
  return { module: out[0]!, image: 'compute_75 PTX' };
}
