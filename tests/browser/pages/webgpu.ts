/**
 * @edora/backend-webgpu through navigator.gpu: `@edora/tensor`'s whole conformance suite (every
 * tier-0 and fused op against float64 references, finite-difference gradients) on a backend built
 * on the page's own GPU object, and a dropout mask for the test to compare with the cpu backend's.
 */
import { dropout, ones } from '@edora/tensor';
import { runConformance } from '@edora/tensor/conformance';
import { createWebGpuBackend, type WebGpuBackend } from '@edora/backend-webgpu';
import { expose } from './expose.js';
import { runCollected, type TestOutcome } from './in-page-vitest.js';

export interface WebGpuPageInput {
  dropout: { size: number; p: number; seed: number; offset: number };
}

export interface WebGpuPageResult {
  device: string;
  conformance: TestOutcome[];
  dropoutMask: number[];
}

expose(async (input: WebGpuPageInput): Promise<WebGpuPageResult> => {
  // the suite creates and disposes its own backend; the same factory serves both
  const create = (): Promise<WebGpuBackend> => createWebGpuBackend({ gpu: navigator.gpu });
  runConformance({ name: 'webgpu in Chromium', create });
  const conformance = await runCollected();

  const backend = await create();
  try {
    const { size, p, seed, offset } = input.dropout;
    const mask = dropout(ones([size], { backend }), p, { seed, offset });
    return { device: backend.capabilities.device, conformance, dropoutMask: Array.from(await mask.data()) };
  } finally {
    backend.dispose();
  }
});
