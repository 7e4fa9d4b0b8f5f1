import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runCli } from './run-cli';

const FLAGS = [
  'render',
  '--cluster',
  'prod-eks',
  '--region',
  'eu-west-1',
  '--file-system',
  'fs-0a1b2c3d4e5f60718',
  '--file-system',
  'fs-0c492f870b90c1c9a:read',
  '--account-id',
  '111122223333',
];

describe('efs-node-identity render', () => {
  it('is listed in the help and has its own', () => {
    expect(runCli(['--help']).stdout).toMatch(/\n {2}render /);
    expect(runCli(['render', '--help']).stdout).toMatch(
      /--format terraform\|cloudformation\|kubernetes\|json\|all/,
    );
  });

  it('takes an Amazon S3 Files file system as s3files:fs-… beside an EFS one, as plan does', () => {
    const out = mkdtempSync(path.join(tmpdir(), 'eni-render-s3files-'));
    const rendered = runCli([
      ...FLAGS.slice(0, 5),
      '--file-system',
      's3files:fs-0123456789abcdef0123:read',
      '--file-system',
      'fs-0a1b2c3d4e5f60718',
      '--account-id',
      '111122223333',
      '--format',
      'json',
      '--out',
      out,
    ]);
    expect(rendered.code).toBe(0);
    const permissions = JSON.parse(
      readFileSync(path.join(out, 'policies', 'prod-eks-efs-csi-node.permissions.json'), 'utf8'),
    ) as { Statement: Array<{ Action: string[]; Resource: string[] }> };
    const s3files = permissions.Statement.find((s) => s.Resource.some((r) => r.includes(':s3files:')));
    expect(s3files).toEqual(
      expect.objectContaining({
        Action: ['s3files:ClientMount'],
        Resource: ['arn:aws:s3files:eu-west-1:111122223333:file-system/fs-0123456789abcdef0123'],
      }),
    );
    const efs = permissions.Statement.find((s) => s.Resource.some((r) => r.includes(':elasticfilesystem:')));
    expect(efs?.Action).toEqual(['elasticfilesystem:ClientMount', 'elasticfilesystem:ClientWrite']);
  });

  it.each(['terraform', 'cloudformation', 'kubernetes', 'json'])(
    'renders %s into a directory that check passes (exit 0, no warning)',
    (format) => {
      const out = mkdtempSync(path.join(tmpdir(), 'eni-render-cli-'));
      const rendered = runCli([...FLAGS, '--format', format, '--out', out]);
      expect(rendered.stderr).toMatch(/rendered \d+ files? under/);
      expect(rendered.code).toBe(0);
      const checked = runCli(['check', out, '--format', 'json', '--fail-on', 'warning']);
      expect(
        JSON.parse(checked.stdout).findings.filter((f: { severity: string }) => f.severity !== 'info'),
      ).toEqual([]);
      expect(checked.code).toBe(0);
    },
  );

  it('renders an irsa spec file, and refuses to overwrite without --force', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'eni-render-cli-'));
    const spec = path.join(dir, 'spec.yaml');
    writeFileSync(
      spec,
      'cluster: prod-eks\nregion: eu-west-1\nmode: irsa\nfileSystems:\n  - id: fs-0a1b2c3d4e5f60718\n',
    );
    const out = path.join(dir, 'out');
    const args = [
      'render',
      '--spec',
      spec,
      '--format',
      'kubernetes',
      '--account-id',
      '111122223333',
      '--oidc-issuer',
      'https://oidc.eks.eu-west-1.amazonaws.com/id/5C7A2E8F0B1D4C3A9E6F7B2D1C0A9E8F',
      '--out',
      out,
    ];
    expect(runCli(args).code).toBe(0);
    const file = path.join(out, 'kubernetes', 'efs-csi-node-identity.yaml');
    expect(readFileSync(file, 'utf8')).toContain('eks.amazonaws.com/role-arn');
    expect(runCli(['check', out]).code).toBe(0);
    writeFileSync(file, 'edited\n');
    const again = runCli(args);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/refusing to overwrite kubernetes\/efs-csi-node-identity\.yaml .*--force/);
    expect(readFileSync(file, 'utf8')).toBe('edited\n');
    expect(runCli([...args, '--force']).code).toBe(0);
    expect(readFileSync(file, 'utf8')).toContain('kind: StorageClass');
  });

  it('prints the files with separators without --out', () => {
    const printed = runCli([...FLAGS, '--format', 'all']);
    expect(printed.code).toBe(0);
    // Files come in path order: the README of `all` first.
    expect(printed.stdout).toMatch(/^# --- README\.md\n/);
    expect(printed.stdout).toContain('\n# --- cloudformation/efs-csi-node-identity.yaml\n');
    expect(printed.stdout).toContain('\n# --- terraform/efs_csi_node.tf\n');
    expect(printed.stdout).toContain('\n# --- policies/prod-eks-efs-csi-node.trust.json\n');
  });

  it('refuses hostile or malformed input with the field named, writing nothing', () => {
    const out = path.join(mkdtempSync(path.join(tmpdir(), 'eni-render-cli-')), 'out');
    const base = ['render', '--cluster', 'prod-eks', '--region', 'eu-west-1', '--out', out];
    for (const [args, message] of [
      [
        [
          'render',
          '--cluster',
          'prod"; rm -rf /',
          '--region',
          'eu-west-1',
          '--file-system',
          'fs-0a1b2c3d',
          '--out',
          out,
        ],
        /cluster: an EKS cluster name/,
      ],
      [[...base, '--file-system', '*'], /fileSystems\.0\.id: a file system ID/],
      [[...base, '--file-system', 'fs-0a1b2c3d', '--role-name', 'a\nb'], /roleName/],
      [
        [...base, '--file-system', 'fs-0a1b2c3d', '--target-role-arn', 'arn:aws:iam::*:role/x'],
        /targetRoleArn/,
      ],
      [[...base, '--file-system', 'fs-0a1b2c3d', '--account-id', '12345'], /12-digit/],
      [[...base, '--file-system', 'fs-0a1b2c3d:admin'], /the access must be read, write or root/],
      [[...base, '--file-system', 's3files:fs-0a1b2c3d'], /fileSystems\.0\.id/],
    ] as const) {
      const result = runCli([...args]);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(message);
    }
    expect(existsSync(out)).toBe(false);
    expect(runCli(['render', '--region', 'eu-west-1']).stderr).toMatch(/--cluster is required/);
    expect(runCli([...FLAGS, '--format', 'xml']).stderr).toMatch(/--format must be one of/);
  });
});
