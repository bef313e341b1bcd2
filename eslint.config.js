import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.mloop/**', 'coverage/**', 'src/dashboard/vendor/**', 'test-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      'no-restricted-imports': ['error', { patterns: [{ group: ['node:*', 'fs', 'path', 'http', 'fastify', 'kysely', 'better-sqlite3', 'pg'], message: 'src/core is pure: no I/O imports.' }] }],
      'no-restricted-globals': ['error', { name: 'Date', message: 'The core takes time as a value.' }, { name: 'fetch', message: 'The core does no I/O.' }],
      'no-restricted-properties': ['error', { object: 'Math', property: 'random', message: 'Randomness only through an explicit randomState.' }],
    },
  },
);
