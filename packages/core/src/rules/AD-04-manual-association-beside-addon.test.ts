import { AD04 } from './AD-04-manual-association-beside-addon';
import { checkLive, healthyLiveSnapshot, NODE_ASSOCIATION_ARN, NODE_ROLE_ARN } from './live-testing';

const run = (s: ReturnType<typeof healthyLiveSnapshot>) => checkLive(s, [AD04]);
const manual = () => {
  const s = healthyLiveSnapshot();
  delete s.podIdentityAssociations[1].ownerAddon;
  s.addons[0].podIdentityAssociations = s.addons[0].podIdentityAssociations?.filter(
    (a) => a.serviceAccount !== 'efs-csi-node-sa',
  );
  return s;
};

describe('AD-04', () => {
  it('flags a manual node association beside the managed add-on, with both ways out', () => {
    const findings = run(manual());
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      severity: 'warning',
      resource: NODE_ASSOCIATION_ARN,
      origin: { kind: 'aws', arn: NODE_ASSOCIATION_ARN },
    });
    expect(findings[0].message).toContain(
      `the association a-node0123456789abc of kube-system/efs-csi-node-sa (role ${NODE_ROLE_ARN}) was created outside the add-on aws-efs-csi-driver v3.4.1-eksbuild.1`,
    );
    expect(findings[0].fix).toContain('efs-node-identity verify --cluster prod --region eu-west-1');
    expect(findings[0].fix).toContain(
      'aws eks delete-pod-identity-association --cluster-name prod --association-id a-node0123456789abc',
    );
    expect(findings[0].fix).toContain(
      `'serviceAccount=efs-csi-controller-sa,roleArn=arn:aws:iam::111122223333:role/efs-csi-controller' 'serviceAccount=efs-csi-node-sa,roleArn=${NODE_ROLE_ARN}'`,
    );
  });

  it('says when the add-on was updated after the association, and when the add-on version cannot own it', () => {
    const s = manual();
    s.addons[0].modifiedAt = '2026-09-10T14:00:00Z';
    s.addons[0].podIdentityCapableServiceAccounts = ['efs-csi-controller-sa'];
    const findings = run(s);
    expect(findings[0].message).toContain(
      'The add-on was updated at 2026-09-10T14:00:00Z, after the association was created at 2026-06-02T10:15:00Z',
    );
    expect(findings[0].fix).toContain('cannot own an association for efs-csi-node-sa');
    expect(findings[0].fix).not.toContain('delete-pod-identity-association');
  });

  it('stays silent for an add-on owned association, and for a manual one without the add-on (Helm install)', () => {
    expect(run(healthyLiveSnapshot())).toEqual([]);
    const helm = manual();
    helm.addons.splice(0, 1);
    expect(run(helm)).toEqual([]);
  });

  it('stays silent when the add-on belongs to another cluster', () => {
    const s = manual();
    s.addons[0].cluster = 'staging';
    expect(run(s)).toEqual([]);
  });
});
