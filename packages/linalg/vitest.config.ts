import { defineProject } from 'vitest/config';
import { packageProject } from '@edora/vitest-preset';

export default defineProject(packageProject('linalg', { setupFiles: ['test/setup-backends.ts'] }));
