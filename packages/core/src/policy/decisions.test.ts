import { fileOrigin } from '../model/origin';
import { unknown } from '../model/unknown';
import {
  decideClientAccess,
  decideTrust,
  mountContext,
  podIdentityContext,
  webIdentityContext,
  type ClientAccessQuestion,
} from './decisions';
import { evaluateCondition } from './evaluate';
import { normalizePolicy } from './normalize';

const FS = 'arn:aws:elasticfilesystem:eu-west-1:210987654321:file-system/fs-0d2c4b6a8e1f3a5b7';
const ROLE = 'arn:aws:iam::210987654321:role/efs-csi-node';
const OTHER_ACCOUNT_ROLE = 'arn:aws:iam::111111111111:role/efs-csi-node';
const policy = (statements: unknown[]) =>
  normalizePolicy({ Version: '2012-10-17', Statement: statements }, fileOrigin('p.json'));
const allowRole = (role = ROLE, extra: object = {}) => ({
  Effect: 'Allow',
  Principal: { AWS: role },
  Action: 'elasticfilesystem:Client*',
  Resource: FS,
  ...extra,
});
const denyInsecure = {
  Sid: 'DenyInsecure',
  Effect: 'Deny',
  Principal: '*',
  Action: '*',
  Resource: FS,
  Condition: { Bool: { 'aws:SecureTransport': 'false' } },
};
const identityAllow = policy([
  {
    Effect: 'Allow',
    Action: ['elasticfilesystem:ClientMount', 'elasticfilesystem:ClientWrite'],
    Resource: FS,
  },
]);

function ask(overrides: Partial<ClientAccessQuestion>) {
  const principal = { kind: 'aws' as const, arn: ROLE };
  return decideClientAccess({
    principal,
    action: 'elasticfilesystem:ClientMount',
    fileSystemArn: FS,
    identityPolicies: [],
    fileSystemPolicy: null,
    context: mountContext({ tls: true, iam: true }, principal),
    semantics: 'strict',
    ...overrides,
  }).decision;
}

describe('EFS client decisions', () => {
  it('grants every client full access when the file system has no policy', () => {
    expect(ask({ fileSystemPolicy: null })).toBe('allow');
    expect(ask({ principal: { kind: 'anonymous' }, fileSystemPolicy: null })).toBe('allow');
  });

  it('needs an explicit Allow in the file system policy under strict semantics, even with an identity Allow', () => {
    expect(
      ask({
        fileSystemPolicy: policy([denyInsecure]),
        identityPolicies: [{ name: 'id', document: identityAllow }],
      }),
    ).toBe('implicitDeny');
    expect(ask({ fileSystemPolicy: policy([allowRole(), denyInsecure]) })).toBe('allow');
  });

  it('accepts an Allow in either policy for the same account under documented semantics', () => {
    expect(
      ask({
        semantics: 'documented',
        fileSystemPolicy: policy([denyInsecure]),
        identityPolicies: [{ name: 'id', document: identityAllow }],
      }),
    ).toBe('allow');
  });

  it('lets an explicit Deny win over every Allow', () => {
    const principal = { kind: 'aws' as const, arn: ROLE };
    expect(
      ask({
        fileSystemPolicy: policy([allowRole(), denyInsecure]),
        context: mountContext({ tls: false, iam: true }, principal),
      }),
    ).toBe('explicitDeny');
  });

  it('needs both policies across accounts', () => {
    const principal = { kind: 'aws' as const, arn: OTHER_ACCOUNT_ROLE };
    const context = mountContext({ tls: true, iam: true }, principal);
    const fsPolicy = policy([allowRole(OTHER_ACCOUNT_ROLE)]);
    expect(ask({ principal, context, fileSystemPolicy: fsPolicy, semantics: 'documented' })).toBe(
      'implicitDeny',
    );
    expect(
      ask({
        principal,
        context,
        fileSystemPolicy: fsPolicy,
        identityPolicies: [{ name: 'id', document: identityAllow }],
      }),
    ).toBe('allow');
  });

  it('treats a mount without iam as anonymous: only Principal "*" Allows apply', () => {
    const anonymous = { kind: 'anonymous' as const };
    const context = mountContext({ tls: true, iam: false });
    expect(ask({ principal: anonymous, context, fileSystemPolicy: policy([allowRole()]) })).toBe(
      'implicitDeny',
    );
    expect(
      ask({ principal: anonymous, context, fileSystemPolicy: policy([{ ...allowRole(), Principal: '*' }]) }),
    ).toBe('allow');
    // The accepted Principal "*" + aws:PrincipalArn form does not admit anonymous clients in our evaluation.
    const arnLike = { ...allowRole(), Principal: '*', Condition: { ArnLike: { 'aws:PrincipalArn': ROLE } } };
    expect(ask({ principal: anonymous, context, fileSystemPolicy: policy([arnLike]) })).toBe('implicitDeny');
    expect(ask({ fileSystemPolicy: policy([arnLike]) })).toBe('allow');
  });

  it('honours NotAction, NotPrincipal and NotResource', () => {
    expect(
      ask({
        fileSystemPolicy: policy([
          { ...allowRole(), Action: undefined, NotAction: 'elasticfilesystem:ClientRootAccess' },
        ]),
      }),
    ).toBe('allow');
    expect(
      ask({
        action: 'elasticfilesystem:ClientRootAccess',
        fileSystemPolicy: policy([
          { ...allowRole(), Action: undefined, NotAction: 'elasticfilesystem:ClientRootAccess' },
        ]),
      }),
    ).toBe('implicitDeny');
    const denyOthers = { Effect: 'Deny', NotPrincipal: { AWS: ROLE }, Action: '*', Resource: FS };
    expect(ask({ fileSystemPolicy: policy([allowRole(), denyOthers]) })).toBe('allow');
    const principal = { kind: 'aws' as const, arn: 'arn:aws:iam::210987654321:role/other' };
    expect(
      ask({
        principal,
        context: mountContext({ tls: true, iam: true }, principal),
        fileSystemPolicy: policy([allowRole('*'), denyOthers]),
      }),
    ).toBe('explicitDeny');
    expect(
      ask({ fileSystemPolicy: policy([{ ...allowRole(), Resource: undefined, NotResource: FS }]) }),
    ).toBe('implicitDeny');
  });

  it('limits every grant to what a session policy allows, and lets its Deny win', () => {
    const mountOnly = {
      name: 'session policy',
      document: policy([{ Effect: 'Allow', Action: 'elasticfilesystem:ClientMount', Resource: FS }]),
    };
    const withPolicy = {
      fileSystemPolicy: policy([allowRole()]),
      identityPolicies: [{ name: 'i', document: identityAllow }],
    };
    expect(ask({ ...withPolicy, sessionPolicy: mountOnly })).toBe('allow');
    expect(ask({ ...withPolicy, sessionPolicy: mountOnly, action: 'elasticfilesystem:ClientWrite' })).toBe(
      'implicitDeny',
    );
    // The file system policy alone grants the role; the session policy still caps it.
    expect(
      ask({
        fileSystemPolicy: policy([allowRole()]),
        sessionPolicy: mountOnly,
        action: 'elasticfilesystem:ClientWrite',
      }),
    ).toBe('implicitDeny');
    // Across accounts too.
    expect(
      ask({
        principal: { kind: 'aws', arn: OTHER_ACCOUNT_ROLE },
        fileSystemPolicy: policy([allowRole(OTHER_ACCOUNT_ROLE)]),
        identityPolicies: [{ name: 'i', document: identityAllow }],
        sessionPolicy: mountOnly,
        action: 'elasticfilesystem:ClientWrite',
      }),
    ).toBe('implicitDeny');
    const denyAll = {
      name: 'session policy',
      document: policy([{ Effect: 'Deny', Action: 'elasticfilesystem:*', Resource: '*' }]),
    };
    expect(ask({ fileSystemPolicy: null, sessionPolicy: denyAll })).toBe('explicitDeny');
    // Without a file system policy only the session policy's Deny limits the default grant.
    expect(
      ask({ fileSystemPolicy: null, sessionPolicy: mountOnly, action: 'elasticfilesystem:ClientWrite' }),
    ).toBe('allow');
    // A mount without iam is anonymous: no session is involved.
    expect(
      ask({
        principal: { kind: 'anonymous' },
        fileSystemPolicy: policy([allowRole('*')]),
        sessionPolicy: denyAll,
      }),
    ).toBe('allow');
  });

  it('says unknown when a value the decision depends on is unknown', () => {
    const document = policy([allowRole()]);
    document.statements[0].principal = { AWS: [unknown('aws_iam_role.node.arn (known after apply)')] };
    expect(ask({ fileSystemPolicy: document })).toBe('unknown');
  });

  it('traces which statement decides', () => {
    const principal = { kind: 'aws' as const, arn: ROLE };
    const result = decideClientAccess({
      principal,
      action: 'elasticfilesystem:ClientMount',
      fileSystemArn: FS,
      identityPolicies: [],
      fileSystemPolicy: policy([allowRole(), denyInsecure]),
      context: mountContext({ tls: false, iam: true }, principal),
      semantics: 'strict',
    });
    expect(result.trace).toContainEqual(
      expect.objectContaining({
        outcome: 'deny',
        sid: 'DenyInsecure',
        message: expect.stringMatching(/aws:SecureTransport: "false" matches false/),
      }),
    );
  });
});

describe('S3 Files client decisions', () => {
  const S3FS = 'arn:aws:s3files:eu-west-1:210987654321:file-system/fs-0123456789abcdef0123';
  const AP = `${S3FS}/access-point/fsap-0123456789abcdef0123`;
  const principal = { kind: 'aws' as const, arn: ROLE };
  const s3Identity = policy([
    { Effect: 'Allow', Action: ['s3files:ClientMount', 's3files:ClientWrite'], Resource: S3FS },
  ]);
  const allowInFsPolicy = {
    Effect: 'Allow',
    Principal: { AWS: ROLE },
    Action: ['s3files:ClientMount', 's3files:ClientWrite'],
    Resource: S3FS,
  };
  const s3 = (overrides: Partial<ClientAccessQuestion>) =>
    decideClientAccess({
      principal,
      action: 's3files:ClientMount',
      fileSystemArn: S3FS,
      identityPolicies: [],
      fileSystemPolicy: null,
      context: mountContext({ tls: true, iam: true }, principal),
      semantics: 'strict',
      ...overrides,
    });

  it('accepts an Allow in the identity policy alone, whatever the EFS semantics setting', () => {
    const result = s3({
      identityPolicies: [{ name: 'id', document: s3Identity }],
      fileSystemPolicy: policy([{ ...allowInFsPolicy, Principal: { AWS: OTHER_ACCOUNT_ROLE } }]),
    });
    expect(result.decision).toBe('allow');
    expect(result.trace.at(-1)?.message).toContain(
      'S3 Files: an Allow in the identity policy or the file system policy',
    );
  });

  it('accepts an Allow in the file system policy alone', () => {
    expect(s3({ fileSystemPolicy: policy([allowInFsPolicy]) }).decision).toBe('allow');
  });

  it('has no open default: without a file system policy only the identity policies allow', () => {
    const result = s3({ fileSystemPolicy: null });
    expect(result.decision).toBe('implicitDeny');
    expect(result.trace.some((t) => t.message.includes('the S3 file system has no policy'))).toBe(true);
    expect(s3({ identityPolicies: [{ name: 'id', document: s3Identity }] }).decision).toBe('allow');
  });

  it('lets an explicit Deny in either policy win over an Allow in the other', () => {
    const denyThroughOtherAccessPoints = {
      Sid: 'OnlyThroughTeamAccessPoint',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3files:ClientMount',
      Resource: S3FS,
      Condition: { StringNotEquals: { 's3files:AccessPointArn': AP } },
    };
    const identity = [{ name: 'id', document: s3Identity }];
    expect(
      s3({ identityPolicies: identity, fileSystemPolicy: policy([denyThroughOtherAccessPoints]) }).decision,
    ).toBe('explicitDeny');
    expect(
      s3({
        identityPolicies: identity,
        fileSystemPolicy: policy([denyThroughOtherAccessPoints]),
        context: mountContext({ tls: true, iam: true, accessPointArn: AP }, principal),
      }).decision,
    ).toBe('allow');
    const identityDeny = policy([{ Effect: 'Deny', Action: 's3files:*', Resource: '*' }]);
    expect(
      s3({
        identityPolicies: [{ name: 'deny', document: identityDeny }],
        fileSystemPolicy: policy([allowInFsPolicy]),
      }).decision,
    ).toBe('explicitDeny');
  });

  it('does not count EFS client permissions for an S3 file system', () => {
    expect(s3({ identityPolicies: [{ name: 'efs', document: identityAllow }] }).decision).toBe(
      'implicitDeny',
    );
    const efsWildcard = policy([{ Effect: 'Allow', Action: 'elasticfilesystem:Client*', Resource: '*' }]);
    expect(s3({ identityPolicies: [{ name: 'efs', document: efsWildcard }] }).decision).toBe('implicitDeny');
  });
});

describe('conditions', () => {
  const entry = (operator: string, key: string, values: string[]) => ({ operator, key, values });
  it('evaluates IfExists, Null and the negated operators on absent keys', () => {
    expect(evaluateCondition(entry('StringEqualsIfExists', 'aws:SourceVpc', ['vpc-1']), {}).match).toBe(true);
    expect(evaluateCondition(entry('StringEquals', 'aws:SourceVpc', ['vpc-1']), {}).match).toBe(false);
    expect(evaluateCondition(entry('StringNotEquals', 'aws:SourceVpc', ['vpc-1']), {}).match).toBe(true);
    expect(evaluateCondition(entry('Null', 'aws:SourceVpc', ['true']), {}).match).toBe(true);
    expect(
      evaluateCondition(entry('Null', 'aws:SourceVpc', ['false']), { 'aws:sourcevpc': 'vpc-1' }).match,
    ).toBe(true);
  });

  it('evaluates ForAnyValue and ForAllValues over multi-valued keys', () => {
    const context = { 'aws:tagkeys': ['a', 'b'] };
    expect(
      evaluateCondition(entry('ForAnyValue:StringEquals', 'aws:TagKeys', ['b', 'z']), context).match,
    ).toBe(true);
    expect(
      evaluateCondition(entry('ForAllValues:StringEquals', 'aws:TagKeys', ['b', 'z']), context).match,
    ).toBe(false);
    expect(
      evaluateCondition(entry('ForAllValues:StringEquals', 'aws:TagKeys', ['a', 'b', 'c']), context).match,
    ).toBe(true);
    expect(evaluateCondition(entry('ForAllValues:StringEquals', 'aws:TagKeys', ['a']), {}).match).toBe(true);
  });

  it('matches ArnLike per field and StringLike with wildcards', () => {
    expect(
      evaluateCondition(entry('ArnLike', 'aws:PrincipalArn', ['arn:aws:iam::*:role/efs-*']), {
        'aws:principalarn': ROLE,
      }).match,
    ).toBe(true);
    expect(
      evaluateCondition(entry('StringLike', 'k', ['system:serviceaccount:kube-system:efs-csi-*']), {
        k: 'system:serviceaccount:kube-system:efs-csi-node-sa',
      }).match,
    ).toBe(true);
    expect(
      evaluateCondition(entry('StringEquals', 'k', ['system:serviceaccount:kube-system:efs-csi-*']), {
        k: 'system:serviceaccount:kube-system:efs-csi-node-sa',
      }).match,
    ).toBe(false);
  });

  it('does not guess an operator it does not know', () => {
    expect(
      evaluateCondition(entry('DateGreaterThan', 'aws:CurrentTime', ['2020-01-01T00:00:00Z']), {}).match,
    ).toBe('unknown');
  });
});

describe('trust decisions', () => {
  it('needs both AssumeRole and TagSession for Pod Identity', () => {
    const context = podIdentityContext({
      namespace: 'kube-system',
      serviceAccount: 'efs-csi-node-sa',
      sessionTags: true,
    });
    const both = policy([
      {
        Effect: 'Allow',
        Principal: { Service: 'pods.eks.amazonaws.com' },
        Action: ['sts:AssumeRole', 'sts:TagSession'],
      },
    ]);
    const one = policy([
      { Effect: 'Allow', Principal: { Service: 'pods.eks.amazonaws.com' }, Action: 'sts:AssumeRole' },
    ]);
    const question = {
      principal: { kind: 'service' as const, service: 'pods.eks.amazonaws.com' },
      actions: ['sts:AssumeRole', 'sts:TagSession'],
      context,
    };
    expect(decideTrust({ ...question, trustPolicy: both }).decision).toBe('allow');
    const partial = decideTrust({ ...question, trustPolicy: one });
    expect(partial.decision).toBe('implicitDeny');
    expect(partial.perAction).toEqual({ 'sts:AssumeRole': 'allow', 'sts:TagSession': 'implicitDeny' });
  });

  it('matches session tags in trust conditions', () => {
    const trust = policy([
      {
        Effect: 'Allow',
        Principal: { Service: 'pods.eks.amazonaws.com' },
        Action: ['sts:AssumeRole', 'sts:TagSession'],
        Condition: { StringEquals: { 'aws:RequestTag/kubernetes-service-account': 'efs-csi-node-sa' } },
      },
    ]);
    const question = (serviceAccount: string, sessionTags = true) => ({
      trustPolicy: trust,
      principal: { kind: 'service' as const, service: 'pods.eks.amazonaws.com' },
      actions: ['sts:AssumeRole', 'sts:TagSession'],
      context: podIdentityContext({ namespace: 'kube-system', serviceAccount, sessionTags }),
    });
    expect(decideTrust(question('efs-csi-node-sa')).decision).toBe('allow');
    expect(decideTrust(question('efs-csi-controller-sa')).decision).toBe('implicitDeny');
    expect(decideTrust(question('efs-csi-node-sa', false)).decision).toBe('implicitDeny');
  });

  it('checks the web identity sub and aud', () => {
    const issuer = 'oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789';
    const provider = `arn:aws:iam::210987654321:oidc-provider/${issuer}`;
    const trust = policy([
      {
        Effect: 'Allow',
        Principal: { Federated: provider },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: {
          StringEquals: {
            [`${issuer}:sub`]: 'system:serviceaccount:kube-system:efs-csi-node-sa',
            [`${issuer}:aud`]: 'sts.amazonaws.com',
          },
        },
      },
    ]);
    const question = (sa: string) => ({
      trustPolicy: trust,
      principal: { kind: 'federated' as const, provider },
      actions: ['sts:AssumeRoleWithWebIdentity'],
      context: webIdentityContext(`https://${issuer}`, 'kube-system', sa),
    });
    expect(decideTrust(question('efs-csi-node-sa')).decision).toBe('allow');
    expect(decideTrust(question('default')).decision).toBe('implicitDeny');
  });
});
