import { defineConfig } from 'vitest/config';
import { edoraConditions } from './tooling/vitest/preset.mjs';

// One vitest run covers every package (each package's own vitest.config.ts is a project).
// When EDORA_TEST_REPORT names a file, a JSON report is written there too (.ci/run reads it).
const report = process.env.EDORA_TEST_REPORT;

export default defineConfig({
  resolve: { conditions: edoraConditions },
  ssr: { resolve: { conditions: edoraConditions } },
  test: {
    projects: ['packages/*/vitest.config.ts', 'apps/*/vitest.config.ts', 'tests/*/vitest.config.ts', 'examples/*/vitest.config.ts', 'tooling/*/vitest.config.ts'],
    reporters: report ? ['default', ['json', { outputFile: report }]] : ['default'],
  },
});
