import { InputError, NotAllowedError } from '@backstage/errors';
import type { BackstageCredentials, PermissionsService } from '@backstage/backend-plugin-api';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { efsNodeIdentityProvisionPermission } from '@efs-node-identity/backstage-plugin-common';
import { ACCOUNT_ID, parseDesiredSpec, SpecError, type DesiredSpec } from '@efs-node-identity/core';
import type { z as zod } from 'zod/v3';

/**
 * The inputs every action shares: the desired node identity of one cluster. The schemas are built with the zod the
 * scaffolder passes in (its own v3, which it converts to JSON schema for the form and the action list); they only
 * shape the input. Every value is then validated by the core's spec parser, the same one `plan`, `apply` and
 * `render` use on the command line, before anything is read or planned.
 */
export const specInputSchema = {
  cluster: (z: typeof zod) => z.string().describe('The EKS cluster name'),
  region: (z: typeof zod) => z.string().describe('The cluster region, e.g. eu-west-1'),
  accountId: (z: typeof zod) =>
    z
      .string()
      .optional()
      .describe(
        "The cluster's AWS account (12 digits): its credentials come from the aws: app-config; default: the main account",
      ),
  mode: (z: typeof zod) =>
    z
      .enum(['pod-identity', 'irsa'])
      .optional()
      .describe('How the node service account gets the role: EKS Pod Identity (default) or IRSA'),
  fileSystems: (z: typeof zod) =>
    z
      .array(
        z.object({
          id: z.string().describe('The file system ID, fs-…'),
          type: z
            .enum(['efs', 's3files'])
            .optional()
            .describe('efs (default) or s3files: an Amazon S3 Files file system'),
          access: z.enum(['read', 'write', 'root']).optional().describe('Default: write'),
          accountId: z
            .string()
            .optional()
            .describe('Its account when not the cluster account (cross-account)'),
        }),
      )
      .describe('The file systems the node role may mount'),
  roleName: (z: typeof zod) =>
    z.string().optional().describe("The node role's name (default: <cluster>-efs-csi-node)"),
  targetRoleArn: (z: typeof zod) =>
    z
      .string()
      .optional()
      .describe('Cross-account Pod Identity: the role in the file system account to chain into'),
  adopt: (z: typeof zod) =>
    z.boolean().optional().describe('Take over an existing node role that lacks the ownership tag'),
};

/** The shared inputs as the handler receives them. */
export interface SpecInput {
  cluster: string;
  region: string;
  accountId?: string;
  mode?: 'pod-identity' | 'irsa';
  fileSystems: Array<{
    id: string;
    type?: 'efs' | 's3files';
    access?: 'read' | 'write' | 'root';
    accountId?: string;
  }>;
  roleName?: string;
  targetRoleArn?: string;
  adopt?: boolean;
}

/**
 * The desired spec from the action's input, validated by the core's parser.
 *
 * @throws InputError naming the input and the rule it broke (a malformed ID, name or ARN, a wildcard, a newline).
 */
export function specFromInput(input: SpecInput): { spec: DesiredSpec; accountId?: string } {
  if (input.accountId !== undefined && !ACCOUNT_ID.test(input.accountId)) {
    throw new InputError(`accountId: ${JSON.stringify(input.accountId)} is not a 12-digit AWS account ID`);
  }
  try {
    const spec = parseDesiredSpec(
      {
        cluster: input.cluster,
        region: input.region,
        ...(input.mode !== undefined ? { mode: input.mode } : {}),
        fileSystems: input.fileSystems,
        ...(input.roleName !== undefined && input.roleName !== '' ? { roleName: input.roleName } : {}),
        ...(input.targetRoleArn !== undefined && input.targetRoleArn !== ''
          ? { targetRoleArn: input.targetRoleArn }
          : {}),
        ...(input.adopt ? { adopt: true } : {}),
      },
      'the action input',
    );
    return { spec, ...(input.accountId !== undefined ? { accountId: input.accountId } : {}) };
  } catch (error) {
    if (error instanceof SpecError) throw new InputError(error.message, error);
    throw error;
  }
}

/**
 * Refuses a user without `efs-node-identity.provision` before any AWS call: the scaffolder hands the action the
 * credentials of the user who started the task.
 *
 * @throws NotAllowedError naming the permission.
 */
export async function requireProvisionPermission(
  permissions: PermissionsService,
  credentials: BackstageCredentials,
  what: string,
): Promise<void> {
  const [decision] = await permissions.authorize([{ permission: efsNodeIdentityProvisionPermission }], {
    credentials,
  });
  if (decision?.result !== AuthorizeResult.ALLOW) {
    throw new NotAllowedError(
      `${what} needs the permission ${efsNodeIdentityProvisionPermission.name}, which this user does not have; nothing was read or changed`,
    );
  }
}
