import {
  checkLive,
  CLUSTER_CIDR,
  CLUSTER_SG,
  crossAccountNetwork,
  EFS_ACCOUNT,
  FS_SG,
  NODE_SG,
  sameAccountNetwork,
  XFS_SG,
} from './network-testing';
import { only } from './testing';

describe('NET-02', () => {
  it('flags each used mount target whose security groups admit 2049 from neither the cluster SG nor the nodes', () => {
    const snapshot = sameAccountNetwork();
    snapshot.network.securityGroups[0].ingress = [
      { protocol: 'tcp', fromPort: 443, toPort: 443, cidr: CLUSTER_CIDR },
    ];
    const findings = only(checkLive(snapshot), 'NET-02');
    expect(findings).toHaveLength(2);
    expect(findings[0]).toMatchObject({
      severity: 'error',
      resource: expect.stringMatching(/^fsmt-0a/),
      origin: { kind: 'aws', arn: expect.stringContaining(`security-group/${FS_SG}`) },
    });
    expect(findings[0].message).toMatch(
      new RegExp(
        `no security group of mount target fsmt-0a\\w+ of fs-0123456789abcdef0 \\(10\\.0\\.1\\.50, AZ use1-az1 \\(us-east-1a\\); security groups ${FS_SG}\\) admits inbound TCP 2049 from the cluster or node security groups \\(${CLUSTER_SG}, ${NODE_SG}\\)`,
      ),
    );
    expect(findings[0].fix).toContain(
      `aws ec2 authorize-security-group-ingress --region us-east-1 --group-id ${FS_SG} --protocol tcp --port 2049 --source-group ${CLUSTER_SG}`,
    );
  });

  it('accepts a node security group, a covering CIDR and an all-traffic rule', () => {
    const snapshot = sameAccountNetwork();
    const sg = snapshot.network.securityGroups[0];
    for (const ingress of [
      { protocol: 'tcp', fromPort: 2049, toPort: 2049, sourceSecurityGroupId: NODE_SG },
      { protocol: '6', fromPort: 0, toPort: 65535, cidr: '10.0.0.0/8' },
      { protocol: '-1', cidr: CLUSTER_CIDR },
    ]) {
      sg.ingress = [ingress];
      expect(only(checkLive(snapshot), 'NET-02')).toEqual([]);
    }
  });

  it('flags the wrong port or protocol, and only mount targets in AZs with node pods', () => {
    const snapshot = sameAccountNetwork();
    snapshot.network.securityGroups[0].ingress = [
      { protocol: 'udp', fromPort: 2049, toPort: 2049, sourceSecurityGroupId: CLUSTER_SG },
      { protocol: 'tcp', fromPort: 2050, toPort: 2050, sourceSecurityGroupId: CLUSTER_SG },
    ];
    snapshot.pods.pop();
    const findings = only(checkLive(snapshot), 'NET-02');
    expect(findings.map((f) => f.resource)).toEqual([expect.stringMatching(/^fsmt-0a/)]);
  });

  it('cross-account: suggests the cluster CIDR, in the EFS account', () => {
    const snapshot = crossAccountNetwork();
    snapshot.network.securityGroups[0].ingress = [];
    const findings = only(checkLive(snapshot), 'NET-02');
    expect(findings).toHaveLength(2);
    expect(findings[0].fix).toContain(`with credentials of account ${EFS_ACCOUNT}`);
    expect(findings[0].fix).toContain(
      `--group-id ${XFS_SG} --protocol tcp --port 2049 --cidr ${CLUSTER_CIDR}`,
    );
  });

  it('is undecidable for a CIDR that covers part of the VPC, or a security group it cannot read', () => {
    const snapshot = crossAccountNetwork();
    snapshot.network.securityGroups[0].ingress = [
      { protocol: 'tcp', fromPort: 2049, toPort: 2049, cidr: '10.0.1.0/24' },
    ];
    let findings = only(checkLive(snapshot), 'NET-02');
    expect(findings).toHaveLength(2);
    expect(findings[0]).toMatchObject({ severity: 'warning', undecidable: true });
    expect(findings[0].message).toMatch(
      /^cannot tell whether a security group .*: 10\.0\.1\.0\/24 covers only part of the VPC/,
    );
    snapshot.network.securityGroups = [];
    findings = only(checkLive(snapshot), 'NET-02');
    expect(findings[0].message).toContain(`the rules of ${XFS_SG} are not in the inputs`);
    expect(findings[0].undecidable).toBe(true);
  });

  it('stays silent for healthy setups', () => {
    expect(only(checkLive(sameAccountNetwork()), 'NET-02')).toEqual([]);
    expect(only(checkLive(crossAccountNetwork()), 'NET-02')).toEqual([]);
  });
});
