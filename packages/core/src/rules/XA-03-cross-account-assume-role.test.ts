import { checkFixture, only } from './testing';
import { checkLive, CONTROLLER_ROLE, crossAccountProvisioning, XACCOUNT_ROLE } from './network-testing';

describe('XA-03', () => {
  it("flags a controller role whose policy does not allow sts:AssumeRole on the secret's role", async () => {
    const findings = only(await checkFixture('XA-03/fires-no-assume'), 'XA-03');
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      severity: 'error',
      resource: 'arn:aws:iam::444455556666:role/EFSCrossAccountAccessRole',
      origin: { file: 'iam.yaml', line: 4 },
    });
    expect(findings[0].message).toMatch(
      /controller role arn:aws:iam::210987654321:role\/efs-csi-controller .*is not allowed sts:AssumeRole/,
    );
    expect(findings[0].fix).toContain('"Action": "sts:AssumeRole"');
  });

  it('flags a trust that requires an ExternalId the secret does not set, with the trust trace', async () => {
    const findings = only(await checkFixture('XA-03/fires-external-id'), 'XA-03');
    expect(findings).toHaveLength(1);
    expect(findings[0].message).toMatch(
      /trust policy .* does not allow the controller role .*sets no externalId/,
    );
    expect(findings[0].trace?.some((t) => t.outcome === 'no-match' && /sts:ExternalId/.test(t.message))).toBe(
      true,
    );
  });

  it('stays silent when the controller may assume the role and the trust accepts the externalId', async () => {
    expect(only(await checkFixture('XA-03/passes'), 'XA-03')).toEqual([]);
  });
});

describe('XA-03 on live input', () => {
  const role = (s: ReturnType<typeof crossAccountProvisioning>, arn: string) =>
    s.roles.find((r) => r.arn === arn)!;

  it('flags a controller role with only the AWS managed driver policy (no sts:AssumeRole)', () => {
    const snapshot = crossAccountProvisioning();
    role(snapshot, CONTROLLER_ROLE).inlinePolicies = [];
    const findings = only(checkLive(snapshot), 'XA-03');
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      severity: 'error',
      resource: XACCOUNT_ROLE,
      origin: { kind: 'aws', arn: CONTROLLER_ROLE },
    });
    expect(findings[0].message).toMatch(
      /controller role arn:aws:iam::111122223333:role\/efs-csi-controller \(bound at arn:aws:eks:.*\) is not allowed sts:AssumeRole/,
    );
  });

  it('flags an externalId that does not match the trust', () => {
    const snapshot = crossAccountProvisioning();
    snapshot.secrets[0].data.externalId = 'staging-efs';
    const findings = only(checkLive(snapshot), 'XA-03');
    expect(findings).toHaveLength(1);
    expect(findings[0].origin).toEqual({ kind: 'aws', arn: XACCOUNT_ROLE });
    expect(findings[0].message).toContain(
      "does not allow the controller role arn:aws:iam::111122223333:role/efs-csi-controller to assume it with the Secret's externalId",
    );
  });

  it('stays silent when the controller may assume the role and the trust accepts the externalId', () => {
    expect(only(checkLive(crossAccountProvisioning()), 'XA-03')).toEqual([]);
  });
});
