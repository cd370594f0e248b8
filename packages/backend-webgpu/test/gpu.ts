import { createNodeWebGpuBackend, type NodeWebGpuOptions, type WebGpuBackend } from '../src/node.js';

/**
 * Shared test setup: whether a WebGPU adapter exists here (Dawn over a Vulkan driver, lavapipe
 * on CI) and, when it does not, the reason every GPU test prints when it skips.
 */
process.env.XDG_RUNTIME_DIR ??= (await import('node:os')).tmpdir();

async function probe(): Promise<{ reason: string | null; subgroups: boolean }> {
  try {
    const b = await createNodeWebGpuBackend();
    const subgroups = b.features.subgroups;
    b.dispose();
    return { reason: null, subgroups };
  } catch (err) {
    return { reason: `no WebGPU adapter (${(err as Error).message}); run tooling/scripts/setup-webgpu.sh`, subgroups: false };
  }
}

const probed = await probe();
export const noGpuReason = probed.reason;
/** The adapter offers the `subgroups` feature (lavapipe's does), so both reduction paths can run. */
export const adapterHasSubgroups = probed.subgroups;
if (noGpuReason) console.warn(`@edora/backend-webgpu tests skipped: ${noGpuReason}`);

export function createTestBackend(options: NodeWebGpuOptions = {}): Promise<WebGpuBackend> {
  return createNodeWebGpuBackend(options);
}
