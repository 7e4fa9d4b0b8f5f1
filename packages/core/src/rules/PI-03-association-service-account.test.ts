import { checkFixture, only } from './testing';

describe('PI-03', () => {
  it('flags an association for efs-csi-node-sa when the DaemonSet runs as another service account', async () => {
    const findings = only(await checkFixture('PI-03/fires-renamed-sa'), 'PI-03');
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      severity: 'error',
      resource: 'kube-system/efs-csi-node-sa',
      origin: { file: 'cluster.yaml', line: 8 },
    });
    expect(findings[0].message).toContain('runs as kube-system/efs-csi-node-service-account');
    expect(findings[0].message).toContain('daemonset.yaml:15');
    expect(findings[0].fix).toContain('--service-account efs-csi-node-service-account');
  });

  it('flags it when the Helm value node.serviceAccount.name renames the node SA', async () => {
    const findings = only(await checkFixture('PI-03/fires-helm-renamed'), 'PI-03');
    expect(findings).toHaveLength(1);
    expect(findings[0].message).toContain('runs as kube-system/efs-csi-node-dedicated');
    expect(findings[0].message).toContain('values.yaml:8');
  });

  it('stays silent when the names agree', async () => {
    expect(only(await checkFixture('PI-03/passes'), 'PI-03')).toEqual([]);
  });

  it('is undecidable when serviceAccountName is a template expression', async () => {
    const findings = only(await checkFixture('PI-03/undecidable-template'), 'PI-03');
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ undecidable: true, severity: 'warning' });
  });
});
