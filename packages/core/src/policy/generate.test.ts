import fc from 'fast-check';
import { fileOrigin } from '../model/origin';
import { decideClientAccess, mountContext } from './decisions';
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
