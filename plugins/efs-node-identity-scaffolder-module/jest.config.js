const preset = require('../../jest.preset.js');

module.exports = {
  ...preset,
  rootDir: __dirname,
  // The suites start the sandbox, a scaffolder backend and a PostgreSQL server; on CI's two shared cores a first
  // sandbox read can take far longer than the preset's 30 s.
  testTimeout: 180_000,
  // Every suite stops what it starts (backends, sandbox, PostgreSQL, pools) and passes, but run together in one
  // process something keeps the event loop alive that --detectOpenHandles does not name (not yet found): exit
  // when the tests are done instead of hanging the run.
  forceExit: true,
};
