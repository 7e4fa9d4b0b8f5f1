// The CLI's version, read from its package.json at run time (dist/ sits beside it).
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const VERSION: string = require('../package.json').version;
