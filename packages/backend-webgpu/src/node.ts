import { createWebGpuBackend, type WebGpuBackend, type WebGpuBackendOptions } from './backend.js';
import { WebGpuUnavailableError } from './errors.js';

/**
 * Node entry: WebGPU through Dawn, from the optional peer dependency `webgpu`. The object its
 * `create()` returns lives as long as the process (Dawn crashes the process if it is collected),
 * and `dispose()` destroys the device so Dawn's polling thread
 * stops spinning a core.
 */
export interface NodeWebGpuOptions extends Omit<WebGpuBackendOptions, 'gpu' | 'keepAlive'> {
  /** Dawn toggles passed to `create()`, e.g. ['backend=vulkan']. */
  dawnOptions?: string[];
}

interface WebGpuModule {
  create(options: string[]): GPU;
}

/**
 * One Dawn instance per set of toggles for the whole process. Dawn crashes the process when a
 * `create()` result is collected, which a fresh instance per backend made possible after every
 * `dispose()` (seen as a test worker exiting unexpectedly); instances are cheap to keep, devices
 * are what `dispose()` destroys.
 */
const instances = new Map<string, GPU>();

/** Loads `webgpu` and returns a Dawn `GPU`; the error says what to install when it is missing. */
export async function nodeGpu(dawnOptions: string[] = []): Promise<GPU> {
  const key = JSON.stringify(dawnOptions);
  const known = instances.get(key);
  if (known) return known;
  if (!process.env.XDG_RUNTIME_DIR) {
    // Dawn's Vulkan loader warns (and some drivers fail) without it; any writable folder works
    const { tmpdir } = await import('node:os');
    process.env.XDG_RUNTIME_DIR = tmpdir();
  }
  let mod: WebGpuModule;
  try {
    mod = (await import('webgpu')) as unknown as WebGpuModule;
  } catch (err) {
    throw new WebGpuUnavailableError(
      'the optional peer dependency `webgpu` is not installed: run `npm i webgpu` (Dawn for Node) and make sure a Vulkan ' +
        'driver is present (Linux: mesa-vulkan-drivers libvulkan1, see tooling/scripts/setup-webgpu.sh)',
      { cause: err },
    );
  }
  const gpu = mod.create(dawnOptions);
  instances.set(key, gpu);
  return gpu;
}

export async function createNodeWebGpuBackend(options: NodeWebGpuOptions = {}): Promise<WebGpuBackend> {
  const gpu = await nodeGpu(options.dawnOptions);
  return createWebGpuBackend({ ...options, gpu, keepAlive: gpu });
}

export * from './index.js';
