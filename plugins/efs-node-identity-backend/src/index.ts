/**
 * Backstage backend plugin for efs-node-identity: verification status of catalog entities.
 *
 * @packageDocumentation
 */
export { efsNodeIdentityPlugin as default } from './plugin';
export {
  EntityStatusService,
  type EntityStatusServiceOptions,
  type FleetQuery,
} from './service/EntityStatusService';
export {
  LiveEntityVerifier,
  type EntityVerifier,
  type LiveVerifierOptions,
  type VerificationOutcome,
} from './service/live-verifier';
export {
  FleetRefresh,
  FLEET_REFRESH_TASK_ID,
  type FleetRefreshOptions,
  type FleetRefreshSummary,
} from './refresh/FleetRefresh';
export { readRefreshSettings, type RefreshSettings } from './refresh/refresh-settings';
