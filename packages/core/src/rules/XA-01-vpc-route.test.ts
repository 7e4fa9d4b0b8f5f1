import {
  checkLive,
  CLUSTER_CIDR,
  CLUSTER_VPC,
  crossAccountNetwork,
  EFS_ACCOUNT,
  EFS_VPC,
  PCX,
  sameAccountNetwork,
  XFS_ID,
} from './network-testing';
import { only } from './testing';

describe('XA-01', () => {
  it('flags a file system in another VPC with no peering connection or transit gateway', () => {
    const snapshot = crossAccountNetwork();
    snapshot.network.connections = [];
    const findings = only(checkLive(snapshot), 'XA-01');
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      severity: 'error',
      resource: XFS_ID,
      origin: { kind: 'aws', arn: expect.stringContaining(`file-system/${XFS_ID}`) },
    });
    expect(findings[0].message).toBe(
      `no VPC peering connection or transit gateway attachment links the cluster VPC ${CLUSTER_VPC} and ${EFS_VPC}, the VPC of ${XFS_ID}'s mount targets (account ${EFS_ACCOUNT}): ` +
        `mounts of ${XFS_ID} hang until "Connection timed out" and pods stay in ContainerCreating`,
    );
    expect(findings[0].fix).toContain(
      `aws ec2 create-vpc-peering-connection --region us-east-1 --vpc-id ${CLUSTER_VPC} --peer-vpc-id ${EFS_VPC} --peer-owner-id ${EFS_ACCOUNT}`,
    );
  });

  it('flags a peering connection that was never accepted', () => {
    const snapshot = crossAccountNetwork();
    snapshot.network.connections[0].status = 'pending-acceptance';
    const findings = only(checkLive(snapshot), 'XA-01');
    expect(findings).toHaveLength(1);
    expect(findings[0].message).toMatch(
      new RegExp(`the VPC peering connection ${PCX} .* is "pending-acceptance", not active`),
    );
    expect(findings[0].origin).toEqual({
      kind: 'aws',
      arn: expect.stringContaining(`vpc-peering-connection/${PCX}`),
    });
    expect(findings[0].fix).toContain(
      `account (${EFS_ACCOUNT}):\naws ec2 accept-vpc-peering-connection --region us-east-1 --vpc-peering-connection-id ${PCX}`,
    );
  });

  it('flags routes on one side only: nothing sends the cluster CIDR back', () => {
    const snapshot = crossAccountNetwork();
    snapshot.network.routes = snapshot.network.routes.filter(
      (r) => !(r.vpcId === EFS_VPC && r.target === PCX),
    );
    const findings = only(checkLive(snapshot), 'XA-01');
    expect(findings).toHaveLength(1);
    expect(findings[0].message).toMatch(
      new RegExp(
        `^${PCX} links .*, but no active route in ${EFS_VPC} sends the cluster CIDRs \\(10\\.0\\.0\\.0/16\\) back to ${PCX}: mounts`,
      ),
    );
    expect(findings[0].fix).toContain(
      `aws ec2 create-route --region us-east-1 --route-table-id rtb-0e1f2a3b4c5d6e7f1 --destination-cidr-block ${CLUSTER_CIDR} --vpc-peering-connection-id ${PCX}`,
    );
    expect(findings[0].fix).toContain(`credentials of account ${EFS_ACCOUNT}`);
  });

  it('flags a blackholed route to the mount targets, naming their IPs', () => {
    const snapshot = crossAccountNetwork();
    snapshot.network.routes.find((r) => r.vpcId === CLUSTER_VPC && r.target === PCX)!.state = 'blackhole';
    const findings = only(checkLive(snapshot), 'XA-01');
    expect(findings).toHaveLength(1);
    expect(findings[0].message).toContain(
      `no active route in ${CLUSTER_VPC} sends 10.20.1.15, 10.20.2.21 to ${PCX}`,
    );
  });

  it('is undecidable when the route tables of the file system VPC are not in the inputs', () => {
    const snapshot = crossAccountNetwork();
    snapshot.network.routes = snapshot.network.routes.filter((r) => r.vpcId !== EFS_VPC);
    const findings = only(checkLive(snapshot), 'XA-01');
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ severity: 'warning', undecidable: true });
    expect(findings[0].message).toContain(`the route tables of ${EFS_VPC} are not in the inputs`);
  });

  it('accepts a transit gateway with routes both ways', () => {
    const snapshot = crossAccountNetwork();
    snapshot.network.connections[0] = {
      ...snapshot.network.connections[0],
      kind: 'transit-gateway',
      id: 'tgw-attach-0abc1234',
      status: 'available',
    };
    for (const r of snapshot.network.routes) if (r.target === PCX) r.target = 'tgw-0123456789abcdef0';
    expect(only(checkLive(snapshot), 'XA-01')).toEqual([]);
  });

  it('also applies to a same-account file system whose mount targets are in another VPC', () => {
    const snapshot = sameAccountNetwork();
    for (const t of snapshot.fileSystems[0].mountTargets!) t.vpcId = 'vpc-0shared000000000a';
    expect(only(checkLive(snapshot), 'XA-01')).toHaveLength(1);
  });

  it('stays silent for healthy setups and on static input', () => {
    expect(only(checkLive(sameAccountNetwork()), 'XA-01')).toEqual([]);
    expect(only(checkLive(crossAccountNetwork()), 'XA-01')).toEqual([]);
    const snapshot = crossAccountNetwork();
    snapshot.network.connections = [];
    snapshot.inputs = ['S'];
    expect(only(checkLive(snapshot), 'XA-01')).toEqual([]);
  });
});
