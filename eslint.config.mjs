import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const APPS = ['@logyard/collector', '@logyard/router', '@logyard/archiver', '@logyard/cli', '**/apps/**'];

/** What only the server runs, by exact name: the libs' indexes (Nest modules and all), storage, metrics. */
const SERVER_IMPORTS = [
  '@logyard/amqp',
  '@logyard/config',
  '@logyard/auth',
  '@logyard/db',
  '@logyard/observability',
  '@logyard/runtime',
  'prom-client',
  'pg',
  'typeorm',
];

/**
 * One import-boundary rule for the libs matching `files`: none of `patterns`, and no app, may be
 * imported there. ESLint keeps only the last `no-restricted-imports` that matches a file, so each
 * layer repeats the rule that holds for every lib.
 */
function layer(files, patterns = [], message = '', paths = []) {
  const groups = [{ group: APPS, message: 'a lib never imports an app' }];
  if (patterns.length) groups.push({ group: patterns, message });
  const exact = paths.map((name) => ({ name, message }));
  return [
    {
      files: [files],
      ignores: ['**/*.spec.ts'],
      rules: { 'no-restricted-imports': ['error', { paths: exact, patterns: groups }] },
    },
  ];
}

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
  // The libs are layered: contracts at the bottom (no framework, no transport, no other lib), config
  // and the small utilities above it, transport and storage above those; no lib ever imports an app.
  // docs/design.md §1 draws the layers.
  ...layer('libs/**'),
  ...layer(
    'libs/contracts/**',
    ['@logyard/*', '@nestjs/*', 'amqplib', 'amqp-connection-manager', 'pg', 'prom-client'],
    'contracts is the bottom layer: plain TypeScript, shared by every app, the CLI, the SDK and the UI',
  ),
  ...layer('libs/config/**', ['@logyard/*', '!@logyard/contracts'], 'config depends on contracts only'),
  ...layer('libs/{pipeline,observability}/**', ['@logyard/*'], 'a utility lib depends on no other lib'),
  // The clients take the API from contracts and the broker's wire from the Nest-free entries; a unit test
  // (libs/contracts/src/client-imports.spec.ts) walks their whole import graphs. docs/design.md §9.
  ...layer(
    'apps/cli/**',
    ['@nestjs/*'],
    'the CLI is a client: contracts, @logyard/amqp/client and @logyard/config/env only',
    SERVER_IMPORTS,
  ),
  ...layer(
    'libs/sdk/**',
    ['@nestjs/core', '@nestjs/platform-*', '@nestjs/swagger', '@nestjs/testing'],
    "the SDK is a client: contracts, @logyard/amqp/client and @logyard/config/env only (and its host's Nest logger)",
    SERVER_IMPORTS,
  ),
  {
    files: [
      'libs/config/**',
      'libs/runtime/src/run-logyard.ts',
      'apps/cli/src/cli.ts',
      'test/**',
      'bench/**',
      'libs/testing/**',
    ],
    rules: { 'no-restricted-syntax': 'off' },
  },
);
