// Lint: TypeScript rules plus the layering rule from DESIGN.md (core and haproxy never import electron).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['dist/**', 'release/**', 'node_modules/**', 'test/e2e/artifacts/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['electron/core/**', 'haproxy/**', 'api/**'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'electron', message: 'The control plane runs headless too: electron/core, haproxy and api never import electron.' }],
        patterns: [{ group: ['**/renderer/**'], message: 'The control plane never imports UI code.' }],
      }],
    },
  },
  {
    files: ['renderer/**'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'electron', message: 'The renderer talks to the control plane only through renderer/bridge.ts.' }],
        patterns: [{
          group: ['**/electron/core/**', '**/electron/main*', '**/electron/preload*', '**/electron/server*', '**/haproxy/**'],
          message: 'The renderer may import only electron/contract.ts from electron/.',
        }],
      }],
    },
  },
);
