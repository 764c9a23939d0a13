// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['.dependency-cruiser.cjs', 'dist/', 'node_modules/', '.tabgrid/', 'test-results/', 'playwright-report/', 'web-worker/tensor/wasm/assembly/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // Task modules run in a tab's Web Worker or a Node worker thread: timers and console are there.
    files: ['e2e/gang-tasks/*.js', 'examples/**/*.js'],
    languageOptions: { globals: { setTimeout: 'readonly', clearTimeout: 'readonly', console: 'readonly' } },
  },
);
