import { request as httpRequest } from 'node:http';
import { Sha256 } from '@aws-crypto/sha256-js';
import {
  DescribeAvailabilityZonesCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcPeeringConnectionsCommand,
  DescribeVpcsCommand,
  EC2Client,
  paginateDescribeSecurityGroups,
} from '@aws-sdk/client-ec2';
import { SignatureV4 } from '@smithy/signature-v4';
import { addAccount, startSandbox, type Sandbox } from '../index';
import { defaultAvailabilityZones, zoneIdPrefix } from './ec2-zones';
import {
  addRouteTable,
  addSecurityGroup,
  addSubnet,
  addVpc,
  addVpcPeering,
  setAvailabilityZones,
} from './network-seed';

const CLUSTER = '111111111111';
const STORAGE = '222222222222';
const REGION = 'eu-west-1';

describe('EC2 networking through @aws-sdk/client-ec2', () => {
  let sandbox: Sandbox;
  let keysCluster: { accessKeyId: string; secretAccessKey: string };
  let keysStorage: { accessKeyId: string; secretAccessKey: string };
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    sandbox = await startSandbox({
      seed: (state) => {
        keysCluster = addAccount(state, CLUSTER);
        keysStorage = addAccount(state, STORAGE);
        // The two accounts name the same physical zones differently.
        setAvailabilityZones(state, CLUSTER, REGION, {
          'eu-west-1a': 'euw1-az1',
          'eu-west-1b': 'euw1-az2',
          'eu-west-1c': 'euw1-az3',
        });
        setAvailabilityZones(state, STORAGE, REGION, {
          'eu-west-1a': 'euw1-az3',
          'eu-west-1b': 'euw1-az1',
          'eu-west-1c': 'euw1-az2',
        });
        const clusterVpc = addVpc(state, CLUSTER, {
          vpcId: 'vpc-0c1a55e2c1a55e2c1',
          cidrBlock: '10.0.0.0/16',
          name: 'cluster',
        });
        const storageVpc = addVpc(state, STORAGE, { cidrBlock: '10.1.0.0/16', name: 'storage' });
        ids.clusterVpc = clusterVpc.vpcId;
        ids.storageVpc = storageVpc.vpcId;
        ids.subnet1 = addSubnet(state, CLUSTER, {
          vpcId: clusterVpc.vpcId,
          cidrBlock: '10.0.1.0/24',
          availabilityZone: 'eu-west-1a',
        }).subnetId;
        ids.subnet2 = addSubnet(state, CLUSTER, {
          vpcId: clusterVpc.vpcId,
          cidrBlock: '10.0.2.0/24',
          availabilityZoneId: 'euw1-az2',
        }).subnetId;
        ids.storageSubnet = addSubnet(state, STORAGE, {
          vpcId: storageVpc.vpcId,
          cidrBlock: '10.1.1.0/24',
          availabilityZoneId: 'euw1-az1',
        }).subnetId;
        const clusterSg = addSecurityGroup(state, CLUSTER, {
          groupName: 'eks-cluster-sg',
          vpcId: clusterVpc.vpcId,
          description: 'EKS cluster',
        });
        ids.clusterSg = clusterSg.groupId;
        const efsSg = addSecurityGroup(state, CLUSTER, {
          groupName: 'efs-mount-targets',
          vpcId: clusterVpc.vpcId,
          description: 'NFS from the cluster',
          rules: [
            { port: 2049, referencedGroupId: clusterSg.groupId, description: 'NFS from nodes' },
            { port: 2049, cidrIpv4: '10.0.0.0/16' },
            { port: 22, cidrIpv4: '10.0.0.0/16' },
          ],
          tags: { team: 'storage' },
        });
        ids.efsSg = efsSg.groupId;
        for (let i = 0; i < 10; i++)
          addSecurityGroup(state, CLUSTER, { groupName: `filler-${i}`, vpcId: clusterVpc.vpcId });
        const peering = addVpcPeering(state, {
          requester: { accountId: CLUSTER, vpcId: clusterVpc.vpcId },
          accepter: { accountId: STORAGE, vpcId: storageVpc.vpcId },
        });
        ids.peering = peering.id;
        ids.mainRtb = addRouteTable(state, CLUSTER, { vpcId: clusterVpc.vpcId, main: true }).routeTableId;
        ids.rtb1 = addRouteTable(state, CLUSTER, {
          vpcId: clusterVpc.vpcId,
          subnetIds: [ids.subnet1],
          routes: [{ destinationCidrBlock: '10.1.0.0/16', vpcPeeringConnectionId: peering.id }],
        }).routeTableId;
        ids.storageRtb = addRouteTable(state, STORAGE, {
          vpcId: storageVpc.vpcId,
          main: true,
          routes: [{ destinationCidrBlock: '10.0.0.0/16', vpcPeeringConnectionId: peering.id }],
        }).routeTableId;
        // Another region's VPC stays out of eu-west-1 answers.
        addVpc(state, CLUSTER, { cidrBlock: '172.16.0.0/16', region: 'us-east-1' });
      },
    });
  });
  afterAll(() => sandbox.stop());

  const client = (keys = keysCluster, region = REGION) =>
    new EC2Client({ endpoint: sandbox.url, region, credentials: keys, maxAttempts: 1 });

  describe('DescribeSecurityGroups', () => {
    it('returns a group by ID with its inbound and outbound permissions', async () => {
      const out = await client().send(new DescribeSecurityGroupsCommand({ GroupIds: [ids.efsSg] }));
      expect(out.SecurityGroups).toHaveLength(1);
      const group = out.SecurityGroups![0];
      expect(group).toMatchObject({
        GroupId: ids.efsSg,
        GroupName: 'efs-mount-targets',
        Description: 'NFS from the cluster',
        VpcId: ids.clusterVpc,
        OwnerId: CLUSTER,
        Tags: [{ Key: 'team', Value: 'storage' }],
      });
      const nfs = group.IpPermissions!.find((p) => p.FromPort === 2049)!;
      expect(nfs).toMatchObject({
        IpProtocol: 'tcp',
        ToPort: 2049,
        UserIdGroupPairs: [{ GroupId: ids.clusterSg, UserId: CLUSTER, Description: 'NFS from nodes' }],
        IpRanges: [{ CidrIp: '10.0.0.0/16' }],
      });
      expect(group.IpPermissions!.find((p) => p.FromPort === 22)).toMatchObject({
        IpRanges: [{ CidrIp: '10.0.0.0/16' }],
        UserIdGroupPairs: [],
      });
      expect(group.IpPermissionsEgress).toEqual([
        expect.objectContaining({ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }),
      ]);
    });

    it('filters by vpc-id, group-name (with wildcards) and tag', async () => {
      const byName = await client().send(
        new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'group-name', Values: ['efs-*'] }] }),
      );
      expect(byName.SecurityGroups?.map((g) => g.GroupId)).toEqual([ids.efsSg]);
      const byTag = await client().send(
        new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'tag:team', Values: ['storage'] }] }),
      );
      expect(byTag.SecurityGroups?.map((g) => g.GroupId)).toEqual([ids.efsSg]);
      const byVpc = await client().send(
        new DescribeSecurityGroupsCommand({
          Filters: [
            { Name: 'vpc-id', Values: [ids.clusterVpc] },
            { Name: 'group-name', Values: ['filler-1', 'filler-2'] },
          ],
        }),
      );
      expect(byVpc.SecurityGroups?.map((g) => g.GroupName).sort()).toEqual(['filler-1', 'filler-2']);
    });

    it('pages with MaxResults/NextToken (the SDK paginator sees every group once)', async () => {
      const first = await client().send(new DescribeSecurityGroupsCommand({ MaxResults: 5 }));
      expect(first.SecurityGroups).toHaveLength(5);
      expect(first.NextToken).toBeDefined();
      const seen: string[] = [];
      for await (const page of paginateDescribeSecurityGroups({ client: client(), pageSize: 5 }, {})) {
        seen.push(...(page.SecurityGroups ?? []).map((g) => g.GroupId!));
      }
      expect(seen).toHaveLength(12);
      expect(new Set(seen).size).toBe(12);
      await expect(
        client().send(new DescribeSecurityGroupsCommand({ NextToken: 'garbage' })),
      ).rejects.toMatchObject({ name: 'InvalidPaginationToken' });
      await expect(client().send(new DescribeSecurityGroupsCommand({ MaxResults: 2 }))).rejects.toMatchObject(
        { name: 'InvalidParameterValue' },
      );
    });

    it('answers InvalidGroup.NotFound, InvalidGroupId.Malformed and InvalidParameterValue', async () => {
      await expect(
        client().send(new DescribeSecurityGroupsCommand({ GroupIds: ['sg-00000000000000000'] })),
      ).rejects.toMatchObject({
        name: 'InvalidGroup.NotFound',
        $metadata: { httpStatusCode: 400 },
      });
      // Another account's group is not found either.
      await expect(
        client(keysStorage).send(new DescribeSecurityGroupsCommand({ GroupIds: [ids.efsSg] })),
      ).rejects.toMatchObject({ name: 'InvalidGroup.NotFound' });
      await expect(
        client().send(new DescribeSecurityGroupsCommand({ GroupIds: ['nope'] })),
      ).rejects.toMatchObject({ name: 'InvalidGroupId.Malformed' });
      await expect(
        client().send(
          new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'no-such-filter', Values: ['x'] }] }),
        ),
      ).rejects.toMatchObject({
        name: 'InvalidParameterValue',
        message: "The filter 'no-such-filter' is invalid",
      });
    });
  });

  it('DescribeSecurityGroupRules filters by group-id and pages', async () => {
    const out = await client().send(
      new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: 'group-id', Values: [ids.efsSg] }] }),
    );
    // Three inbound rules plus the default egress rule.
    expect(out.SecurityGroupRules).toHaveLength(4);
    const nfsFromNodes = out.SecurityGroupRules!.find(
      (r) => r.ReferencedGroupInfo?.GroupId === ids.clusterSg,
    )!;
    expect(nfsFromNodes).toMatchObject({
      GroupId: ids.efsSg,
      GroupOwnerId: CLUSTER,
      IsEgress: false,
      IpProtocol: 'tcp',
      FromPort: 2049,
      ToPort: 2049,
    });
    expect(nfsFromNodes.SecurityGroupRuleId).toMatch(/^sgr-[0-9a-f]{17}$/);
    expect(out.SecurityGroupRules!.filter((r) => r.IsEgress)).toEqual([
      expect.objectContaining({ IpProtocol: '-1', CidrIpv4: '0.0.0.0/0', FromPort: -1, ToPort: -1 }),
    ]);

    const byId = await client().send(
      new DescribeSecurityGroupRulesCommand({ SecurityGroupRuleIds: [nfsFromNodes.SecurityGroupRuleId!] }),
    );
    expect(byId.SecurityGroupRules).toHaveLength(1);

    const page1 = await client().send(new DescribeSecurityGroupRulesCommand({ MaxResults: 5 }));
    expect(page1.SecurityGroupRules).toHaveLength(5);
    const page2 = await client().send(
      new DescribeSecurityGroupRulesCommand({ MaxResults: 5, NextToken: page1.NextToken }),
    );
    expect(page2.SecurityGroupRules!.length).toBeGreaterThan(0);
    expect(page2.SecurityGroupRules![0].SecurityGroupRuleId).not.toBe(
      page1.SecurityGroupRules![0].SecurityGroupRuleId,
    );
    await expect(
      client().send(
        new DescribeSecurityGroupRulesCommand({ SecurityGroupRuleIds: ['sgr-00000000000000000'] }),
      ),
    ).rejects.toMatchObject({
      name: 'InvalidSecurityGroupRuleId.NotFound',
    });
  });

  describe('DescribeAvailabilityZones', () => {
    it('maps names to IDs per account', async () => {
      const cluster = await client().send(new DescribeAvailabilityZonesCommand({}));
      const storage = await client(keysStorage).send(new DescribeAvailabilityZonesCommand({}));
      const mapOf = (zones: typeof cluster.AvailabilityZones) =>
        Object.fromEntries((zones ?? []).map((z) => [z.ZoneName, z.ZoneId]));
      expect(mapOf(cluster.AvailabilityZones)).toEqual({
        'eu-west-1a': 'euw1-az1',
        'eu-west-1b': 'euw1-az2',
        'eu-west-1c': 'euw1-az3',
      });
      expect(mapOf(storage.AvailabilityZones)).toEqual({
        'eu-west-1a': 'euw1-az3',
        'eu-west-1b': 'euw1-az1',
        'eu-west-1c': 'euw1-az2',
      });
      expect(cluster.AvailabilityZones![0]).toMatchObject({
        State: 'available',
        RegionName: REGION,
        ZoneType: 'availability-zone',
        OptInStatus: 'opt-in-not-required',
      });
    });

    it('selects by name, by ID and by filter; refuses unknown zones', async () => {
      await expect(
        client(keysStorage).send(new DescribeAvailabilityZonesCommand({ ZoneIds: ['euw1-az1'] })),
      ).resolves.toMatchObject({
        AvailabilityZones: [{ ZoneName: 'eu-west-1b', ZoneId: 'euw1-az1' }],
      });
      await expect(
        client().send(new DescribeAvailabilityZonesCommand({ ZoneNames: ['eu-west-1c'] })),
      ).resolves.toMatchObject({
        AvailabilityZones: [{ ZoneId: 'euw1-az3' }],
      });
      await expect(
        client().send(
          new DescribeAvailabilityZonesCommand({ Filters: [{ Name: 'zone-id', Values: ['euw1-az2'] }] }),
        ),
      ).resolves.toMatchObject({
        AvailabilityZones: [{ ZoneName: 'eu-west-1b' }],
      });
      await expect(
        client().send(new DescribeAvailabilityZonesCommand({ ZoneNames: ['eu-west-1z'] })),
      ).rejects.toMatchObject({ name: 'InvalidParameterValue' });
    });

    it('gives unseeded regions a default mapping derived from the account', async () => {
      const out = await client(keysCluster, 'ap-northeast-1').send(new DescribeAvailabilityZonesCommand({}));
      expect(out.AvailabilityZones?.map((z) => z.ZoneName)).toEqual([
        'ap-northeast-1a',
        'ap-northeast-1b',
        'ap-northeast-1c',
      ]);
      expect(out.AvailabilityZones?.map((z) => z.ZoneId).sort()).toEqual([
        'apne1-az1',
        'apne1-az2',
        'apne1-az3',
      ]);
      expect(zoneIdPrefix('us-east-1')).toBe('use1');
      expect(zoneIdPrefix('eu-central-1')).toBe('euc1');
      // Deterministic per account.
      expect(defaultAvailabilityZones(CLUSTER, 'ap-northeast-1')).toEqual(
        defaultAvailabilityZones(CLUSTER, 'ap-northeast-1'),
      );
    });
  });

  it('DescribeVpcPeeringConnections shows the peering to both accounts', async () => {
    for (const keys of [keysCluster, keysStorage]) {
      const out = await client(keys).send(new DescribeVpcPeeringConnectionsCommand({}));
      expect(out.VpcPeeringConnections).toEqual([
        expect.objectContaining({
          VpcPeeringConnectionId: ids.peering,
          Status: { Code: 'active', Message: 'Active' },
          RequesterVpcInfo: expect.objectContaining({
            VpcId: ids.clusterVpc,
            OwnerId: CLUSTER,
            CidrBlock: '10.0.0.0/16',
            Region: REGION,
          }),
          AccepterVpcInfo: expect.objectContaining({
            VpcId: ids.storageVpc,
            OwnerId: STORAGE,
            CidrBlock: '10.1.0.0/16',
          }),
        }),
      ]);
    }
    const filtered = await client().send(
      new DescribeVpcPeeringConnectionsCommand({
        Filters: [{ Name: 'accepter-vpc-info.vpc-id', Values: ['vpc-00000000000000000'] }],
      }),
    );
    expect(filtered.VpcPeeringConnections).toEqual([]);
    await expect(
      client().send(
        new DescribeVpcPeeringConnectionsCommand({ VpcPeeringConnectionIds: ['pcx-00000000000000000'] }),
      ),
    ).rejects.toMatchObject({
      name: 'InvalidVpcPeeringConnectionID.NotFound',
    });
  });

  it('DescribeRouteTables filters by vpc-id and association.subnet-id', async () => {
    const byVpc = await client().send(
      new DescribeRouteTablesCommand({ Filters: [{ Name: 'vpc-id', Values: [ids.clusterVpc] }] }),
    );
    expect(byVpc.RouteTables?.map((t) => t.RouteTableId).sort()).toEqual([ids.mainRtb, ids.rtb1].sort());
    const main = byVpc.RouteTables!.find((t) => t.RouteTableId === ids.mainRtb)!;
    expect(main.Associations).toEqual([expect.objectContaining({ Main: true, RouteTableId: ids.mainRtb })]);
    expect(main.Routes).toEqual([
      expect.objectContaining({ DestinationCidrBlock: '10.0.0.0/16', GatewayId: 'local', State: 'active' }),
    ]);

    const bySubnet = await client().send(
      new DescribeRouteTablesCommand({ Filters: [{ Name: 'association.subnet-id', Values: [ids.subnet1] }] }),
    );
    expect(bySubnet.RouteTables).toHaveLength(1);
    expect(bySubnet.RouteTables![0]).toMatchObject({
      RouteTableId: ids.rtb1,
      Associations: [expect.objectContaining({ Main: false, SubnetId: ids.subnet1 })],
      Routes: expect.arrayContaining([
        expect.objectContaining({ DestinationCidrBlock: '10.1.0.0/16', VpcPeeringConnectionId: ids.peering }),
      ]),
    });
    // subnet2 has no explicit association: it uses the main table, and the filter finds nothing.
    const none = await client().send(
      new DescribeRouteTablesCommand({ Filters: [{ Name: 'association.subnet-id', Values: [ids.subnet2] }] }),
    );
    expect(none.RouteTables).toEqual([]);
    const mainOnly = await client().send(
      new DescribeRouteTablesCommand({ Filters: [{ Name: 'association.main', Values: ['true'] }] }),
    );
    expect(mainOnly.RouteTables?.map((t) => t.RouteTableId)).toEqual([ids.mainRtb]);
    await expect(
      client().send(new DescribeRouteTablesCommand({ RouteTableIds: ['rtb-00000000000000000'] })),
    ).rejects.toMatchObject({
      name: 'InvalidRouteTableID.NotFound',
    });
  });

  it('DescribeSubnets and DescribeVpcs', async () => {
    const subnets = await client().send(
      new DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [ids.clusterVpc] }] }),
    );
    expect(subnets.Subnets?.map((s) => [s.SubnetId, s.AvailabilityZone, s.AvailabilityZoneId])).toEqual([
      [ids.subnet1, 'eu-west-1a', 'euw1-az1'],
      [ids.subnet2, 'eu-west-1b', 'euw1-az2'],
    ]);
    expect(subnets.Subnets![0]).toMatchObject({
      State: 'available',
      CidrBlock: '10.0.1.0/24',
      AvailableIpAddressCount: 251,
      OwnerId: CLUSTER,
    });
    // The storage account names the same physical zone (euw1-az1) eu-west-1b.
    await expect(
      client(keysStorage).send(new DescribeSubnetsCommand({ SubnetIds: [ids.storageSubnet] })),
    ).resolves.toMatchObject({
      Subnets: [{ AvailabilityZone: 'eu-west-1b', AvailabilityZoneId: 'euw1-az1' }],
    });
    await expect(
      client().send(new DescribeSubnetsCommand({ SubnetIds: ['subnet-00000000000000000'] })),
    ).rejects.toMatchObject({ name: 'InvalidSubnetID.NotFound' });

    const vpcs = await client().send(new DescribeVpcsCommand({}));
    expect(vpcs.Vpcs?.map((v) => v.VpcId)).toEqual([ids.clusterVpc]);
    expect(vpcs.Vpcs![0]).toMatchObject({
      CidrBlock: '10.0.0.0/16',
      State: 'available',
      Tags: [{ Key: 'Name', Value: 'cluster' }],
    });
    await expect(
      client().send(new DescribeVpcsCommand({ VpcIds: ['vpc-00000000000000000'] })),
    ).rejects.toMatchObject({ name: 'InvalidVpcID.NotFound' });
  });

  it('answers DryRun with DryRunOperation', async () => {
    await expect(client().send(new DescribeVpcsCommand({ DryRun: true }))).rejects.toMatchObject({
      name: 'DryRunOperation',
      $metadata: { httpStatusCode: 412 },
    });
  });

  it('throttles with RequestLimitExceeded 503 on demand', async () => {
    sandbox.faults.add({ service: 'ec2', operation: 'DescribeSecurityGroups', fail: 'throttle', times: 1 });
    await expect(client().send(new DescribeSecurityGroupsCommand({}))).rejects.toMatchObject({
      name: 'RequestLimitExceeded',
      $metadata: { httpStatusCode: 503 },
    });
    await expect(client().send(new DescribeSecurityGroupsCommand({}))).resolves.toBeDefined();
  });

  describe('bad requests get an EC2 error, never a crash', () => {
    async function raw(
      body: string,
      contentType = 'application/x-www-form-urlencoded',
    ): Promise<{ status: number; text: string }> {
      const url = new URL(sandbox.url);
      const signer = new SignatureV4({
        service: 'ec2',
        region: REGION,
        credentials: keysCluster,
        sha256: Sha256,
      });
      const signed = await signer.sign({
        method: 'POST',
        protocol: 'http:',
        hostname: url.hostname,
        port: Number(url.port),
        path: '/',
        headers: { host: url.host, 'content-type': contentType },
        body,
      });
      return new Promise((resolve, reject) => {
        const req = httpRequest(
          { host: url.hostname, port: url.port, method: 'POST', path: '/', headers: signed.headers },
          (res) => {
            let text = '';
            res.on('data', (c: Buffer) => (text += c.toString()));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    }

    it('unknown action', async () => {
      const out = await raw('Action=DescribeUnicorns&Version=2016-11-15');
      expect(out.status).toBe(400);
      expect(out.text).toContain('<Code>InvalidAction</Code>');
    });

    it('missing action and a body that is not a form', async () => {
      expect((await raw('Version=2016-11-15')).text).toContain('<Code>MissingAction</Code>');
      const json = await raw('{"Action": "DescribeVpcs"}', 'application/json');
      expect(json.status).toBe(400);
      expect(json.text).toContain('<Code>MissingAction</Code>');
    });

    it('malformed form values', async () => {
      const out = await raw(
        'Action=DescribeSecurityGroups&Version=2016-11-15&Filter.1.Value.1=x&MaxResults=%ZZ',
      );
      expect(out.status).toBe(400);
      expect(out.text).toContain('<Code>InvalidParameterValue</Code>');
    });
  });
});
