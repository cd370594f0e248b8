import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

/**
 * Debian's Chromium (`apt-get install chromium`, done by tooling/scripts/setup-system.sh);
 * EDORA_CHROMIUM names another binary. Playwright never downloads a browser here.
 */
export const CHROMIUM_PATH = process.env.EDORA_CHROMIUM ?? '/usr/bin/chromium';

/** Why the browser tests cannot run here, or null when Chromium is installed. */
export function chromiumMissingReason(): string | null {
  return existsSync(CHROMIUM_PATH)
    ? null
    : `${CHROMIUM_PATH} not found; tooling/scripts/setup-system.sh installs Debian's chromium (or set EDORA_CHROMIUM)`;
}

/**
 * Launch flags, each for a reason (measured with Chromium 156 on a GPU-less Debian 12, as root):
 * - --no-sandbox: Chromium's sandbox refuses to start as root, and containers lack its namespaces;
 * - --enable-unsafe-webgpu: WebGPU is off by default on Linux. With it and no GPU, Dawn picks the
 *   SwiftShader Vulkan adapter Chromium ships (libvk_swiftshader.so, `isFallbackAdapter` true).
 *   Without it navigator.gpu exists but requestAdapter() gives null ("No available adapters").
 *   Dawn inside Chromium never offered Mesa's lavapipe, whatever we tried: --enable-features=Vulkan,
 *   --use-angle=vulkan, --use-vulkan=native, --ignore-gpu-blocklist, --use-webgpu-adapter=default
 *   or =swiftshader all still give SwiftShader, so none of them is passed. --disable-gpu is not
 *   passed either: WebGPU needs the GPU process (SwiftShader runs inside it);
 * - the rest keep a test run off the network and free of first-run work: no QUIC, no component
 *   updates, no background networking, no sync, no first-run UI.
 * The profile is a fresh temporary --user-data-dir, removed on close.
 */
export const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--enable-unsafe-webgpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
] as const;

export interface LaunchedChromium {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Headless Chromium with a fresh profile. */
export async function launchChromium(): Promise<LaunchedChromium> {
  const profile = await mkdtemp(join(tmpdir(), 'edora-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [...CHROMIUM_FLAGS],
  });
  return {
    context,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}
