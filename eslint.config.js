// One ESLint configuration for the whole repository (flat config).
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import ts from 'typescript-eslint';

export default ts.config(
  {
    ignores: ['**/node_modules/', '**/build/', '**/dist/', '**/.svelte-kit/', 'data/', '**/test-results/', 'migrations/']
  },
  js.configs.recommended,
  ...ts.configs.recommended,
  ...svelte.configs.recommended,
  prettier,
  ...svelte.configs.prettier,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      // Type-only imports stay type-only (verbatimModuleSyntax).
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // Input sanitizers match control characters on purpose.
      'no-control-regex': 'off'
    }
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: ts.parser, extraFileExtensions: ['.svelte'] } },
    rules: {
      // The app has no paths.base: root-relative links are already resolved.
      'svelte/no-navigation-without-resolve': 'off',
      // Flags local, non-reactive Maps and URLSearchParams too (the live client's registry, action URLs).
      'svelte/prefer-svelte-reactivity': 'off',
      // {' '} keeps a space between inline elements, {'{'} a brace in a pattern attribute.
      'svelte/no-useless-mustaches': 'off'
    }
  },
  {
    // Tests read loosely shaped JSON bodies.
    files: ['**/test/**', '**/*.test.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' }
  }
);
