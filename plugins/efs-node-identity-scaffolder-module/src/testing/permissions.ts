import type { PermissionsService } from '@backstage/backend-plugin-api';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { efsNodeIdentityProvisionPermission } from '@efs-node-identity/backstage-plugin-common';

/** The user the permission fake refuses `efs-node-identity.provision` to. */
export const DENIED_USER = 'user:default/no-provision';

/**
 * A permission service that allows everything except `efs-node-identity.provision` to {@link DENIED_USER}: the edge
 * the tests are not about (the permission policy), kept to the one decision they need. The scaffolder's own
 * permissions (task create, template dry-run) stay allowed, so a refusal comes from our action.
 */
export function permissionsDenying(user = DENIED_USER): PermissionsService {
  const decide = (permission: string, credentials: { principal: unknown }) => {
    const principal = credentials.principal as { type?: string; userEntityRef?: string };
    return permission === efsNodeIdentityProvisionPermission.name &&
      principal.type === 'user' &&
      principal.userEntityRef === user
      ? AuthorizeResult.DENY
      : AuthorizeResult.ALLOW;
  };
  return {
    async authorize(requests, options) {
      return requests.map((r) => ({ result: decide(r.permission.name, options.credentials) }));
    },
    async authorizeConditional(requests, options) {
      return requests.map((r) => ({ result: decide(r.permission.name, options.credentials) })) as never;
    },
  };
}
