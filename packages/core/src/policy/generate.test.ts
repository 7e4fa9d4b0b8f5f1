import fc from 'fast-check';
import { fileOrigin } from '../model/origin';
import { decideClientAccess, mountContext } from './decisions';
import { evaluatePolicy } from './evaluate';
import {
  fileSystemAllowStatement,
  InvalidPolicyInputError,
  irsaTrustPolicy,
  nodePermissionsPolicy,
  podIdentityTrustPolicy,
} from './generate';
import { normalizePolicy } from './normalize';

const FS = 'arn:aws:elasticfilesystem:eu-west-1:210987654321:file-system/fs-0d2c4b6a8e1f3a5b7';
const ROLE = 'arn:aws:iam::210987654321:role/efs-csi-node';

describe('policy generators', () => {
  it('write the Allow statement of Semantics 3, which the evaluator accepts for the role only', () => {
    const statement = fileSystemAllowStatement({
      cluster: 'prod',
      roleArn: ROLE,
      fileSystemArn: FS,
      access: 'write',
    });
    expect(statement).toEqual({
      Sid: 'EfsCsiNode-prod',
      Effect: 'Allow',
      Principal: { AWS: ROLE },
      Action: ['elasticfilesystem:ClientMount', 'elasticfilesystem:ClientWrite'],
      Resource: FS,
      Condition: { Bool: { 'elasticfilesystem:AccessedViaMountTarget': 'true' } },
    });
    const fileSystemPolicy = normalizePolicy(
      { Version: '2012-10-17', Statement: [statement] },
      fileOrigin('generated'),
    );
    const decide = (arn: string) =>
      decideClientAccess({
        principal: { kind: 'aws', arn },
        action: 'elasticfilesystem:ClientMount',
        fileSystemArn: FS,
        identityPolicies: [],
        fileSystemPolicy,
        context: mountContext({ tls: true, iam: true }, { arn }),
        semantics: 'strict',
      }).decision;
    expect(decide(ROLE)).toBe('allow');
    expect(decide('arn:aws:iam::210987654321:role/someone-else')).toBe('implicitDeny');
  });

  it('grant ClientRootAccess only when asked', () => {
    expect(nodePermissionsPolicy({ fileSystemArns: [FS], access: 'read' }).Statement[0].Action).toEqual([
      'elasticfilesystem:ClientMount',
    ]);
    expect(nodePermissionsPolicy({ fileSystemArns: [FS], access: 'root' }).Statement[0].Action).toContain(
      'elasticfilesystem:ClientRootAccess',
    );
  });

  it('write trust policies for Pod Identity and IRSA with no wildcard', () => {
    const pod = podIdentityTrustPolicy({ accountId: '210987654321' });
    expect(pod.Statement[0].Action).toEqual(['sts:AssumeRole', 'sts:TagSession']);
    const irsa = irsaTrustPolicy({
      oidcProviderArn:
        'arn:aws:iam::210987654321:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789',
      namespace: 'kube-system',
      serviceAccount: 'efs-csi-node-sa',
    });
    expect(JSON.stringify(irsa)).not.toContain('*');
    expect(JSON.stringify(irsa)).not.toContain('https://');
  });

  it('refuse input that is not what it claims to be, before it reaches a document', () => {
    expect(() =>
      fileSystemAllowStatement({ cluster: 'prod', roleArn: '*', fileSystemArn: FS, access: 'write' }),
    ).toThrow(InvalidPolicyInputError);
    expect(() =>
      fileSystemAllowStatement({
        cluster: 'prod',
        roleArn: ROLE,
        fileSystemArn: 'arn:aws:elasticfilesystem:eu-west-1:210987654321:file-system/*',
        access: 'write',
      }),
    ).toThrow(InvalidPolicyInputError);
    expect(() =>
      fileSystemAllowStatement({ cluster: 'a"}', roleArn: ROLE, fileSystemArn: FS, access: 'write' }),
    ).toThrow(InvalidPolicyInputError);
    expect(() => nodePermissionsPolicy({ fileSystemArns: [], access: 'read' })).toThrow(
      InvalidPolicyInputError,
    );
    expect(() =>
      irsaTrustPolicy({
        oidcProviderArn: 'arn:aws:iam::1:oidc-provider/*',
        namespace: 'kube-system',
        serviceAccount: 'x',
      }),
    ).toThrow(InvalidPolicyInputError);
  });

  it('never emit a wildcard resource or principal, whatever strings they are given', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.string(), (cluster, role, fs) => {
        try {
          const statement = fileSystemAllowStatement({
            cluster,
            roleArn: role,
            fileSystemArn: fs,
            access: 'root',
          });
          const text = JSON.stringify([statement.Principal, statement.Resource]);
          return !text.includes('*');
        } catch (error) {
          return error instanceof InvalidPolicyInputError;
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('the scoped S3 Files node policy', () => {
  const S3FS = 'arn:aws:s3files:eu-west-1:210987654321:file-system/fs-0a1b2c3d4e5f6a7b8c9d0';
  const BUCKET = 'arn:aws:s3:::media-archive';
  const generated = nodePermissionsPolicy({
    fileSystemArns: [S3FS],
    access: 'write',
    linkedBuckets: [{ bucket: BUCKET, prefix: 'published/' }],
  });
  const document = normalizePolicy(generated, fileOrigin('generated'));
  const principal = { kind: 'aws' as const, arn: ROLE };
  const allows = (action: string, resource: string) =>
    evaluatePolicy(
      document,
      { principal, action, resource, context: mountContext({ tls: true, iam: true }, { arn: ROLE }) },
      { name: 'generated', hasPrincipals: false },
    ).allows;

  it('replaces the two broad managed policies with the file system ARN and the linked bucket', () => {
    expect(generated.Statement).toEqual([
      {
        Sid: 'S3FilesClientAccess',
        Effect: 'Allow',
        Action: ['s3files:ClientMount', 's3files:ClientWrite'],
        Resource: [S3FS],
      },
      {
        Sid: 'S3FilesDirectRead',
        Effect: 'Allow',
        Action: ['s3:GetObject'],
        Resource: [`${BUCKET}/published/*`],
      },
      { Sid: 'S3FilesDirectReadList', Effect: 'Allow', Action: ['s3:ListBucket'], Resource: [BUCKET] },
    ]);
    // Through the evaluator, with the same S3 Files decision the rules use.
    const decision = decideClientAccess({
      principal,
      action: 's3files:ClientWrite',
      fileSystemArn: S3FS,
      identityPolicies: [{ name: 'generated', document }],
      fileSystemPolicy: null,
      context: mountContext({ tls: true, iam: true }, { arn: ROLE }),
      semantics: 'strict',
    });
    expect(decision.decision).toBe('allow');
  });

  it('grants nothing outside the named file system and bucket (checked with the evaluator)', () => {
    const actions = [
      's3files:ClientMount',
      's3files:ClientWrite',
      's3files:ClientRootAccess',
      'elasticfilesystem:ClientMount',
      's3:GetObject',
      's3:ListBucket',
      's3:PutObject',
      's3:DeleteObject',
      's3:GetObjectVersion',
      's3:ListAllMyBuckets',
    ];
    const resources = [
      S3FS,
      'arn:aws:s3files:eu-west-1:210987654321:file-system/fs-0a1b2c3d4e5f6a7b8c9d1',
      'arn:aws:s3files:eu-west-2:210987654321:file-system/fs-0a1b2c3d4e5f6a7b8c9d0',
      'arn:aws:s3files:eu-west-1:111111111111:file-system/fs-0a1b2c3d4e5f6a7b8c9d0',
      FS,
      BUCKET,
      `${BUCKET}/published/2026/cover.jpg`,
      `${BUCKET}/drafts/cover.jpg`,
      `${BUCKET}-backup`,
      `${BUCKET}-backup/published/cover.jpg`,
      'arn:aws:s3:::other-bucket/published/cover.jpg',
      '*',
    ];
    const expected = new Set([
      `s3files:ClientMount ${S3FS}`,
      `s3files:ClientWrite ${S3FS}`,
      `s3:GetObject ${BUCKET}/published/2026/cover.jpg`,
      `s3:ListBucket ${BUCKET}`,
    ]);
    const granted = actions.flatMap((a) =>
      resources.filter((r) => allows(a, r) !== false).map((r) => `${a} ${r}`),
    );
    expect(new Set(granted)).toEqual(expected);
    fc.assert(
      fc.property(fc.constantFrom(...actions), fc.string(), (action, key) => {
        const objectArn = `arn:aws:s3:::elsewhere/${key}`;
        return allows(action, objectArn) === false;
      }),
      { numRuns: 300 },
    );
  });

  it('accepts a bucket name and no prefix: the whole bucket, still one bucket', () => {
    const policy = nodePermissionsPolicy({
      fileSystemArns: [S3FS],
      access: 'read',
      linkedBuckets: [{ bucket: 'media-archive' }],
    });
    expect(policy.Statement.map((s) => [s.Action, s.Resource])).toEqual([
      [['s3files:ClientMount'], [S3FS]],
      [['s3:GetObject'], [`${BUCKET}/*`]],
      [['s3:ListBucket'], [BUCKET]],
    ]);
  });

  it('refuses buckets and prefixes that would widen the grant, and buckets without an S3 file system', () => {
    for (const bucket of ['*', 'arn:aws:s3:::*', 'arn:aws:s3:::media-*', 'media/archive', 'Media', '']) {
      expect(() =>
        nodePermissionsPolicy({ fileSystemArns: [S3FS], access: 'read', linkedBuckets: [{ bucket }] }),
      ).toThrow(InvalidPolicyInputError);
    }
    for (const prefix of ['*', 'published/*', 'a?b', 'x\u0000y', 'k'.repeat(1025)]) {
      expect(() =>
        nodePermissionsPolicy({
          fileSystemArns: [S3FS],
          access: 'read',
          linkedBuckets: [{ bucket: BUCKET, prefix }],
        }),
      ).toThrow(InvalidPolicyInputError);
    }
    expect(() =>
      nodePermissionsPolicy({ fileSystemArns: [FS], access: 'read', linkedBuckets: [{ bucket: BUCKET }] }),
    ).toThrow(/linked buckets belong to S3 file systems/);
  });

  it('never writes a "*" resource or a wildcard bucket, whatever strings it is given', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (bucket, prefix) => {
        try {
          const policy = nodePermissionsPolicy({
            fileSystemArns: [S3FS],
            access: 'root',
            linkedBuckets: [{ bucket, prefix }],
          });
          const resources = policy.Statement.flatMap((s) =>
            Array.isArray(s.Resource) ? s.Resource : [s.Resource],
          );
          return resources.every((r) => r !== '*' && r !== undefined && !/^arn:aws:s3:::[^/]*[*?]/.test(r));
        } catch (error) {
          return error instanceof InvalidPolicyInputError;
        }
      }),
      { numRuns: 500 },
    );
  });
});
