// Test tiers (docs/design.md §11): pure unit specs beside the code, medium specs of the repositories
// against the real PostgreSQL beside them, end-to-end suites against the machine's real RabbitMQ and
// PostgreSQL, the web explorer driven in Chromium against the same, fault suites that restart them,
// and a cluster suite.
const swc = ['@swc/jest', JSON.parse(require('fs').readFileSync(`${__dirname}/.swcrc`, 'utf8'))];
const moduleNameMapper = {
  '^@logyard/collector$': '<rootDir>/apps/collector/src/collector.module',
  '^@logyard/router$': '<rootDir>/apps/router/src/router.module',
  '^@logyard/archiver$': '<rootDir>/apps/archiver/src/archiver.module',
  '^@logyard/cli$': '<rootDir>/apps/cli/src',
  // A lib's Nest-free entry for clients (the CLI, the SDK): docs/design.md §9.
  '^@logyard/amqp/client$': '<rootDir>/libs/amqp/src/client',
  '^@logyard/config/env$': '<rootDir>/libs/config/src/env',
  // The testing lib's helpers for specs of browser code (the explorer's), free of the server libs.
  '^@logyard/testing/client$': '<rootDir>/libs/testing/src/client',
  '^@logyard/(.*)$': '<rootDir>/libs/$1/src',
};
const base = {
  rootDir: __dirname,
  transform: { '^.+\\.ts$': swc },
  moduleNameMapper,
  testEnvironment: 'node',
};

module.exports = {
  projects: [
    { ...base, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs}/**/*.spec.ts'] },
    {
      // Repositories against the real PostgreSQL, each spec file on its own copy of a template database
      // migrated once (docs/design.md §11).
      ...base,
      displayName: 'medium',
      testMatch: ['<rootDir>/{apps,libs}/**/*.medium-spec.ts'],
      globalSetup: '<rootDir>/test/medium-global-setup.ts',
    },
    {
      ...base,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/test/global-setup.ts',
      setupFilesAfterEnv: ['<rootDir>/test/jest-timeouts.ts'],
    },
    {
      ...base,
      displayName: 'explorer',
      testMatch: ['<rootDir>/test/explorer/**/*.explorer-spec.ts'],
      globalSetup: '<rootDir>/test/global-setup.ts',
      setupFilesAfterEnv: ['<rootDir>/test/jest-timeouts.ts'],
    },
    {
      ...base,
      displayName: 'faults',
      testMatch: ['<rootDir>/test/faults/**/*.fault-spec.ts'],
      globalSetup: '<rootDir>/test/global-setup.ts',
      setupFilesAfterEnv: ['<rootDir>/test/jest-faults-timeouts.ts'],
    },
    {
      // Starts a RabbitMQ cluster of its own beside the machine's node: `npm run test:cluster`.
      ...base,
      displayName: 'cluster',
      testMatch: ['<rootDir>/test/cluster/**/*.cluster-spec.ts'],
      globalSetup: '<rootDir>/test/global-setup.ts',
      setupFilesAfterEnv: ['<rootDir>/test/jest-faults-timeouts.ts'],
    },
  ],
};
