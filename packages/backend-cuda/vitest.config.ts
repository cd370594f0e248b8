import { defineProject } from 'vitest/config';
import { packageProject } from '@edora/vitest-preset';

// test/global-setup.ts builds the stand-in driver (.standin/libcuda.so.1) once per run, when g++ is there.
export default defineProject(packageProject('backend-cuda', { globalSetup: ['test/global-setup.ts'], testTimeout: 120_000 }));
