import { checkFixture, only } from './testing';
import {
  checkLive,
  crossAccountProvisioning,
  EFS_ACCOUNT,
  fsArn,
  livePolicy,
  XACCOUNT_ROLE,
  XFS_ID,
} from './network-testing';

describe('XA-04', () => {
  it('flags a cross-account role that may describe but not create or delete access points', async () => {
    const findings = only(await checkFixture('XA-04/fires'), 'XA-04');
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      severity: 'error',
      resource: 'arn:aws:iam::444455556666:role/EFSCrossAccountAccessRole',
      origin: { file: 'iam.yaml', line: 24 },
    });
    expect(findings[0].message).toMatch(
      /not allowed elasticfilesystem:CreateAccessPoint, elasticfilesystem:DeleteAccessPoint on arn:aws:elasticfilesystem:eu-west-1:444455556666:file-system\/fs-07e1a2b3c4d5e6f70/,
    );
  });

  it("accepts the driver's cross-account example policy (tag conditions included)", async () => {
    expect(only(await checkFixture('XA-04/passes'), 'XA-04')).toEqual([]);
  });
});

describe('XA-04 on live input', () => {
  it('flags a cross-account role that may only describe mount targets', () => {
    const snapshot = crossAccountProvisioning();
    snapshot.roles.find((r) => r.arn === XACCOUNT_ROLE)!.inlinePolicies[0].document = livePolicy(
      {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 'elasticfilesystem:DescribeMountTargets', Resource: '*' }],
      },
      XACCOUNT_ROLE,
    );
    const findings = only(checkLive(snapshot), 'XA-04');
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      severity: 'error',
      resource: XACCOUNT_ROLE,
      origin: { kind: 'aws', arn: XACCOUNT_ROLE },
    });
    expect(findings[0].message).toContain(
      `is not allowed elasticfilesystem:DescribeAccessPoints, elasticfilesystem:CreateAccessPoint, elasticfilesystem:DeleteAccessPoint on ${fsArn(EFS_ACCOUNT, XFS_ID)}`,
    );
  });

  it("accepts the driver's cross-account example policy", () => {
    expect(only(checkLive(crossAccountProvisioning()), 'XA-04')).toEqual([]);
  });
});
