// Lint: typescript-eslint with type information, so floating promises are errors everywhere.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['**/dist/', 'docs/api/', 'test/package/consumer/', 'node_modules/', 'test-results/', 'playwright-report/', 'bench/results/', '.scratch/', '**/*.mjs', 'eslint.config.js', 'svelte.config.js', 'signaling-server/bin/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...svelte.configs['flat/recommended'],
  {
    languageOptions: {
      globals: { ...globals.browser, ...globals.node },
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
        extraFileExtensions: ['.svelte'],
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': ['error', { allow: ['warn', 'error', 'debug'] }],
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: tseslint.parser } },
  },
  {
    // The distributed room is assembled from parts in dependency order: no name used before it is declared
    // (a closure over a part declared later is late binding; calls back up go through RoomSignals).
    files: ['src/dcm/room*.ts'],
    rules: { '@typescript-eslint/no-use-before-define': ['error', { functions: true, classes: true, variables: true, typedefs: false, ignoreTypeReferences: true }] },
  },
  {
    files: ['test/**', 'e2e/**', 'bench/**', 'signaling-server/src/cli.ts', '*.config.ts'],
    rules: { 'no-console': 'off' },
  },
);
