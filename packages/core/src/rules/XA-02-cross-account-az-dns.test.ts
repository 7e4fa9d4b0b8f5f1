import {
  checkLive,
  CLUSTER_VPC,
  crossAccountNetwork,
  crossAccountZoneName,
  EFS_ACCOUNT,
  k8s,
  sameAccountNetwork,
  XFS_ID,
} from './network-testing';
import { only } from './testing';

const AZ2_ZONE = crossAccountZoneName('use1-az2');

describe('XA-02', () => {
  it('flags an AZ ID with nodes and no mount target in the EFS account', () => {
    const snapshot = crossAccountNetwork();
    snapshot.fileSystems[0].mountTargets!.pop();
    snapshot.network.hostedZones.pop();
    const findings = only(checkLive(snapshot), 'XA-02');
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      severity: 'error',
      resource: XFS_ID,
      origin: { kind: 'aws', arn: expect.stringContaining(XFS_ID) },
    });
    expect(findings[0].message).toMatch(
      new RegExp(
        `^${XFS_ID} in account ${EFS_ACCOUNT} has no mount target in AZ ID use1-az2 \\(us-east-1b\\) \\(nodes ip-10-0-2-20\\.ec2\\.internal\\): .*` +
          `PersistentVolume/efs-xacct-pv mounts with crossaccount: "true", and efs-utils resolves ${AZ2_ZONE.replace(/\./g, '\\.')} with no fallback`,
      ),
    );
    expect(findings[0].fix).toContain(
      `With credentials of account ${EFS_ACCOUNT}:\naws efs create-mount-target --region us-east-1 --file-system-id ${XFS_ID} --subnet-id <subnet in AZ ID use1-az2>`,
    );
  });

  it('flags a missing private hosted zone for a crossaccount volume, with the commands to create it', () => {
    const snapshot = crossAccountNetwork();
    snapshot.network.hostedZones.pop();
    const findings = only(checkLive(snapshot), 'XA-02');
    expect(findings).toHaveLength(1);
    expect(findings[0].message).toBe(
      `${XFS_ID} in account ${EFS_ACCOUNT}, AZ ID use1-az2 (us-east-1b) (nodes ip-10-0-2-20.ec2.internal): no private hosted zone ${AZ2_ZONE} exists; ` +
        `PersistentVolume/efs-xacct-pv mounts with crossaccount: "true", so mounts on nodes in use1-az2 fail with Failed to resolve "${AZ2_ZONE}"`,
    );
    expect(findings[0].fix).toContain(
      `aws route53 create-hosted-zone --name ${AZ2_ZONE} --vpc VPCRegion=us-east-1,VPCId=${CLUSTER_VPC}`,
    );
    expect(findings[0].fix).toContain(
      `"Name": "${AZ2_ZONE}", "Type": "A", "TTL": 300, "ResourceRecords": [{"Value": "10.20.2.21"}]`,
    );
  });

  it('flags a zone not associated with the cluster VPC, and an A record with a stale IP', () => {
    let snapshot = crossAccountNetwork();
    snapshot.network.hostedZones[1].vpcIds = ['vpc-0other0000000000a'];
    let findings = only(checkLive(snapshot), 'XA-02');
    expect(findings).toHaveLength(1);
    expect(findings[0].message).toContain(
      `the private hosted zone Z02XACCOUNTZONE000000 (${AZ2_ZONE}) is not associated with the cluster VPC ${CLUSTER_VPC}`,
    );
    expect(findings[0].origin).toEqual({
      kind: 'aws',
      arn: 'arn:aws:route53:::hostedzone/Z02XACCOUNTZONE000000',
    });
    expect(findings[0].fix).toBe(
      `aws route53 associate-vpc-with-hosted-zone --hosted-zone-id Z02XACCOUNTZONE000000 --vpc VPCRegion=us-east-1,VPCId=${CLUSTER_VPC}`,
    );

    snapshot = crossAccountNetwork();
    snapshot.network.hostedZones[1].records[0].values = ['10.20.2.99'];
    findings = only(checkLive(snapshot), 'XA-02');
    expect(findings).toHaveLength(1);
    expect(findings[0].message).toMatch(
      new RegExp(
        `the A record of ${AZ2_ZONE.replace(/\./g, '\\.')} in Z02XACCOUNTZONE000000 is 10\\.20\\.2\\.99, not 10\\.20\\.2\\.21, the IP of mount target fsmt-0b`,
      ),
    );
  });

  it('needs the hosted zones only for crossaccount volumes (PV attribute or provisioner Secret)', () => {
    const snapshot = crossAccountNetwork();
    snapshot.network.hostedZones = [];
    snapshot.persistentVolumes[0].volumeAttributes = {};
    expect(only(checkLive(snapshot), 'XA-02')).toEqual([]);

    snapshot.persistentVolumes = [];
    snapshot.storageClasses.push({
      name: 'efs-xacct',
      provisioner: 'efs.csi.aws.com',
      mountOptions: ['tls', 'iam'],
      parameters: {
        provisioningMode: 'efs-ap',
        fileSystemId: XFS_ID,
        'csi.storage.k8s.io/provisioner-secret-name': 'x-account',
        'csi.storage.k8s.io/provisioner-secret-namespace': 'kube-system',
      },
      origin: k8s('StorageClass/efs-xacct'),
    });
    snapshot.secrets.push({
      namespace: 'kube-system',
      name: 'x-account',
      data: {
        awsRoleArn: `arn:aws:iam::${EFS_ACCOUNT}:role/EFSCrossAccountAccessRole`,
        crossaccount: 'true',
      },
      origin: k8s('Secret/kube-system/x-account'),
    });
    expect(only(checkLive(snapshot), 'XA-02')).toHaveLength(2);
  });

  it('without volumes in the inputs, a hosted zone for the file system means the DNS mode is used', () => {
    const snapshot = crossAccountNetwork();
    snapshot.persistentVolumes = [];
    snapshot.network.hostedZones.pop();
    expect(only(checkLive(snapshot), 'XA-02')).toHaveLength(1);
    snapshot.network.hostedZones = [];
    expect(only(checkLive(snapshot), 'XA-02')).toEqual([]);
  });

  it('stays silent for healthy setups, same-account file systems and static input', () => {
    expect(only(checkLive(crossAccountNetwork()), 'XA-02')).toEqual([]);
    const same = sameAccountNetwork();
    same.fileSystems[0].mountTargets!.pop();
    expect(only(checkLive(same), 'XA-02')).toEqual([]);
    const snapshot = crossAccountNetwork();
    snapshot.network.hostedZones = [];
    snapshot.inputs = ['S'];
    expect(only(checkLive(snapshot), 'XA-02')).toEqual([]);
  });
});
