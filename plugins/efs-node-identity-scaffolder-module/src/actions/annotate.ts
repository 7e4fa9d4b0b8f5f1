import * as path from 'node:path';
import { promises as fs } from 'node:fs';
import { resolveSafeChildPath, type UrlReaderService } from '@backstage/backend-plugin-api';
import { parseEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  ANNOTATION_CLUSTER_ARN,
  ANNOTATION_FILE_SYSTEM_IDS,
  ANNOTATION_MODE,
  ANNOTATION_SERVICE_ACCOUNT,
  InvalidAnnotationError,
  parseEfsNodeIdentityAnnotations,
} from '@efs-node-identity/backstage-plugin-common';
import { isMap, parseAllDocuments } from 'yaml';
import { specFromInput, specInputSchema, type SpecInput } from './inputs';

/**
 * Where a GitHub-hosted catalog file lives: `https://<host>/<owner>/<repo>/blob/<ref>/<path>`, or `/tree/` in place of
 * `/blob/`: the catalog writes `backstage.io/managed-by-location` from the location target resolved by
 * `GithubIntegration.resolveUrl` (@backstage/integration), which rewrites `blob` to `tree`, so an entity registered
 * from `…/blob/main/catalog-info.yaml` carries `url:…/tree/main/catalog-info.yaml`. Backstage's GitHub URL reader reads
 * a file from either form.
 */
const GITHUB_BLOB =
  /^https:\/\/([A-Za-z0-9.-]+(?::\d+)?)\/([\w.-]+)\/([\w.-]+)\/(?:blob|tree)\/([^/]+)\/(.+)$/;

/**
 * `efs-node-identity:annotate`: the entity's catalog-info.yaml with the efs-node-identity.io annotations, written into
 * the workspace for `publish:github:pull-request` on the entity's own repository. Comments and the other documents
 * of the file are kept; only the entity's annotations change.
 */
export function createAnnotateAction(options: { reader: UrlReaderService }) {
  return createTemplateAction({
    id: 'efs-node-identity:annotate',
    description:
      "Reads the entity's catalog-info.yaml (from its backstage.io/managed-by-location), sets the efs-node-identity.io " +
      'annotations (cluster ARN, file systems, node service account, mode) on that entity and writes the file into ' +
      'the workspace; outputs the repository and directory for publish:github:pull-request.',
    supportsDryRun: true,
    examples: [
      {
        description: 'Annotate component:default/payments and open a pull request on its repository',
        example: `steps:
  - id: entity
    action: catalog:fetch
    input:
      entityRef: component:default/payments
  - id: annotate
    action: efs-node-identity:annotate
    input:
      entityRef: component:default/payments
      location: \${{ steps.entity.output.entity.metadata.annotations['backstage.io/managed-by-location'] }}
      cluster: prod-eks
      region: eu-west-1
      accountId: "111122223333"
      fileSystems:
        - id: fs-0a1b2c3d4e5f60718
      targetPath: catalog-info
  - id: pr
    action: publish:github:pull-request
    input:
      repoUrl: \${{ steps.annotate.output.repoUrl }}
      branchName: efs-node-identity/annotations
      title: Annotate payments for efs-node-identity
      description: Adds the efs-node-identity.io annotations
      sourcePath: catalog-info
      targetPath: \${{ steps.annotate.output.directory }}`,
      },
    ],
    schema: {
      input: {
        entityRef: (z) => z.string().describe('The entity to annotate, e.g. component:default/payments'),
        location: (z) =>
          z
            .string()
            .describe(
              'Its backstage.io/managed-by-location: url:https://github.com/<owner>/<repo>/blob/<ref>/<file>',
            ),
        cluster: specInputSchema.cluster,
        region: specInputSchema.region,
        accountId: (z) => z.string().describe("The cluster's AWS account (the cluster ARN needs it)"),
        mode: specInputSchema.mode,
        fileSystems: specInputSchema.fileSystems,
        targetPath: (z) =>
          z.string().optional().describe('Where in the workspace the file goes (default: catalog-info)'),
      },
      output: {
        repoUrl: (z) => z.string().describe('The repository, as publish:github:pull-request takes it'),
        directory: (z) =>
          z.string().describe("The catalog file's directory in the repository ('.' for the root)"),
        filePath: (z) => z.string().describe('The catalog file in the repository'),
        annotations: (z) => z.record(z.string()),
      },
    },
    async handler(ctx) {
      const { spec, accountId } = specFromInput(ctx.input as SpecInput);
      let ref;
      try {
        ref = parseEntityRef(ctx.input.entityRef);
      } catch (error) {
        throw new InputError(`entityRef: ${(error as Error).message}`, error);
      }
      const url = ctx.input.location.replace(/^url:/, '');
      const blob = GITHUB_BLOB.exec(url);
      if (!blob || !ctx.input.location.startsWith('url:')) {
        throw new InputError(
          `location: ${JSON.stringify(ctx.input.location)} is not a GitHub file location (url:https://<host>/<owner>/<repo>/blob/<ref>/<file>, or /tree/ in place of /blob/)`,
        );
      }
      const [, host, owner, repo, , filePath] = blob as unknown as [
        string,
        string,
        string,
        string,
        string,
        string,
      ];
      const annotations: Record<string, string> = {
        [ANNOTATION_CLUSTER_ARN]: `arn:aws:eks:${spec.region}:${accountId ?? ''}:cluster/${spec.cluster}`,
        // S3 file systems carry their prefix, as in the driver's volume handles; EFS ones are bare IDs.
        [ANNOTATION_FILE_SYSTEM_IDS]: spec.fileSystems
          .map((f) => (f.type === 's3files' ? `s3files:${f.id}` : f.id))
          .join(','),
        [ANNOTATION_SERVICE_ACCOUNT]: `${spec.nodeServiceAccount.namespace}/${spec.nodeServiceAccount.name}`,
        [ANNOTATION_MODE]: spec.mode,
      };
      // The plugins read these annotations back with the -common parser: what is written must parse there.
      try {
        parseEfsNodeIdentityAnnotations({
          apiVersion: 'backstage.io/v1alpha1',
          kind: ref.kind,
          metadata: { name: ref.name, annotations },
        });
      } catch (error) {
        if (error instanceof InvalidAnnotationError) throw new InputError(error.message, error);
        throw error;
      }

      const text = (await (await options.reader.readUrl(url)).buffer()).toString('utf8');
      const documents = parseAllDocuments(text);
      const target = documents.find((doc) => {
        if (!('contents' in doc) || !isMap(doc.contents)) return false;
        const kind = String(doc.getIn(['kind']) ?? '').toLowerCase();
        const name = String(doc.getIn(['metadata', 'name']) ?? '');
        const namespace = String(doc.getIn(['metadata', 'namespace']) ?? 'default');
        return kind === ref.kind.toLowerCase() && name === ref.name && namespace === ref.namespace;
      });
      if (!target || !('contents' in target)) {
        throw new InputError(`${url} has no entity ${ctx.input.entityRef}`);
      }
      if (target.errors.length > 0) {
        throw new InputError(`${url}: not valid YAML: ${target.errors[0]!.message}`);
      }
      for (const [key, value] of Object.entries(annotations)) {
        target.setIn(['metadata', 'annotations', key], value);
      }
      const out = documents.map((d) => d.toString()).join('');

      const targetPath = ctx.input.targetPath ?? 'catalog-info';
      let dest: string;
      try {
        dest = resolveSafeChildPath(
          resolveSafeChildPath(ctx.workspacePath, targetPath),
          path.posix.basename(filePath),
        );
      } catch (error) {
        throw new InputError(`targetPath: ${JSON.stringify(targetPath)} is outside the workspace`, error);
      }
      await fs.mkdir(path.dirname(dest), { recursive: true });
      await fs.writeFile(dest, out);
      ctx.logger.info(`annotated ${ctx.input.entityRef} in ${filePath} (${owner}/${repo})`);
      ctx.output('repoUrl', `${host}?owner=${owner}&repo=${repo}`);
      ctx.output('directory', path.posix.dirname(filePath));
      ctx.output('filePath', filePath);
      ctx.output('annotations', annotations);
    },
  });
}
