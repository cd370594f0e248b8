import { defineProject } from 'vitest/config';
import { packageProject } from '@edora/vitest-preset';

// One test file drives one Chromium; the WebGPU conformance run on SwiftShader takes ~20 s of it.
export default defineProject(packageProject('browser-tests', { testTimeout: 120_000 }));
