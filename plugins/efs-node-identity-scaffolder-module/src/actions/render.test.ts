import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { createMockDirectory } from '@backstage/backend-test-utils';
import { InputError } from '@backstage/errors';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { runCheck } from '@efs-node-identity/core';
import { createRenderAction } from './render';

const input = {
  cluster: 'prod-eks',
  region: 'eu-west-1',
  accountId: '111122223333',
  fileSystems: [{ id: 'fs-0a1b2c3d4e5f60718', access: 'write' as const }],
};

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

describe('efs-node-identity:render', () => {
  it('writes the GitOps artifacts under targetPath in the workspace, and they pass check', async () => {
    const workspace = createMockDirectory();
    const ctx = createMockActionContext({
      input: { ...input, format: 'terraform' as const, targetPath: 'infra/efs' },
      workspacePath: workspace.path,
    });
    await createRenderAction().handler(ctx);
    const written = filesUnder(path.join(workspace.path, 'infra/efs'));
    expect(written.length).toBeGreaterThan(0);
    expect(written.every((f) => f.endsWith('.tf') || f.endsWith('.json') || f.endsWith('.md'))).toBe(true);
    expect(ctx.output).toHaveBeenCalledWith('files', written);
    const tf = written
      .filter((f) => f.endsWith('.tf'))
      .map((f) => readFileSync(path.join(workspace.path, 'infra/efs', f), 'utf8'));
    expect(tf.join('\n')).toContain('prod-eks-efs-csi-node');
    const report = await runCheck([path.join(workspace.path, 'infra/efs')], { version: 'test' });
    expect(report.findings.filter((f) => f.severity === 'error')).toEqual([]);
  });

  it('renders an Amazon S3 Files file system (type s3files) with its own actions and ARN, and refuses a short S3 Files ID', async () => {
    const workspace = createMockDirectory();
    const ctx = createMockActionContext({
      input: {
        ...input,
        fileSystems: [
          { id: 'fs-0123456789abcdef0123', type: 's3files' as const, access: 'read' as const },
          { id: 'fs-0a1b2c3d4e5f60718' },
        ],
        format: 'terraform' as const,
        targetPath: 'infra',
      },
      workspacePath: workspace.path,
    });
    await createRenderAction().handler(ctx);
    const tf = filesUnder(path.join(workspace.path, 'infra'))
      .filter((f) => f.endsWith('.tf'))
      .map((f) => readFileSync(path.join(workspace.path, 'infra', f), 'utf8'))
      .join('\n');
    expect(tf).toContain('s3files:ClientMount');
    expect(tf).toContain('arn:aws:s3files:eu-west-1:111122223333:file-system/fs-0123456789abcdef0123');
    expect(tf).toContain('elasticfilesystem:ClientWrite');
    const short = createMockActionContext({
      input: {
        ...input,
        fileSystems: [{ id: 'fs-0a1b2c3d', type: 's3files' as const }],
        targetPath: 'other',
      },
      workspacePath: workspace.path,
    });
    await expect(createRenderAction().handler(short)).rejects.toThrow(
      /fileSystems\.0\.id: an S3 Files file system ID/,
    );
  });

  it('refuses a targetPath outside the workspace and a malformed ID, writing nothing', async () => {
    const workspace = createMockDirectory();
    const escape = createMockActionContext({
      input: { ...input, targetPath: '../elsewhere' },
      workspacePath: workspace.path,
    });
    await expect(createRenderAction().handler(escape)).rejects.toThrow(InputError);
    const bad = createMockActionContext({
      input: { ...input, fileSystems: [{ id: 'fs-../../etc' }] },
      workspacePath: workspace.path,
    });
    await expect(createRenderAction().handler(bad)).rejects.toThrow(/fileSystems\.0\.id/);
    expect(filesUnder(workspace.path)).toEqual([]);
  });
});
