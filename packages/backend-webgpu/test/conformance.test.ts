import { describe } from 'vitest';
import { runConformance } from '@edora/tensor/conformance';
import { createTestBackend, noGpuReason } from './gpu.js';

// The suite every backend runs, on Dawn (lavapipe on CI), with the cpu backend's tolerances.
describe.skipIf(noGpuReason !== null)(`webgpu conformance${noGpuReason ? ` (skipped: ${noGpuReason})` : ''}`, () => {
  runConformance({ name: 'webgpu', create: () => createTestBackend() });
});
