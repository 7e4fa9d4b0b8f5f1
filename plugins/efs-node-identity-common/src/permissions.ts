import { createPermission } from '@backstage/plugin-permission-common';

/**
 * Read the verification results (an entity's status, the fleet list). Reading one entity's status also needs
 * `catalog.entity.read` on that entity, so the status of an entity a user cannot see stays hidden.
 */
export const efsNodeIdentityStatusReadPermission = createPermission({
  name: 'efs-node-identity.status.read',
  attributes: { action: 'read' },
});

/**
 * Anything that calls AWS on a user's request or changes state: re-verifying an entity now, planning and applying
 * a node identity.
 */
export const efsNodeIdentityProvisionPermission = createPermission({
  name: 'efs-node-identity.provision',
  attributes: { action: 'create' },
});

/** Every permission of the plugin, for `permissionsRegistry.addPermissions`. */
export const efsNodeIdentityPermissions = [
  efsNodeIdentityStatusReadPermission,
  efsNodeIdentityProvisionPermission,
];
