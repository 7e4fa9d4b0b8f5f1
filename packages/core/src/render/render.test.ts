import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runCheck } from '../check';
import { parseDesiredSpec, type DesiredSpec } from '../plan/spec';
import { renderArtifacts, RenderError, type RenderedFile, type RenderFormat } from './index';

const ACCOUNT = '111122223333';
const ISSUER = 'https://oidc.eks.eu-west-1.amazonaws.com/id/5C7A2E8F0B1D4C3A9E6F7B2D1C0A9E8F';
const FS_A = 'fs-0a1b2c3d4e5f60718';
const FS_B = 'fs-0c492f870b90c1c9a';
const TARGET = 'arn:aws:iam::444455556666:role/efs-target';

const SPECS: Record<string, DesiredSpec> = {
  'pod-identity': parseDesiredSpec({
    cluster: 'prod-eks',
    region: 'eu-west-1',
    fileSystems: [{ id: FS_B, access: 'read' }, { id: FS_A }],
    tags: { team: 'storage' },
  }),
  irsa: parseDesiredSpec({
    cluster: 'prod-eks',
    region: 'eu-west-1',
    mode: 'irsa',
    fileSystems: [{ id: FS_A }],
  }),
  'cross-account': parseDesiredSpec({
    cluster: 'prod-eks',
    region: 'eu-west-1',
    fileSystems: [{ id: FS_A, accountId: '444455556666' }],
    targetRoleArn: TARGET,
  }),
};

function writeTree(files: RenderedFile[]): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'eni-render-'));
  for (const f of files) {
    mkdirSync(path.dirname(path.join(dir, f.path)), { recursive: true });
    writeFileSync(path.join(dir, f.path), f.content);
  }
  return dir;
}

/** Findings as one line each (severity, rule, file), so a failure shows what fired. */
async function check(paths: string[]) {
  const report = await runCheck(paths, { version: 'test', today: '2026-01-01' });
  return report.findings.map((f) => `${f.severity} ${f.ruleId}: ${f.message}`);
}

const notInfo = (lines: string[]) => lines.filter((l) => !l.startsWith('info'));

/** `all` holds two alternatives for the same role and association (Terraform or CloudFormation): checked apart. */
function checkedSets(format: RenderFormat, dir: string): string[][] {
  if (format !== 'all') return [[dir]];
  const common = ['policies', 'kubernetes'].map((d) => path.join(dir, d));
  return [
    [...common, path.join(dir, 'terraform')],
    [...common, path.join(dir, 'cloudformation')],
  ];
}

const render = (
  name: string,
  format: RenderFormat,
  extra: { accountId?: string; oidcIssuer?: string } = {},
) =>
  renderArtifacts(SPECS[name], {
    format,
    accountId: ACCOUNT,
    ...(name === 'irsa' ? { oidcIssuer: ISSUER } : {}),
    ...extra,
  });

const FORMATS: RenderFormat[] = ['json', 'terraform', 'cloudformation', 'kubernetes', 'all'];

describe('render, then check', () => {
  describe.each(Object.keys(SPECS))('%s spec', (name) => {
    it.each(FORMATS)('%s: no error or warning finding', async (format) => {
      const dir = writeTree(render(name, format));
      for (const paths of checkedSets(format, dir)) expect(notInfo(await check(paths))).toEqual([]);
    });
  });

  it('all: check over the whole directory reports nothing but PI-02 (the two alternatives), and the README says keep one', async () => {
    const files = render('pod-identity', 'all');
    expect(files.find((f) => f.path === 'README.md')?.content).toMatch(/alternatives: keep one directory/);
    const findings = notInfo(await check([writeTree(files)]));
    expect(findings.every((f) => f.startsWith('error PI-02'))).toBe(true);
  });

  it('renders the same bytes twice, files in path order, each with its header', () => {
    for (const name of Object.keys(SPECS)) {
      const first = render(name, 'all');
      expect(render(name, 'all')).toEqual(first);
      expect(first.map((f) => f.path)).toEqual([...first.map((f) => f.path)].sort());
      for (const f of first.filter((f) => !f.path.endsWith('.json'))) {
        expect(f.content).toMatch(/Rendered by efs-node-identity from the desired spec/);
        expect(f.content).toMatch(/efs-node-identity render /);
      }
    }
  });
});

describe('render: the key lines', () => {
  const file = (files: RenderedFile[], p: string) => {
    const found = files.find((f) => f.path === p);
    if (!found) throw new Error(`no ${p} in ${files.map((f) => f.path).join(', ')}`);
    return found.content;
  };

  it('json: the Allow statement, the trust actions and the scoped permissions', () => {
    const files = render('pod-identity', 'json');
    const statement = JSON.parse(file(files, `policies/file-system-${FS_A}.statement.json`));
    expect(statement.Statement).toEqual([
      {
        Sid: 'EfsCsiNode-prod-eks',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/prod-eks-efs-csi-node` },
        Action: ['elasticfilesystem:ClientMount', 'elasticfilesystem:ClientWrite'],
        Resource: `arn:aws:elasticfilesystem:eu-west-1:${ACCOUNT}:file-system/${FS_A}`,
        Condition: { Bool: { 'elasticfilesystem:AccessedViaMountTarget': 'true' } },
      },
    ]);
    const trust = JSON.parse(file(files, 'policies/prod-eks-efs-csi-node.trust.json'));
    expect(trust.Statement[0]).toMatchObject({
      Principal: { Service: 'pods.eks.amazonaws.com' },
      Action: ['sts:AssumeRole', 'sts:TagSession'],
    });
    const permissions = JSON.parse(file(files, 'policies/prod-eks-efs-csi-node.permissions.json'));
    expect(permissions.Statement).toEqual([
      expect.objectContaining({
        Action: ['elasticfilesystem:ClientMount'],
        Resource: [`arn:aws:elasticfilesystem:eu-west-1:${ACCOUNT}:file-system/${FS_B}`],
      }),
      expect.objectContaining({
        Action: ['elasticfilesystem:ClientMount', 'elasticfilesystem:ClientWrite'],
        Resource: [`arn:aws:elasticfilesystem:eu-west-1:${ACCOUNT}:file-system/${FS_A}`],
      }),
    ]);
    for (const f of files) expect(f.content).not.toMatch(/"\*"|:\*"/);
    expect(file(files, 'policies/README.md')).toMatch(/replaces all of it/);
  });

  it('json s3files: the scoped S3 Files permissions with the direct reads, and nothing to fix on check', async () => {
    const S3 = 'fs-0a1b2c3d4e5f6a7b8c9d0';
    const s3Spec = parseDesiredSpec({
      cluster: 'prod-eks',
      region: 'eu-west-1',
      fileSystems: [{ id: S3, type: 's3files', bucket: 'arn:aws:s3:::media-archive', prefix: 'published/' }],
    });
    const files = renderArtifacts(s3Spec, { format: 'json', accountId: ACCOUNT });
    const permissions = JSON.parse(file(files, 'policies/prod-eks-efs-csi-node.permissions.json'));
    expect(permissions.Statement).toEqual([
      expect.objectContaining({
        Action: ['s3files:ClientMount', 's3files:ClientWrite'],
        Resource: [`arn:aws:s3files:eu-west-1:${ACCOUNT}:file-system/${S3}`],
      }),
      expect.objectContaining({
        Action: ['s3:GetObject'],
        Resource: ['arn:aws:s3:::media-archive/published/*'],
      }),
      expect.objectContaining({ Action: ['s3:ListBucket'], Resource: ['arn:aws:s3:::media-archive'] }),
    ]);
    for (const f of files) expect(f.content).not.toMatch(/"\*"|:\*"/);
    expect(notInfo(await check([writeTree(files)]))).toEqual([]);
  });

  it('json irsa: the exact sub and aud, and a marked placeholder without the issuer', () => {
    const trust = JSON.parse(file(render('irsa', 'json'), 'policies/prod-eks-efs-csi-node.trust.json'));
    expect(trust.Statement[0]).toEqual({
      Sid: 'EksIrsa',
      Effect: 'Allow',
      Principal: { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/${ISSUER.slice(8)}` },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: {
        StringEquals: {
          [`${ISSUER.slice(8)}:sub`]: 'system:serviceaccount:kube-system:efs-csi-node-sa',
          [`${ISSUER.slice(8)}:aud`]: 'sts.amazonaws.com',
        },
      },
    });
    const files = renderArtifacts(SPECS.irsa, { format: 'json', accountId: ACCOUNT });
    expect(file(files, 'policies/prod-eks-efs-csi-node.trust.json')).toContain(
      'REPLACE-WITH-OIDC-PROVIDER-ID',
    );
    expect(file(files, 'policies/README.md')).toMatch(/--oidc-issuer/);
  });

  it('terraform: role, inline policy, association; the file system policy only as a merge note', () => {
    const tf = file(render('pod-identity', 'terraform'), 'terraform/efs_csi_node.tf');
    expect(tf).toContain('resource "aws_iam_role" "efs_csi_node" {');
    expect(tf).toMatch(/Action = \["sts:AssumeRole", "sts:TagSession"\]/);
    expect(tf).toContain('resource "aws_eks_pod_identity_association" "efs_csi_node" {');
    expect(tf).toContain('role_arn        = aws_iam_role.efs_csi_node.arn');
    expect(tf).not.toMatch(/^resource "aws_efs_file_system_policy"/m);
    expect(tf).toMatch(/# .*aws_efs_file_system_policy replaces the whole policy/);
    expect(tf).toMatch(/#\s+"Sid": "EfsCsiNode-prod-eks"/);
    expect(tf).toContain(`account_id = "${ACCOUNT}"`);
    // Without the account: a variable, not a guess.
    const unknownAccount = renderArtifacts(SPECS['pod-identity'], { format: 'terraform' })[0].content;
    expect(unknownAccount).toContain('variable "account_id" {');
    expect(unknownAccount).toContain('${local.account_id}');
    expect(unknownAccount).not.toContain('000000000000');
  });

  it('terraform irsa: the annotated ServiceAccount, the issuer as a variable when unknown', () => {
    const tf = file(render('irsa', 'terraform'), 'terraform/efs_csi_node.tf');
    expect(tf).toContain('resource "kubernetes_service_account_v1" "efs_csi_node" {');
    expect(tf).toContain(
      '"${local.oidc_provider}:sub" = "system:serviceaccount:kube-system:efs-csi-node-sa"',
    );
    const unknownIssuer = renderArtifacts(SPECS.irsa, { format: 'terraform', accountId: ACCOUNT })[0].content;
    expect(unknownIssuer).toContain('variable "oidc_issuer" {');
    expect(unknownIssuer).not.toContain('0000dead');
  });

  it('cloudformation: short-form intrinsics, the role, its policy and the association', () => {
    const cfn = file(render('cross-account', 'cloudformation'), 'cloudformation/efs-csi-node-identity.yaml');
    expect(cfn).toContain('Type: "AWS::EKS::PodIdentityAssociation"');
    expect(cfn).toContain('RoleArn: !GetAtt NodeRole.Arn');
    expect(cfn).toContain(`TargetRoleArn: "${TARGET}"`);
    expect(cfn).toContain('RoleName: !Ref NodeRole');
    expect(cfn).toMatch(/- "sts:AssumeRole"\n\s+- "sts:TagSession"/);
    const noAccount = renderArtifacts(SPECS['pod-identity'], { format: 'cloudformation' })[0].content;
    expect(noAccount).toContain('!Sub "arn:aws:elasticfilesystem:eu-west-1:${AWS::AccountId}:file-system/');
  });

  it('kubernetes: the ServiceAccount and a StorageClass per file system with tls and iam', () => {
    const k8s = file(render('irsa', 'kubernetes'), 'kubernetes/efs-csi-node-identity.yaml');
    expect(k8s).toContain(`eks.amazonaws.com/role-arn: "arn:aws:iam::${ACCOUNT}:role/prod-eks-efs-csi-node"`);
    expect(k8s).toMatch(/mountOptions:\n {2}- tls\n {2}- iam\n/);
    expect(k8s).toContain('provisioningMode: efs-ap');
    expect(k8s).toContain(`fileSystemId: "${FS_A}"`);
    expect(k8s).not.toContain('crossaccount');
  });

  it('refuses what it cannot render without guessing', () => {
    expect(() => renderArtifacts(SPECS['pod-identity'], { format: 'json' })).toThrow(/--account-id/);
    expect(() => renderArtifacts(SPECS.irsa, { format: 'kubernetes' })).toThrow(/--account-id/);
    expect(() => renderArtifacts(SPECS.irsa, { format: 'json', accountId: '12' })).toThrow(RenderError);
    expect(() =>
      renderArtifacts(SPECS.irsa, { format: 'json', accountId: ACCOUNT, oidcIssuer: 'https://evil"/*' }),
    ).toThrow(RenderError);
  });
});

it('refuses a spec that did not go through the parser', () => {
  const hostile = {
    cluster: 'x"*',
    region: 'eu-west-1',
    fileSystems: [{ id: '*' }],
  } as unknown as DesiredSpec;
  expect(() => renderArtifacts(hostile, { format: 'json', accountId: ACCOUNT })).toThrow(RenderError);
  const unparsed = {
    cluster: 'x',
    region: 'eu-west-1',
    fileSystems: [{ id: FS_A }],
  } as unknown as DesiredSpec;
  expect(() => renderArtifacts(unparsed, { format: 'json', accountId: ACCOUNT })).toThrow(/parseDesiredSpec/);
});
