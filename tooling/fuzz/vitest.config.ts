import { defineProject } from 'vitest/config';
import { packageProject } from '@edora/vitest-preset';

export default defineProject(packageProject('fuzz-kit'));
