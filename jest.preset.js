// Shared Jest settings: TypeScript through ts-jest, workspace packages resolved to their sources so tests never
// depend on a stale build.
const path = require('node:path');

module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: path.join(__dirname, 'tsconfig.test.json') }],
  },
  moduleNameMapper: {
    '^@efs-node-identity/(core|cli|test-postgres)$': path.join(__dirname, 'packages/$1/src/index.ts'),
    // A module of the core imported on its own (the CLI's simulate command) resolves to its source too.
    '^@efs-node-identity/core/dist/(.*)$': path.join(__dirname, 'packages/core/src/$1'),
  },
  testMatch: ['<rootDir>/src/**/*.test.ts', '<rootDir>/test/**/*.test.ts'],
  // CI runs the packages' suites side by side on two cores; tests that start processes or servers need headroom.
  testTimeout: 30_000,
};
