import { checkFixture, only } from './testing';

describe('IR-02', () => {
  it('flags a node ServiceAccount without the role-arn annotation while an IRSA trust is written for it', async () => {
    const findings = only(await checkFixture('IR-02/fires-missing-annotation'), 'IR-02');
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      severity: 'error',
      resource: 'kube-system/efs-csi-node-sa',
      origin: { file: 'serviceaccount.yaml', line: 1 },
    });
    expect(findings[0].message).toMatch(/although an IRSA trust is written for it \(.*node-role-trust\.json/);
    expect(findings[0].fix).toContain('eks.amazonaws.com/role-arn: <node role ARN>');
  });

  it('flags an annotation that is not a role ARN', async () => {
    const findings = only(await checkFixture('IR-02/fires-not-an-arn'), 'IR-02');
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ origin: { file: 'serviceaccount.yaml', line: 7 } });
    expect(findings[0].message).toContain('"efs-csi-node-dedicated", not an IAM role ARN');
  });

  it('flags an annotation naming another role than the one whose trust is written for the node SA', async () => {
    const findings = only(await checkFixture('IR-02/fires-other-role'), 'IR-02');
    expect(findings).toHaveLength(1);
    expect(findings[0].message).toContain(
      'names arn:aws:iam::210987654321:role/AmazonEKS_EFS_CSI_DriverRole',
    );
    expect(findings[0].message).toContain('role efs-csi-node-dedicated');
  });

  it('stays silent when the annotation names the node role', async () => {
    expect(only(await checkFixture('IR-02/passes'), 'IR-02')).toEqual([]);
  });

  it('stays silent when IRSA is not in use (absent, not wrong)', async () => {
    expect(only(await checkFixture('IR-02/passes-no-irsa'), 'IR-02')).toEqual([]);
  });
});
