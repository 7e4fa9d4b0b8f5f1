import { checkFixture, only } from './testing';

describe('PI-02', () => {
  it('flags a manual association next to the add-on one for the node SA', async () => {
    const findings = only(await checkFixture('PI-02/fires-duplicate'), 'PI-02');
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      severity: 'error',
      resource: 'kube-system/efs-csi-node-sa',
      origin: { file: 'cluster.yaml', line: 18 },
    });
    expect(findings[0].message).toContain(
      'association through add-on aws-efs-csi-driver (role arn:aws:iam::210987654321:role/efs-csi-node-addon)',
    );
    expect(findings[0].message).toContain(
      'manual association (role arn:aws:iam::210987654321:role/efs-csi-node-dedicated) at cluster.yaml:8',
    );
    expect(findings[0].fix).toContain('aws eks delete-pod-identity-association');
  });

  it('flags a missing node association when the add-on binds the controller with Pod Identity', async () => {
    const findings = only(await checkFixture('PI-02/fires-none-with-controller'), 'PI-02');
    expect(findings).toHaveLength(1);
    expect(findings[0].message).toMatch(
      /no Pod Identity association for the node ServiceAccount kube-system\/efs-csi-node-sa/,
    );
    expect(findings[0].origin).toMatchObject({ file: 'cluster.yaml', line: 10 });
    expect(findings[0].fix).toContain('--service-account efs-csi-node-sa');
  });

  it('stays silent with exactly one association', async () => {
    expect(only(await checkFixture('PI-02/passes'), 'PI-02')).toEqual([]);
  });

  it('stays silent when the files hold no association at all (absent, not wrong)', async () => {
    expect(only(await checkFixture('PI-02/passes-absent'), 'PI-02')).toEqual([]);
  });
});
