import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'bin/', 'jest.config.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[object.name='process'][property.name='env']",
          message: 'Read configuration through @logyard/config, not process.env.',
        },
      ],
    },
  },
  {
    files: [
      'libs/config/**',
      'libs/runtime/src/run-logyard.ts',
      'libs/cli/src/cli.ts',
      'test/**',
      'bench/**',
      'libs/testing/**',
    ],
    rules: { 'no-restricted-syntax': 'off' },
  },
);
