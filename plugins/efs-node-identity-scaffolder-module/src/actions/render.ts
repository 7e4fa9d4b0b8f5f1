import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { resolveSafeChildPath } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { ACCOUNT_ID, RenderError, renderArtifacts, type RenderFormat } from '@efs-node-identity/core';
import { specFromInput, specInputSchema, type SpecInput } from './inputs';

const OIDC_ISSUER = /^https:\/\/[A-Za-z0-9.-]+(\/[A-Za-z0-9._~-]+)*$/;

/**
 * `efs-node-identity:render`: the desired node identity as GitOps files (Terraform, CloudFormation, Kubernetes YAML,
 * policy JSON, the same `efs-node-identity render` writes) in the task workspace, for `publish:github:pull-request`.
 */
export function createRenderAction() {
  return createTemplateAction({
    id: 'efs-node-identity:render',
    description:
      'Writes the desired EFS CSI node identity as GitOps artifacts (Terraform, CloudFormation, Kubernetes YAML, ' +
      'IAM policy JSON) into the workspace, for a pull request on the infrastructure repository. Reads nothing ' +
      'from AWS. The file system policy statement is to be merged by Sid, never applied as a whole policy.',
    supportsDryRun: true,
    examples: [
      {
        description: 'Render Terraform for prod-eks into infra/efs-node-identity and open a pull request',
        example: `steps:
  - id: render
    action: efs-node-identity:render
    input:
      cluster: prod-eks
      region: eu-west-1
      accountId: "111122223333"
      fileSystems:
        - id: fs-0a1b2c3d4e5f60718
      format: terraform
      targetPath: infra/efs-node-identity
  - id: pr
    action: publish:github:pull-request
    input:
      repoUrl: github.com?owner=acme&repo=infra
      branchName: efs-node-identity-prod-eks
      title: EFS CSI node identity for prod-eks
      description: Rendered by efs-node-identity
      sourcePath: infra/efs-node-identity
      targetPath: clusters/prod-eks/efs-node-identity`,
      },
    ],
    schema: {
      input: {
        ...specInputSchema,
        format: (z) =>
          z
            .enum(['terraform', 'cloudformation', 'kubernetes', 'json', 'all'])
            .optional()
            .describe('What to write (default: all; Terraform and CloudFormation are alternatives)'),
        oidcIssuer: (z) =>
          z
            .string()
            .optional()
            .describe("IRSA: the cluster's OIDC issuer URL (else a variable or placeholder)"),
        targetPath: (z) =>
          z.string().optional().describe('Where in the workspace the files go (default: the workspace root)'),
      },
      output: {
        files: (z) => z.array(z.string()).describe('The files written, relative to targetPath'),
        targetPath: (z) => z.string(),
      },
    },
    async handler(ctx) {
      const { spec, accountId } = specFromInput(ctx.input as SpecInput);
      const { oidcIssuer } = ctx.input;
      if (oidcIssuer !== undefined && !OIDC_ISSUER.test(oidcIssuer))
        throw new InputError(`oidcIssuer: ${JSON.stringify(oidcIssuer)} is not an https issuer URL`);
      if (accountId !== undefined && !ACCOUNT_ID.test(accountId))
        throw new InputError(`accountId: ${JSON.stringify(accountId)} is not a 12-digit AWS account ID`);
      const targetPath = ctx.input.targetPath ?? '.';
      // Refuses a targetPath that leaves the workspace (`..`, an absolute path).
      let outDir: string;
      try {
        outDir = resolveSafeChildPath(ctx.workspacePath, targetPath);
      } catch (error) {
        throw new InputError(`targetPath: ${JSON.stringify(targetPath)} is outside the workspace`, error);
      }
      let files;
      try {
        files = renderArtifacts(spec, {
          format: (ctx.input.format ?? 'all') as RenderFormat,
          ...(accountId !== undefined ? { accountId } : {}),
          ...(oidcIssuer !== undefined ? { oidcIssuer } : {}),
        });
      } catch (error) {
        if (error instanceof RenderError) throw new InputError(error.message, error);
        throw error;
      }
      // Writing into the task's own workspace is what a dry run does too (the dry-run response lists the files):
      // nothing outside the workspace is touched.
      for (const file of files) {
        const target = resolveSafeChildPath(outDir, file.path);
        await fs.mkdir(path.dirname(target), { recursive: true });
        await fs.writeFile(target, file.content);
        ctx.logger.info(`wrote ${path.posix.join(targetPath, file.path)}`);
      }
      ctx.output(
        'files',
        files.map((f) => f.path),
      );
      ctx.output('targetPath', targetPath);
    },
  });
}
