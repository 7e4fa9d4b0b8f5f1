export { efsNodeIdentityApiRef, type EfsNodeIdentityApi, type FleetQuery } from './EfsNodeIdentityApi';
export { EfsNodeIdentityClient } from './EfsNodeIdentityClient';
