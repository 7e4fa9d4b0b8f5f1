import {
  CLUSTER_ACCOUNT,
  checkLive,
  crossAccountNetwork,
  EFS_ACCOUNT,
  FS_ID,
  sameAccountNetwork,
  XFS_ID,
} from './network-testing';
import { only } from './testing';

describe('NET-01', () => {
  it('flags an AZ ID with node pods and no mount target, pointing at the file system', () => {
    const snapshot = sameAccountNetwork();
    snapshot.fileSystems[0].mountTargets!.pop();
    const findings = only(checkLive(snapshot), 'NET-01');
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      severity: 'error',
      resource: FS_ID,
      origin: {
        kind: 'aws',
        arn: `arn:aws:elasticfilesystem:us-east-1:${CLUSTER_ACCOUNT}:file-system/${FS_ID}`,
      },
    });
    expect(findings[0].message).toMatch(
      /no mount target in AZ use1-az2 \(us-east-1b\), where efs-csi-node runs on ip-10-0-2-20\.ec2\.internal: .*fail to resolve "fs-0123456789abcdef0\.efs\.us-east-1\.amazonaws\.com"/,
    );
    expect(findings[0].fix).toContain(
      `aws efs create-mount-target --region us-east-1 --file-system-id ${FS_ID} --subnet-id <subnet of vpc-0c1a2b3c4d5e6f708 in AZ ID use1-az2> --security-groups sg-0ef50000000000001`,
    );
  });

  it('flags a mount target that is not available, pointing at the mount target', () => {
    const snapshot = sameAccountNetwork();
    snapshot.fileSystems[0].mountTargets![1].state = 'creating';
    const findings = only(checkLive(snapshot), 'NET-01');
    expect(findings).toHaveLength(1);
    expect(findings[0].message).toMatch(
      /the mount target fsmt-0b\w+ \(10\.0\.2\.50, subnet-0b\w+, creating\) of fs-0123456789abcdef0 in AZ use1-az2 .* is "creating", not available/,
    );
    expect(findings[0].origin).toEqual({ kind: 'aws', arn: expect.stringMatching(/mount-target\/fsmt-0b/) });
  });

  it('compares AZ IDs across accounts, and says which account the mount target belongs in', () => {
    expect(only(checkLive(crossAccountNetwork()), 'NET-01')).toEqual([]);
    const snapshot = crossAccountNetwork();
    snapshot.fileSystems[0].mountTargets![0].availabilityZoneId = 'use1-az4'; // same name us-east-1c, other ID
    const findings = only(checkLive(snapshot), 'NET-01');
    expect(findings).toHaveLength(1);
    expect(findings[0].message).toMatch(
      new RegExp(`file system ${XFS_ID} \\(account ${EFS_ACCOUNT}\\) has no mount target in AZ use1-az1`),
    );
    expect(findings[0].fix).toContain(`with credentials of account ${EFS_ACCOUNT}`);
  });

  it('only counts AZs that run efs-csi-node pods; without pods, the nodes', () => {
    const snapshot = sameAccountNetwork();
    snapshot.fileSystems[0].mountTargets!.pop();
    snapshot.pods.pop(); // the node in use1-az2 runs no efs-csi-node pod (tainted)
    expect(only(checkLive(snapshot), 'NET-01')).toEqual([]);
    snapshot.pods = [];
    expect(only(checkLive(snapshot), 'NET-01')).toHaveLength(1);
  });

  it('stays silent for a healthy setup and on static input', () => {
    expect(only(checkLive(sameAccountNetwork()), 'NET-01')).toEqual([]);
    const snapshot = sameAccountNetwork();
    snapshot.fileSystems[0].mountTargets = [];
    snapshot.inputs = ['S'];
    expect(only(checkLive(snapshot), 'NET-01')).toEqual([]);
  });
});
