import { existsSync } from 'node:fs';
import { defineProject } from 'vitest/config';

// Inside the EDoRA.ts repository the @edora/* packages resolve to their TypeScript sources (the
// "@edora/source" export condition), so tests need no build; an installed @edora/tensor has no
// sources, so outside the repository the condition stays off. A copy of the template may delete this.
const inRepository = existsSync(new URL('../../packages/tensor/src/index.ts', import.meta.url));
const conditions = inRepository ? ['@edora/source'] : [];

export default defineProject({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: { name: 'backend-gpujs', include: ['test/**/*.test.ts'], testTimeout: 60_000, hookTimeout: 120_000 },
});
