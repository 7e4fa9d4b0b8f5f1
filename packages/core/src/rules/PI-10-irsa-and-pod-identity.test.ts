import { checkFixture, only } from './testing';

describe('PI-10', () => {
  it('flags a node SA with both an IRSA annotation and a Pod Identity association', async () => {
    const findings = only(await checkFixture('PI-10/fires'), 'PI-10');
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      severity: 'warning',
      resource: 'kube-system/efs-csi-node-sa',
      origin: { file: 'serviceaccount.yaml', line: 7 },
    });
    expect(findings[0].message).toContain('role/efs-csi-node-irsa');
    expect(findings[0].message).toContain(
      'manual association (role arn:aws:iam::210987654321:role/efs-csi-node-dedicated) at cluster.yaml:8',
    );
    expect(findings[0].fix).toContain(
      'kubectl annotate serviceaccount efs-csi-node-sa -n kube-system eks.amazonaws.com/role-arn-',
    );
  });

  it('pairs an annotation only with the associations of its own cluster folder in a repository of several clusters', async () => {
    const findings = only(await checkFixture('PI-10/clusters'), 'PI-10');
    // dev has both; prod has only IRSA (the association it would otherwise be paired with is staging's or dev's).
    expect(findings.map((f) => `${f.origin?.kind === 'file' ? f.origin.file : ''}`)).toEqual([
      'clusters/dev/serviceaccount.yaml',
    ]);
    expect(findings[0].message).toContain('role/dev-efs-csi-node)');
    expect(findings[0].message).not.toContain('staging-efs-csi-node');
  });

  it('stays silent with Pod Identity only', async () => {
    expect(only(await checkFixture('PI-10/passes'), 'PI-10')).toEqual([]);
  });
});
