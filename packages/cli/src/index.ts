export { main, HELP } from './main';
export type { CliIo } from './io';
