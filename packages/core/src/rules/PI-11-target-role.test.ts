import { checkFixture, only } from './testing';

describe('PI-11', () => {
  it('flags a target role whose trust does not allow the association role', async () => {
    const findings = only(await checkFixture('PI-11/fires-target-trust'), 'PI-11');
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      severity: 'error',
      resource: 'arn:aws:iam::210987654321:role/efs-csi-node-prod',
      origin: { file: 'node-identity.yaml' },
    });
    expect(findings[0].message).toContain(
      'does not allow the association role arn:aws:iam::210987654321:role/efs-csi-node-prod sts:AssumeRole and sts:TagSession',
    );
    expect(findings[0].trace?.some((t) => t.sid === 'FromClusterAccount' && t.outcome === 'no-match')).toBe(
      true,
    );
    expect(findings[0].fix).toContain('"AWS": "arn:aws:iam::210987654321:role/efs-csi-node-prod"');
  });

  it('flags a cross-account target the association role may not assume', async () => {
    const findings = only(await checkFixture('PI-11/fires-identity'), 'PI-11');
    expect(findings).toHaveLength(1);
    expect(findings[0].message).toContain(
      'may not sts:AssumeRole the target role arn:aws:iam::444455556666:role/efs-csi-node-target in account 444455556666',
    );
    expect(findings[0].fix).toContain('"Resource": "arn:aws:iam::444455556666:role/efs-csi-node-target"');
  });

  it('stays silent when the trust and the identity policy both allow the chain', async () => {
    expect(only(await checkFixture('PI-11/passes'), 'PI-11')).toEqual([]);
  });

  it('is undecidable when targetRoleArn is a parameter', async () => {
    const findings = only(await checkFixture('PI-11/undecidable-target'), 'PI-11');
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ undecidable: true, severity: 'warning' });
  });
});
