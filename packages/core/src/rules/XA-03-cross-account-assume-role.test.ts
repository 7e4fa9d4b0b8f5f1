import { checkFixture, only } from './testing';

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
