import { createNodeWebGpuBackend, type NodeWebGpuOptions, type WebGpuBackend } from '../src/node.js';

/**
 * Shared test setup: whether a WebGPU adapter exists here (Dawn over a Vulkan driver, lavapipe
 * on CI) and, when it does not, the reason every GPU test prints when it skips.
 */
process.env.XDG_RUNTIME_DIR ??= (await import('node:os')).tmpdir();

async function probe(): Promise<string | null> {
  try {
    const b = await createNodeWebGpuBackend();
    b.dispose();
    return null;
  } catch (err) {
    return `no WebGPU adapter (${(err as Error).message}); run tooling/scripts/setup-webgpu.sh`;
  }
}

export const noGpuReason = await probe();
if (noGpuReason) console.warn(`@edora/backend-webgpu tests skipped: ${noGpuReason}`);

export function createTestBackend(options: NodeWebGpuOptions = {}): Promise<WebGpuBackend> {
  return createNodeWebGpuBackend(options);
}
