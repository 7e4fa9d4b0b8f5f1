export { startSandbox, type Sandbox, type SandboxOptions } from './server';
export { addAccount, adminCredentials } from './accounts';
export { AwsError } from './errors';
export { CallLog, type CallRecord } from './log';
export { Faults, parseFaultRules, type FaultRule } from './faults';
export * from './state/account';
export type * from './state/iam';
export type * from './state/eks';
export type * from './state/efs';
export type * from './state/ec2';
export type * from './state/s3files';
export {
  SANDBOX_ADMIN_TOKEN,
  SANDBOX_READONLY_TOKEN,
  type KubeObject,
  type KubeState,
  type KubeSettings,
  type StaticToken,
} from './state/kube';
export { iamId, newRole } from './state/iam';
// Scenarios.
export {
  listScenarios,
  loadScenario,
  parseScenario,
  readScenario,
  scenarioNames,
  ScenarioError,
  SCENARIO_DIR,
  durationMs,
  scenarioSchema,
  type ScenarioData,
} from './scenarios/load';
// Seed helpers (the scenario loader uses the same).
export * from './services/eks-seed';
export * from './services/network-seed';
export * from './services/s3files-seed';
export * from './kube/seed';
export { identityAllows, identityDecision, identityPolicies } from './services/iam';
export {
  accessDenied,
  enforcePermissions,
  passedRoles,
  POD_IDENTITY_SERVICE,
  requiredPermission,
  type RequiredPermission,
} from './permissions';
export { POD_IDENTITY_ENV, IRSA_TOKEN_FILE, ROLE_ARN_ANNOTATION } from './kube/webhook';
