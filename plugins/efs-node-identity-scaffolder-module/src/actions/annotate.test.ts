import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { createMockDirectory, mockServices } from '@backstage/backend-test-utils';
import { InputError } from '@backstage/errors';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { parseEfsNodeIdentityAnnotations } from '@efs-node-identity/backstage-plugin-common';
import { parseAllDocuments } from 'yaml';
import { createAnnotateAction } from './annotate';

const fixture = readFileSync(path.join(__dirname, '__fixtures__/catalog-info.yaml'), 'utf8');
const location = 'url:https://github.com/acme/payments/blob/main/catalog-info.yaml';
const input = {
  entityRef: 'component:default/payments',
  location,
  cluster: 'prod-eks',
  region: 'eu-west-1',
  accountId: '111122223333',
  fileSystems: [{ id: 'fs-0a1b2c3d4e5f60718' }, { id: 'fs-12345678', access: 'read' as const }],
};

function readerServing(text: string) {
  const reader = mockServices.urlReader.mock();
  reader.readUrl.mockImplementation(async () => ({ buffer: async () => Buffer.from(text) }) as never);
  return reader;
}

describe('efs-node-identity:annotate', () => {
  it("adds the annotations to the entity's document and keeps comments, other keys and the other document", async () => {
    const reader = readerServing(fixture);
    const workspace = createMockDirectory();
    const ctx = createMockActionContext({ input, workspacePath: workspace.path });
    await createAnnotateAction({ reader }).handler(ctx);

    expect(reader.readUrl).toHaveBeenCalledWith(
      'https://github.com/acme/payments/blob/main/catalog-info.yaml',
    );
    expect(ctx.output).toHaveBeenCalledWith('repoUrl', 'github.com?owner=acme&repo=payments');
    expect(ctx.output).toHaveBeenCalledWith('directory', '.');
    const written = readFileSync(path.join(workspace.path, 'catalog-info/catalog-info.yaml'), 'utf8');
    expect(written).toContain("# The payments team's catalog file");
    expect(written).toContain('acme/payments # kept as it is');
    const [component, api] = parseAllDocuments(written).map((d) => d.toJS());
    expect(api.metadata.name).toBe('payments-api');
    expect(api.metadata.annotations).toBeUndefined();
    // What the status plugin reads back.
    expect(parseEfsNodeIdentityAnnotations(component)).toEqual({
      clusterArn: 'arn:aws:eks:eu-west-1:111122223333:cluster/prod-eks',
      cluster: { partition: 'aws', region: 'eu-west-1', accountId: '111122223333', name: 'prod-eks' },
      fileSystemIds: ['fs-0a1b2c3d4e5f60718', 'fs-12345678'],
      fileSystems: [
        { id: 'fs-0a1b2c3d4e5f60718', type: 'efs' },
        { id: 'fs-12345678', type: 'efs' },
      ],
      serviceAccount: { namespace: 'kube-system', name: 'efs-csi-node-sa' },
      mode: 'pod-identity',
    });
    expect(component.metadata.annotations['github.com/project-slug']).toBe('acme/payments');
  });

  it('writes an S3 Files file system with its s3files: prefix, which the status plugin reads back as one', async () => {
    const reader = readerServing(fixture);
    const workspace = createMockDirectory();
    const ctx = createMockActionContext({
      input: {
        ...input,
        fileSystems: [{ id: 'fs-0123456789abcdef0123', type: 's3files' as const }, { id: 'fs-12345678' }],
      },
      workspacePath: workspace.path,
    });
    await createAnnotateAction({ reader }).handler(ctx);
    const [component] = parseAllDocuments(
      readFileSync(path.join(workspace.path, 'catalog-info/catalog-info.yaml'), 'utf8'),
    ).map((d) => d.toJS());
    expect(component.metadata.annotations['efs-node-identity.io/file-system-ids']).toBe(
      's3files:fs-0123456789abcdef0123,fs-12345678',
    );
    expect(parseEfsNodeIdentityAnnotations(component)?.fileSystems).toEqual([
      { id: 'fs-0123456789abcdef0123', type: 's3files' },
      { id: 'fs-12345678', type: 'efs' },
    ]);
  });

  it('reads the file from the /tree/ location the catalog records for an entity registered from GitHub', async () => {
    const reader = readerServing(fixture);
    const workspace = createMockDirectory();
    const tree = 'https://github.com/acme/payments/tree/main/catalog-info.yaml';
    const ctx = createMockActionContext({
      input: { ...input, location: `url:${tree}` },
      workspacePath: workspace.path,
    });
    await createAnnotateAction({ reader }).handler(ctx);
    expect(reader.readUrl).toHaveBeenCalledWith(tree);
    expect(ctx.output).toHaveBeenCalledWith('repoUrl', 'github.com?owner=acme&repo=payments');
    expect(ctx.output).toHaveBeenCalledWith('filePath', 'catalog-info.yaml');
    const [component] = parseAllDocuments(
      readFileSync(path.join(workspace.path, 'catalog-info/catalog-info.yaml'), 'utf8'),
    ).map((d) => d.toJS());
    expect(parseEfsNodeIdentityAnnotations(component)?.clusterArn).toBe(
      'arn:aws:eks:eu-west-1:111122223333:cluster/prod-eks',
    );
  });

  it('refuses a location that is not a GitHub file, and an entity the file does not hold', async () => {
    const reader = readerServing(fixture);
    const workspace = createMockDirectory();
    const notGithub = createMockActionContext({
      input: { ...input, location: 'file:/etc/passwd' },
      workspacePath: workspace.path,
    });
    await expect(createAnnotateAction({ reader }).handler(notGithub)).rejects.toThrow(InputError);
    expect(reader.readUrl).not.toHaveBeenCalled();
    const other = createMockActionContext({
      input: { ...input, entityRef: 'component:default/ledger' },
      workspacePath: workspace.path,
    });
    await expect(createAnnotateAction({ reader }).handler(other)).rejects.toThrow(
      /has no entity component:default\/ledger/,
    );
  });
});
