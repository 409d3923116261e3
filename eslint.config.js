import js from '@eslint/js'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'data/', 'coverage/', '.tmp/', 'bench/results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly' },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': 'off',
    },
  },
  {
    // The protocol core and the domain never see the HTTP framework (DESIGN.md: one framework-free core).
    files: [
      'src/protocol/**/*.ts',
      'src/methods/**/*.ts',
      'src/crm/**/*.ts',
      'src/store/**/*.ts',
      'src/auth/**/*.ts',
    ],
    rules: {
      'no-restricted-imports': ['error', { paths: ['fastify'], patterns: ['**/http/*'] }],
    },
  },
)
