// Shared lint rules: typescript-eslint's recommended set, the type-aware rules that catch real
// bugs in asynchronous tensor code (a floating promise loses its error; a promise passed where a
// void callback is expected is never awaited), and `edora/layering`, which keeps the dependency
// arrows pointing down the package graph (layering.mjs, package-graph.mjs).
//
// Type-aware rules need type information: each file is checked against the tsconfig.json of its
// package, found by typescript-eslint's project service.
import tseslint from 'typescript-eslint';
import edora from './layering.mjs';

const repoRoot = new URL('../..', import.meta.url).pathname;

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/*.generated.ts', '**/fixtures/**', '**/csrc/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: repoRoot },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
    },
  },
  {
    // configuration files belong to no tsconfig: syntax rules only
    files: ['**/vitest.config.ts', '**/*.mjs', '**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    plugins: { edora },
    rules: {
      'edora/layering': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-explicit-any': 'error',
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    // A third-party backend plugin sees only the public entry points of @edora/tensor: the user
    // API, the backend kit and the conformance suite; never another package's internals or source.
    files: ['packages/backend-gpujs/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{
          group: ['@edora/*', '!@edora/tensor', '@edora/tensor/*', '!@edora/tensor/backend-kit', '!@edora/tensor/conformance', '../../*'],
          message: 'a backend plugin imports only @edora/tensor, @edora/tensor/backend-kit and @edora/tensor/conformance',
        }],
      }],
    },
  },
);
