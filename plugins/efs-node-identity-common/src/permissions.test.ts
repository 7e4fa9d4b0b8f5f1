import { isResourcePermission } from '@backstage/plugin-permission-common';
import {
  efsNodeIdentityPermissions,
  efsNodeIdentityProvisionPermission,
  efsNodeIdentityStatusReadPermission,
} from './permissions';

describe('permissions', () => {
  it('declares the status read and provision permissions under the plugin id, as basic permissions', () => {
    expect(efsNodeIdentityStatusReadPermission).toEqual({
      type: 'basic',
      name: 'efs-node-identity.status.read',
      attributes: { action: 'read' },
    });
    expect(efsNodeIdentityProvisionPermission).toEqual({
      type: 'basic',
      name: 'efs-node-identity.provision',
      attributes: { action: 'create' },
    });
    expect(efsNodeIdentityPermissions.some((p) => isResourcePermission(p))).toBe(false);
  });
});
