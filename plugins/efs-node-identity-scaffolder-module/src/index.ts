/**
 * Scaffolder actions that plan, apply, render and verify the dedicated IAM identity of the Amazon EFS CSI driver's
 * node component, and the module that registers them.
 *
 * @packageDocumentation
 */
export { scaffolderModuleEfsNodeIdentity as default } from './module';
export { createAnnotateAction } from './actions/annotate';
export { createApplyAction } from './actions/apply';
export { createPlanAction } from './actions/plan';
export { createRefreshStatusAction } from './actions/refresh-status';
export { createRenderAction } from './actions/render';
export { createVerifyAction } from './actions/verify';
export { specFromInput, requireProvisionPermission, type SpecInput } from './actions/inputs';
export { AwsAccess, type OpenedAccess } from './live/aws-access';
export {
  advisoryLockKey,
  inProcessLock,
  lockForDatabase,
  postgresAdvisoryLock,
  type AdvisoryLockOptions,
} from './lock/advisory-lock';
