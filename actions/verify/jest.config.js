// ESM because the package is `"type": "module"` (the runner must load dist/index.js as ESM).
import * as path from 'node:path';
import preset from '../../jest.preset.js';

const rootDir = import.meta.dirname;

export default {
  // A global option: Jest ignores it inside a project.
  testTimeout: preset.testTimeout,
  projects: [
    // The bundle as a process (test/*.test.ts): CommonJS test code, like the other packages.
    { ...preset, rootDir, displayName: 'bundle', testMatch: ['<rootDir>/test/*.test.ts'] },
    // run() in this process (test/in-process/*.test.ts). @actions/core 3 and @actions/github 9 are ESM-only (their
    // `exports` have only an `import` condition), so these tests and the sources they load run as ES modules, which
    // Jest supports under `node --experimental-vm-modules` (the package's test script sets it).
    {
      ...preset,
      rootDir,
      displayName: 'in-process',
      testMatch: ['<rootDir>/test/in-process/*.test.ts'],
      extensionsToTreatAsEsm: ['.ts'],
      transform: {
        '^.+\\.ts$': ['ts-jest', { tsconfig: path.join(rootDir, 'tsconfig.esm-test.json'), useESM: true }],
      },
    },
  ],
};
