// React components run in jsdom; TypeScript/TSX through ts-jest like the rest of the repository. Backstage's frontend
// packages ship ES modules only (`dist/*.esm.js`, no "type": "module"), so ts-jest also transpiles those (allowJs)
// to CommonJS instead of the @backstage/cli Jest setup, which would add its whole build toolchain to `npm ci`.
const path = require('node:path');
const preset = require('../../jest.preset.js');

const tsJest = ['ts-jest', { tsconfig: path.join(__dirname, 'tsconfig.test.json') }];

module.exports = {
  ...preset,
  rootDir: __dirname,
  testEnvironment: 'jsdom',
  transform: {
    '^.+\\.tsx?$': tsJest,
    '^.+\\.m?js$': tsJest,
  },
  // Everything under node_modules is CommonJS except the ES-module-only packages named here (Backstage's packages
  // import react-use's `esm/` build and @react-hookz/web's sources).
  transformIgnorePatterns: ['/node_modules/(?!(@backstage|react-use/esm|@react-hookz)/)'],
  moduleNameMapper: {
    ...preset.moduleNameMapper,
    '^@efs-node-identity/backstage-plugin-common$': path.join(
      __dirname,
      '../efs-node-identity-common/src/index.ts',
    ),
    '\\.css$': path.join(__dirname, 'src/__mocks__/style.js'),
    '\\.(svg|png|jpg|gif|woff2?)$': path.join(__dirname, 'src/__mocks__/file.js'),
  },
  setupFilesAfterEnv: [path.join(__dirname, 'src/setupTests.ts')],
  testMatch: ['<rootDir>/src/**/*.test.ts', '<rootDir>/src/**/*.test.tsx'],
};
