import { checkFixture, only } from './testing';

describe('PI-05', () => {
  it('warns when a session-tag condition names another service account', async () => {
    const findings = only(await checkFixture('PI-05/fires-mismatch'), 'PI-05');
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      severity: 'warning',
      origin: { file: 'node-role-trust.json', line: 4 },
    });
    expect(findings[0].message).toContain(
      'does not match the node ServiceAccount kube-system/efs-csi-node-sa in cluster prod',
    );
    expect(
      findings[0].trace?.some(
        (t) => t.outcome === 'no-match' && /kubernetes-service-account/.test(t.message),
      ),
    ).toBe(true);
    expect(findings[0].fix).toContain('"aws:RequestTag/kubernetes-service-account": "efs-csi-node-sa"');
  });

  it('is an error when the association disables session tags', async () => {
    const findings = only(await checkFixture('PI-05/fires-disabled-tags'), 'PI-05');
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ severity: 'error', origin: { file: 'node-role.yaml', line: 20 } });
    expect(findings[0].message).toContain('disableSessionTags: true');
  });

  it('stays silent when the tags match the node SA and cluster', async () => {
    expect(only(await checkFixture('PI-05/passes'), 'PI-05')).toEqual([]);
  });

  it('is undecidable when the cluster name is not in the files', async () => {
    const findings = only(await checkFixture('PI-05/undecidable-cluster'), 'PI-05');
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ undecidable: true, severity: 'warning' });
  });
});
