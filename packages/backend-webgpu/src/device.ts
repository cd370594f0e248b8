import { WebGpuLimitError, WebGpuUnavailableError } from './errors.js';

/**
 * Device acquisition. The `GPU` object is injected (a browser's `navigator.gpu`, or in Node the
 * object `create([...])` of the `webgpu` package returns), so this file runs anywhere.
 */
export interface DeviceOptions {
  /** The WebGPU entry point. Defaults to `globalThis.navigator.gpu` when present. */
  gpu?: GPU;
  powerPreference?: GPUPowerPreference;
  /**
   * Smallest storage-binding size the caller needs, in bytes. The backend requests the adapter's
   * own limits (RoBERTa-base's 154 MB embedding exceeds WebGPU's 128 MiB default); when the adapter
   * offers less than this, acquisition fails with a `WebGpuLimitError` that says so.
   */
  requiredStorageBindingBytes?: number;
  /**
   * Optional device features. `subgroups` (default true): request the feature when the adapter has
   * it and reduce rows with subgroupAdd/subgroupMax; false keeps the workgroup-memory tree
   * reductions (tests compare the two paths).
   */
  features?: { subgroups?: boolean };
}

/** What the device was created with. */
export interface DeviceFeatures {
  /** The `subgroups` feature is enabled and the row reductions use it. */
  subgroups: boolean;
  /** The adapter's subgroup sizes when it reports them (WebGPU allows 4 to 128). */
  subgroupMinSize?: number;
  subgroupMaxSize?: number;
}

export interface AcquiredDevice {
  device: GPUDevice;
  adapter: GPUAdapter;
  description: string;
  /** The adapter is a CPU emulating a GPU (lavapipe/llvmpipe, SwiftShader, a fallback adapter). */
  software: boolean;
  features: DeviceFeatures;
}

const INSTALL_HINT =
  'WebGPU is not available. In a browser, use one with WebGPU enabled (navigator.gpu). In Node, install the optional ' +
  'peer dependency `webgpu` (npm i webgpu) and a Vulkan driver (Linux: mesa-vulkan-drivers and libvulkan1; CI runs ' +
  'tooling/scripts/setup-webgpu.sh), then pass `gpu: create([])` or import @edora/backend-webgpu/node.';

function describeAdapter(adapter: GPUAdapter): string {
  const info = adapter.info as GPUAdapterInfo | undefined;
  const parts = [info?.vendor, info?.architecture, info?.device, info?.description].filter((s): s is string => !!s);
  return parts.length > 0 ? `WebGPU: ${[...new Set(parts)].join(' ')}` : 'WebGPU adapter';
}

export async function acquireDevice(options: DeviceOptions = {}): Promise<AcquiredDevice> {
  const gpu = options.gpu ?? (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
  if (!gpu) throw new WebGpuUnavailableError(INSTALL_HINT);
  let adapter: GPUAdapter | null;
  try {
    adapter = await gpu.requestAdapter(options.powerPreference ? { powerPreference: options.powerPreference } : undefined);
  } catch (err) {
    throw new WebGpuUnavailableError(`requestAdapter failed (${String(err)}). ${INSTALL_HINT}`, { cause: err });
  }
  if (!adapter) throw new WebGpuUnavailableError(`requestAdapter returned no adapter (no GPU or driver found). ${INSTALL_HINT}`);
  const lim = adapter.limits;
  const need = options.requiredStorageBindingBytes ?? 0;
  if (lim.maxStorageBufferBindingSize < need) {
    throw new WebGpuLimitError(
      `the adapter's maxStorageBufferBindingSize is ${lim.maxStorageBufferBindingSize} bytes; expected at least ${need}`,
    );
  }
  const requiredFeatures: GPUFeatureName[] = [];
  const subgroups = options.features?.subgroups !== false && adapter.features.has('subgroups');
  if (subgroups) requiredFeatures.push('subgroups');
  const device = await adapter.requestDevice({
    requiredFeatures,
    requiredLimits: {
      maxStorageBufferBindingSize: lim.maxStorageBufferBindingSize,
      maxBufferSize: lim.maxBufferSize,
      maxStorageBuffersPerShaderStage: Math.min(lim.maxStorageBuffersPerShaderStage, 10),
      maxComputeWorkgroupStorageSize: lim.maxComputeWorkgroupStorageSize,
      maxComputeInvocationsPerWorkgroup: Math.min(lim.maxComputeInvocationsPerWorkgroup, 256),
      maxComputeWorkgroupSizeX: Math.min(lim.maxComputeWorkgroupSizeX, 256),
      maxComputeWorkgroupSizeY: Math.min(lim.maxComputeWorkgroupSizeY, 256),
    },
  });
  const description = describeAdapter(adapter);
  const info = adapter.info as (GPUAdapterInfo & { isFallbackAdapter?: boolean; subgroupMinSize?: number; subgroupMaxSize?: number }) | undefined;
  const fallback = info?.isFallbackAdapter === true;
  const features: DeviceFeatures = { subgroups: subgroups && device.features.has('subgroups') };
  if (features.subgroups && info?.subgroupMinSize) {
    features.subgroupMinSize = info.subgroupMinSize;
    features.subgroupMaxSize = info.subgroupMaxSize ?? info.subgroupMinSize;
  }
  return { device, adapter, description, software: fallback || /llvmpipe|lavapipe|swiftshader/i.test(description), features };
}
