/**
 * Backstage frontend plugin for efs-node-identity: an entity card with the EFS node identity of a service's cluster
 * and a fleet page. This entry is for legacy apps; `/alpha` is the plugin for the new frontend system.
 *
 * @packageDocumentation
 */
export { efsNodeIdentityPlugin, EntityEfsNodeIdentityCard, EfsNodeIdentityPage } from './plugin';
export {
  efsNodeIdentityApiRef,
  EfsNodeIdentityClient,
  type EfsNodeIdentityApi,
  type FleetQuery,
} from './api';
export { isEfsNodeIdentityAvailable } from '@efs-node-identity/backstage-plugin-common';
