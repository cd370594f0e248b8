// Shared vitest settings: resolve workspace packages to their TypeScript sources
// (the "@edora/source" export condition) so tests never wait for a build.
export const edoraConditions = ['@edora/source'];

/** @param {string} name */
export function packageProject(name, extra = {}) {
  return {
    extends: false,
    resolve: { conditions: edoraConditions },
    ssr: { resolve: { conditions: edoraConditions } },
    test: {
      name,
      include: ['test/**/*.test.ts'],
      testTimeout: 60_000,
      hookTimeout: 120_000,
      ...extra,
    },
  };
}
