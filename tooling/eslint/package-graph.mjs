// The package graph of docs/architecture.md, as the lint rule `edora/layering` enforces it: for each
// workspace package, the @edora packages its published code (src/) may import. Arrows point down
// only, so every list holds packages strictly below its owner and the graph has no cycle.
// Tests, benchmarks and configuration files (test/, bench/, pages/, files at a package's root) may
// also import their own package by name, any backend (to run on it), the private tooling packages
// (DEV_TOOLS) and any package that does not depend on theirs (a sibling: train's tests may build a
// RoBERTa) — never one above, which would close a cycle.

const errors = ['@edora/errors'];
const tensor = ['@edora/tensor', ...errors];
const linalg = ['@edora/linalg', ...tensor];
const layers = ['@edora/layers', ...linalg];
const models = ['@edora/models', ...layers];
const glue = ['@edora/glue', ...errors];
// train depends on small interfaces (a model is anything with parameters and a forward), not on models
const train = ['@edora/train', ...glue, ...tensor];
const demo = ['@edora/demo', ...train, ...models];
const cli = ['@edora/cli', ...demo];

/** Whether a package name is a backend's (tests of any package may run on any backend). */
export const isBackend = (name) => /^@edora\/backend-/.test(name) && name !== '@edora/backend-kit';

/**
 * Package name → the @edora packages its src/ may import (itself excluded). A package named
 * `@edora/backend-*` that is not listed is a backend: it may import tensor and errors.
 */
const unique = (list) => [...new Set(list)];

export const MAY_IMPORT = Object.fromEntries(Object.entries({
  '@edora/errors': [],
  '@edora/tensor': errors,
  '@edora/linalg': tensor,
  '@edora/layers': linalg,
  '@edora/models': layers,
  '@edora/glue': errors,
  '@edora/train': [...glue, ...tensor],
  '@edora/demo': [...train, ...models],
  '@edora/cli': demo,
  // the browser app: the demo and the library packages, in a tab
  '@edora/studio': demo,
  '@edora/bench-kit': [],
  '@edora/fuzz-kit': errors,
  '@edora/vitest-preset': [],
  '@edora/eslint-config': [],
  // private packages at the top, which exist to combine the others: all their files count as
  // tests/benchmarks (so they may import any backend too)
  '@edora/benchmarks': cli,
  '@edora/browser-tests': cli,
  '@edora/out-of-tree-tests': cli,
}).map(([name, list]) => [name, unique(list)]));

/** Packages at the top whose published code may load any backend (the CLI's `--backend`, the studio's worker). */
export const ANY_BACKEND = new Set(['@edora/cli', '@edora/studio']);

/** Packages whose every file is a test or benchmark. */
export const ALL_DEV = new Set(['@edora/benchmarks', '@edora/browser-tests', '@edora/out-of-tree-tests']);

/** Folders of a package that hold tests and benchmarks rather than published code. */
export const DEV_FOLDERS = ['test', 'bench', 'pages'];

/** Private tooling that tests, benchmarks and configuration files may import. */
export const DEV_TOOLS = ['@edora/bench-kit', '@edora/fuzz-kit', '@edora/vitest-preset'];
