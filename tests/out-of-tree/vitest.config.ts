import { defineProject } from 'vitest/config';
import { packageProject } from '@edora/vitest-preset';

// Builds and packs the published packages, installs them in a temporary folder: minutes on a loaded machine.
export default defineProject(packageProject('out-of-tree', { testTimeout: 1_200_000, hookTimeout: 1_200_000 }));
