import { defineProject } from 'vitest/config';
import { packageProject } from '@edora/vitest-preset';

// The end-to-end test builds the app, serves it and drives headless Chromium through a short run.
export default defineProject(packageProject('studio', { testTimeout: 300_000, hookTimeout: 300_000 }));
