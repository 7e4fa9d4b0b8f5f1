const preset = require('../../jest.preset.js');

module.exports = {
  ...preset,
  rootDir: __dirname,
  // The suites start the sandbox, a scaffolder backend and a PostgreSQL server; on CI's two shared cores a first
  // sandbox read can take far longer than the preset's 30 s.
  testTimeout: 180_000,
};
