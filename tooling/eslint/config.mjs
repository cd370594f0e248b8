// Shared lint rules: typescript-eslint's recommended set plus the few rules that catch real bugs
// in tensor code (floating promises lose errors; unused values hide mistakes).
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/*.generated.ts', '**/fixtures/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
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
