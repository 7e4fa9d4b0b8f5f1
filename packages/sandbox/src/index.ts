export { startSandbox, type Sandbox, type SandboxOptions } from './server';
export { addAccount } from './accounts';
export { AwsError } from './errors';
export { CallLog, type CallRecord } from './log';
export { Faults, type FaultRule } from './faults';
export * from './state/account';
