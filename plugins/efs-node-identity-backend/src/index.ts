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
