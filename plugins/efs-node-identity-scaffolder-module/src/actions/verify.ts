import type { PermissionsService } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { verifyLive } from '@efs-node-identity/aws';
import { ACCOUNT_ID, FILE_SYSTEM_ID, REGION } from '@efs-node-identity/core';
import type { AwsAccess } from '../live/aws-access';
import { requireProvisionPermission } from './inputs';
import { findingOutput } from './plan-output';

// EKS cluster names: CreateCluster's constraint (1-100 letters, digits, - and _, starting with a letter or digit).
const CLUSTER_NAME = /^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/;

/** `efs-node-identity:verify`: every rule over the live cluster, as `efs-node-identity verify` runs them. */
export function createVerifyAction(options: { aws: AwsAccess; permissions: PermissionsService }) {
  return createTemplateAction({
    id: 'efs-node-identity:verify',
    description:
      'Reads the live state of an EKS cluster and its EFS file systems (read-only) and runs every rule on it; ' +
      'outputs the findings (the same rule IDs as the efs-node-identity CLI and the GitHub Action).',
    supportsDryRun: true,
    examples: [
      {
        description: 'Verify prod-eks and one file system, fail the task on an error finding',
        example: `steps:
  - id: verify
    action: efs-node-identity:verify
    input:
      cluster: prod-eks
      region: eu-west-1
      fileSystemIds: [fs-0a1b2c3d4e5f60718]
      failOnError: true`,
      },
    ],
    schema: {
      input: {
        cluster: (z) => z.string().describe('The EKS cluster name'),
        region: (z) => z.string().describe('The cluster region'),
        accountId: (z) =>
          z.string().optional().describe("The cluster's AWS account (default: the main account)"),
        fileSystemIds: (z) =>
          z
            .array(z.string())
            .optional()
            .describe("File systems to verify besides those the cluster's StorageClasses and volumes name"),
        failOnError: (z) => z.boolean().optional().describe('Fail the step when an error finding remains'),
      },
      output: {
        findings: (z) =>
          z.array(z.object({ ruleId: z.string(), severity: z.string(), message: z.string() }).passthrough()),
        errorCount: (z) => z.number(),
        warningCount: (z) => z.number(),
      },
    },
    async handler(ctx) {
      const { cluster, region, accountId } = ctx.input;
      const fileSystemIds = ctx.input.fileSystemIds ?? [];
      // The same checks the spec parser makes, before any call: these values end up in URLs and messages.
      if (accountId !== undefined && !ACCOUNT_ID.test(accountId))
        throw new InputError(`accountId: ${JSON.stringify(accountId)} is not a 12-digit AWS account ID`);
      if (!REGION.test(region))
        throw new InputError(`region: ${JSON.stringify(region)} is not an AWS region`);
      for (const id of fileSystemIds) {
        if (!FILE_SYSTEM_ID.test(id))
          throw new InputError(`fileSystemIds: ${JSON.stringify(id)} is not a file system ID (fs-…)`);
      }
      if (!CLUSTER_NAME.test(cluster))
        throw new InputError(`cluster: ${JSON.stringify(cluster)} is not an EKS cluster name`);
      await requireProvisionPermission(
        options.permissions,
        await ctx.getInitiatorCredentials(),
        'efs-node-identity:verify',
      );
      const access = await options.aws.open({ cluster, region, fileSystems: [] }, accountId);
      try {
        // Verify only reads: a dry run verifies exactly as a real run does.
        const { findings } = await verifyLive({ cluster, region, fileSystemIds }, access);
        const out = findings.map(findingOutput);
        for (const f of out) ctx.logger.info(`${f.severity} ${f.ruleId}: ${f.message}`);
        const errors = out.filter((f) => f.severity === 'error').length;
        ctx.output('findings', out);
        ctx.output('errorCount', errors);
        ctx.output('warningCount', out.filter((f) => f.severity === 'warning').length);
        if (ctx.input.failOnError && errors > 0) {
          throw new Error(
            `verify: ${errors} error finding(s): ${out
              .filter((f) => f.severity === 'error')
              .map((f) => f.ruleId)
              .join(', ')}`,
          );
        }
      } finally {
        access.destroy();
      }
    },
  });
}
