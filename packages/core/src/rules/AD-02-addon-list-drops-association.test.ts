import { checkFixture, only } from './testing';

describe('AD-02', () => {
  it("flags an add-on update whose list has the node SA but drops the controller's association", async () => {
    const findings = only(await checkFixture('AD-02/fires-update-drops-controller'), 'AD-02');
    const update = findings.find(
      (f) => f.origin?.kind === 'file' && f.origin.file === 'efs-addon-update.yaml',
    );
    expect(update).toMatchObject({
      severity: 'error',
      resource: 'addon/aws-efs-csi-driver',
      origin: { line: 7 },
    });
    expect(update?.message).toContain('list efs-csi-node-sa but not efs-csi-controller-sa');
    expect(update?.message).toContain(
      'association through add-on aws-efs-csi-driver (role arn:aws:iam::210987654321:role/efs-csi-controller) at cluster.yaml:10',
    );
    expect(update?.fix).toContain(
      '- serviceAccountName: efs-csi-controller-sa\n    roleARN: arn:aws:iam::210987654321:role/efs-csi-controller',
    );
    // The older list drops the node's association just the same.
    expect(findings).toHaveLength(2);
  });

  it('stays silent when the list holds every association the add-on owns', async () => {
    expect(only(await checkFixture('AD-02/passes'), 'AD-02')).toEqual([]);
  });
});
