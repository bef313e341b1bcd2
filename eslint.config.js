import js from '@eslint/js';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import importX from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

/**
 * The layers, top to bottom: cli → http → app → store / adapters / config → core. A layer imports
 * only from the layers below it; `importsFrom` lists, per folder of src/, the folders it may not
 * import (checked on the import's path, so `import type` counts too).
 */
const layers = {
  core: ['adapters', 'app', 'cli', 'config', 'http', 'store', 'dashboard'],
  store: ['adapters', 'app', 'cli', 'config', 'http', 'dashboard'],
  adapters: ['app', 'cli', 'config', 'http', 'store', 'dashboard'],
  config: ['adapters', 'app', 'cli', 'http', 'store', 'dashboard'],
  app: ['cli', 'http', 'dashboard'],
  http: ['cli', 'dashboard'],
};
const forbidden = (folders) => ({ regex: `^(\\.\\./)+(${folders.join('|')})/`, message: 'Imports go one way: cli → http → app → store / adapters / config → core.' });

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
    files: ['src/**/*.ts'],
    ...importX.flatConfigs.typescript,
    settings: { ...importX.flatConfigs.typescript.settings, 'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })] },
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
  },
  ...Object.entries(layers)
    .filter(([layer]) => layer !== 'core')
    .map(([layer, folders]) => ({ files: [`src/${layer}/**/*.ts`], rules: { 'no-restricted-imports': ['error', { patterns: [forbidden(folders)] }] } })),
  {
    // The bin's launcher: CommonJS, so that it needs no ES module loader to start (scripts/bundle.mjs).
    files: ['scripts/**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', __dirname: 'readonly', process: 'readonly', Buffer: 'readonly', WebAssembly: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['node:*', 'fs', 'path', 'http', 'fastify', 'kysely', 'better-sqlite3', 'pg'], message: 'src/core is pure: no I/O imports.' }, forbidden(layers.core)] },
      ],
      'no-restricted-globals': ['error', { name: 'Date', message: 'The core takes time as a value.' }, { name: 'fetch', message: 'The core does no I/O.' }],
      'no-restricted-properties': ['error', { object: 'Math', property: 'random', message: 'Randomness only through an explicit randomState.' }],
    },
  },
);
