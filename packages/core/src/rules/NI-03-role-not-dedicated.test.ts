import { checkFixture, only } from './testing';

describe('NI-03', () => {
  it('warns when the node role is also bound to the controller SA', async () => {
    const findings = only(await checkFixture('NI-03/fires-shared-with-controller'), 'NI-03');
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      severity: 'warning',
      resource: 'arn:aws:iam::210987654321:role/efs-csi-node-dedicated',
      origin: { file: 'cluster.yaml', line: 8 },
    });
    expect(findings[0].message).toContain(
      'also bound to kube-system/efs-csi-controller-sa (Pod Identity association at cluster.yaml:11)',
    );
    expect(findings[0].message).toContain('the controller and the node share one role');
  });

  it('warns about an IRSA sub pattern that lets the controller in, with the trust decision', async () => {
    const findings = only(await checkFixture('NI-03/fires-irsa-pattern'), 'NI-03');
    expect(findings).toHaveLength(1);
    expect(findings[0].message).toContain('"system:serviceaccount:kube-system:efs-csi-*"');
    expect(findings[0].message).toContain(
      'system:serviceaccount:kube-system:efs-csi-controller-sa can assume the node role too',
    );
    expect(findings[0].trace?.some((t) => t.outcome === 'allow')).toBe(true);
    expect(findings[0].fix).toContain(':sub": "system:serviceaccount:kube-system:efs-csi-node-sa"');
  });

  it('stays silent when node and controller have their own roles', async () => {
    expect(only(await checkFixture('NI-03/passes'), 'NI-03')).toEqual([]);
  });
});
