import { request as httpRequest } from 'node:http';
import { Sha256 } from '@aws-crypto/sha256-js';
import {
  ChangeResourceRecordSetsCommand,
  GetChangeCommand,
  GetHostedZoneCommand,
  ListHostedZonesByVPCCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
  type ListResourceRecordSetsCommandInput,
  type ResourceRecordSet,
} from '@aws-sdk/client-route-53';
import { SignatureV4 } from '@smithy/signature-v4';
import { addAccount, startSandbox, type Sandbox } from '../index';
import {
  addFileSystem,
  addHostedZone,
  addMountTarget,
  addMountTargetDnsZone,
  addSubnet,
  addVpc,
} from './network-seed';

const CLUSTER = '111111111111';
const STORAGE = '222222222222';
const REGION = 'eu-west-1';

describe('Route 53 through @aws-sdk/client-route-53', () => {
  let sandbox: Sandbox;
  let keysCluster: { accessKeyId: string; secretAccessKey: string };
  let keysStorage: { accessKeyId: string; secretAccessKey: string };
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    sandbox = await startSandbox({
      seed: (state) => {
        keysCluster = addAccount(state, CLUSTER);
        keysStorage = addAccount(state, STORAGE);
        const clusterVpc = addVpc(state, CLUSTER, { cidrBlock: '10.0.0.0/16' });
        ids.vpc = clusterVpc.vpcId;
        const storageVpc = addVpc(state, STORAGE, { cidrBlock: '10.1.0.0/16' });
        const storageSubnet = addSubnet(state, STORAGE, {
          vpcId: storageVpc.vpcId,
          cidrBlock: '10.1.1.0/24',
          availabilityZoneId: 'euw1-az2',
        });
        const fs = addFileSystem(state, STORAGE, { fileSystemId: 'fs-0abc0abc0abc0abc0' });
        const mt = addMountTarget(state, STORAGE, {
          fileSystemId: fs.fileSystemId,
          subnetId: storageSubnet.subnetId,
          ipAddress: '10.1.1.25',
        });
        ids.mtZone = addMountTargetDnsZone(state, {
          clusterAccountId: CLUSTER,
          clusterVpcId: clusterVpc.vpcId,
          fileSystemAccountId: STORAGE,
          mountTargetId: mt.mountTargetId,
        }).id;
        const records = [
          { name: 'www.example.internal', type: 'A', values: ['10.0.0.10'] },
          { name: 'api.example.internal', type: 'A', values: ['10.0.0.11'] },
          { name: 'api.example.internal', type: 'TXT', values: ['"v=1"'] },
          { name: 'a.b.example.internal', type: 'CNAME', values: ['www.example.internal'] },
          { name: 'z.example.internal', type: 'AAAA', values: ['fd00::1'] },
          { name: '*.example.internal', type: 'A', values: ['10.0.0.12'] },
          { name: 'mail.example.internal', type: 'MX', values: ['10 mx.example.internal'] },
        ];
        ids.bigZone = addHostedZone(state, CLUSTER, {
          name: 'example.internal',
          vpcs: [{ vpcId: clusterVpc.vpcId }],
          records,
          comment: 'big',
        }).id;
        // More private zones on the same VPC, one owned by the storage account.
        for (let i = 0; i < 3; i++)
          addHostedZone(state, CLUSTER, { name: `zone${i}.internal`, vpcs: [{ vpcId: clusterVpc.vpcId }] });
        ids.foreignZone = addHostedZone(state, STORAGE, {
          name: 'shared.internal',
          vpcs: [{ vpcId: clusterVpc.vpcId, vpcRegion: REGION }],
        }).id;
        // A public zone and a zone of another VPC are not listed.
        ids.publicZone = addHostedZone(state, CLUSTER, { name: 'example.com' }).id;
        addHostedZone(state, CLUSTER, { name: 'other.internal', vpcs: [{ vpcId: 'vpc-00000000000000009' }] });
      },
    });
  });
  afterAll(() => sandbox.stop());

  const client = (keys = keysCluster) =>
    new Route53Client({ endpoint: sandbox.url, region: 'us-east-1', credentials: keys, maxAttempts: 1 });

  it('ListHostedZonesByVPC lists every private zone of the VPC, whichever account owns it, and pages with NextToken', async () => {
    const all = await client().send(new ListHostedZonesByVPCCommand({ VPCId: ids.vpc, VPCRegion: REGION }));
    expect(all.HostedZoneSummaries).toHaveLength(6);
    expect(all.NextToken).toBeUndefined();
    expect(all.HostedZoneSummaries).toEqual(
      expect.arrayContaining([
        { HostedZoneId: ids.foreignZone, Name: 'shared.internal.', Owner: { OwningAccount: STORAGE } },
        expect.objectContaining({
          HostedZoneId: ids.mtZone,
          Name: expect.stringMatching(/^euw1-az2\.fs-0abc0abc0abc0abc0\.efs\.eu-west-1\.amazonaws\.com\.$/),
        }),
      ]),
    );
    expect(all.HostedZoneSummaries!.map((z) => z.HostedZoneId)).not.toContain(ids.publicZone);

    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await client().send(
        new ListHostedZonesByVPCCommand({ VPCId: ids.vpc, VPCRegion: REGION, MaxItems: 4, NextToken: token }),
      );
      expect(page.MaxItems).toBe(4);
      seen.push(...page.HostedZoneSummaries!.map((z) => z.HostedZoneId!));
      token = page.NextToken;
      pages++;
    } while (token);
    expect(pages).toBe(2);
    expect(new Set(seen).size).toBe(6);

    await expect(
      client().send(new ListHostedZonesByVPCCommand({ VPCId: ids.vpc, VPCRegion: 'us-east-1' })),
    ).resolves.toMatchObject({ HostedZoneSummaries: [] });
  });

  it('ListHostedZonesByVPC refuses missing parameters and bad tokens', async () => {
    await expect(
      client().send(
        new ListHostedZonesByVPCCommand({ VPCId: ids.vpc, VPCRegion: undefined as unknown as 'eu-west-1' }),
      ),
    ).rejects.toMatchObject({
      name: 'InvalidInput',
      $metadata: { httpStatusCode: 400 },
    });
    await expect(
      client().send(
        new ListHostedZonesByVPCCommand({ VPCId: ids.vpc, VPCRegion: REGION, NextToken: 'bogus' }),
      ),
    ).rejects.toMatchObject({
      name: 'InvalidPaginationToken',
    });
  });

  describe('ListResourceRecordSets', () => {
    it('lists apex NS/SOA then records sorted by reversed labels and type', async () => {
      const out = await client().send(new ListResourceRecordSetsCommand({ HostedZoneId: ids.bigZone }));
      expect(out.IsTruncated).toBe(false);
      expect(out.ResourceRecordSets!.map((r) => `${r.Name} ${r.Type}`)).toEqual([
        'example.internal. NS',
        'example.internal. SOA',
        '\\052.example.internal. A',
        // internal.example.api sorts before internal.example.b.a
        'api.example.internal. A',
        'api.example.internal. TXT',
        'a.b.example.internal. CNAME',
        'mail.example.internal. MX',
        'www.example.internal. A',
        'z.example.internal. AAAA',
      ]);
      expect(out.ResourceRecordSets!.find((r) => r.Name === 'www.example.internal.')).toMatchObject({
        TTL: 300,
        ResourceRecords: [{ Value: '10.0.0.10' }],
      });
    });

    it('pages by hand with StartRecordName/StartRecordType and NextRecordName/NextRecordType', async () => {
      const collected: ResourceRecordSet[] = [];
      let input: ListResourceRecordSetsCommandInput = {
        HostedZoneId: `/hostedzone/${ids.bigZone}`,
        MaxItems: 2,
      };
      let pages = 0;
      for (;;) {
        const page = await client().send(new ListResourceRecordSetsCommand(input));
        pages++;
        expect(page.ResourceRecordSets!.length).toBeLessThanOrEqual(2);
        collected.push(...page.ResourceRecordSets!);
        if (!page.IsTruncated) break;
        expect(page.NextRecordName).toBeDefined();
        input = {
          ...input,
          StartRecordName: page.NextRecordName,
          StartRecordType: page.NextRecordType as ListResourceRecordSetsCommandInput['StartRecordType'],
        };
      }
      expect(pages).toBe(5);
      expect(collected.map((r) => `${r.Name} ${r.Type}`)).toHaveLength(9);
      expect(new Set(collected.map((r) => `${r.Name} ${r.Type}`)).size).toBe(9);
      // Splitting between two types of one name works.
      const mid = await client().send(
        new ListResourceRecordSetsCommand({
          HostedZoneId: ids.bigZone,
          StartRecordName: 'api.example.internal',
          StartRecordType: 'TXT',
          MaxItems: 1,
        }),
      );
      expect(mid.ResourceRecordSets).toEqual([
        expect.objectContaining({ Name: 'api.example.internal.', Type: 'TXT' }),
      ]);
      expect(mid).toMatchObject({
        IsTruncated: true,
        NextRecordName: 'a.b.example.internal.',
        NextRecordType: 'CNAME',
        MaxItems: 1,
      });
      // A name that does not exist starts at the next one in reversed-label order.
      const after = await client().send(
        new ListResourceRecordSetsCommand({
          HostedZoneId: ids.bigZone,
          StartRecordName: 'b.example.internal',
          MaxItems: 1,
        }),
      );
      expect(after.ResourceRecordSets![0].Name).toBe('a.b.example.internal.');
      const later = await client().send(
        new ListResourceRecordSetsCommand({
          HostedZoneId: ids.bigZone,
          StartRecordName: 'c.example.internal',
          MaxItems: 1,
        }),
      );
      expect(later.ResourceRecordSets![0].Name).toBe('mail.example.internal.');
    });

    it('answers NoSuchHostedZone (404) and InvalidInput', async () => {
      await expect(
        client().send(new ListResourceRecordSetsCommand({ HostedZoneId: 'ZNOSUCHZONE000000000' })),
      ).rejects.toMatchObject({
        name: 'NoSuchHostedZone',
        $metadata: { httpStatusCode: 404 },
      });
      // The storage account's zone is not the cluster account's to read.
      await expect(
        client().send(new ListResourceRecordSetsCommand({ HostedZoneId: ids.foreignZone })),
      ).rejects.toMatchObject({ name: 'NoSuchHostedZone' });
      await expect(
        client(keysStorage).send(new ListResourceRecordSetsCommand({ HostedZoneId: ids.foreignZone })),
      ).resolves.toMatchObject({ IsTruncated: false });
      await expect(
        client().send(new ListResourceRecordSetsCommand({ HostedZoneId: ids.bigZone, StartRecordType: 'A' })),
      ).rejects.toMatchObject({
        name: 'InvalidInput',
        $metadata: { httpStatusCode: 400 },
      });
      await expect(
        client().send(
          new ListResourceRecordSetsCommand({
            HostedZoneId: ids.bigZone,
            StartRecordName: 'x.',
            StartRecordType: 'BOGUS' as 'A',
          }),
        ),
      ).rejects.toMatchObject({ name: 'InvalidInput' });
    });
  });

  it('GetHostedZone returns the zone with its VPCs (private) or delegation set (public)', async () => {
    const priv = await client().send(new GetHostedZoneCommand({ Id: ids.bigZone }));
    expect(priv).toMatchObject({
      HostedZone: {
        Id: `/hostedzone/${ids.bigZone}`,
        Name: 'example.internal.',
        Config: { PrivateZone: true, Comment: 'big' },
        ResourceRecordSetCount: 9,
      },
      VPCs: [{ VPCId: ids.vpc, VPCRegion: REGION }],
    });
    const pub = await client().send(new GetHostedZoneCommand({ Id: ids.publicZone }));
    expect(pub.HostedZone?.Config?.PrivateZone).toBe(false);
    expect(pub.DelegationSet?.NameServers?.length).toBeGreaterThan(0);
    await expect(
      client().send(new GetHostedZoneCommand({ Id: 'ZNOSUCHZONE000000000' })),
    ).rejects.toMatchObject({ name: 'NoSuchHostedZone' });
  });

  describe('ChangeResourceRecordSets', () => {
    const change = (
      Action: 'CREATE' | 'DELETE' | 'UPSERT',
      Name: string,
      Value: string,
      zoneId = ids.changeZone,
    ) =>
      client().send(
        new ChangeResourceRecordSetsCommand({
          HostedZoneId: zoneId,
          ChangeBatch: {
            Comment: 'test',
            Changes: [
              { Action, ResourceRecordSet: { Name, Type: 'A', TTL: 60, ResourceRecords: [{ Value }] } },
            ],
          },
        }),
      );
    const names = async () =>
      (await client().send(new ListResourceRecordSetsCommand({ HostedZoneId: ids.changeZone })))
        .ResourceRecordSets!.filter((r) => r.Type === 'A')
        .map((r) => `${r.Name} ${r.ResourceRecords?.[0]?.Value}`);

    beforeAll(() => {
      ids.changeZone = addHostedZone(sandbox.state, CLUSTER, {
        name: 'changes.internal',
        vpcs: [{ vpcId: ids.vpc }],
      }).id;
    });

    it('creates, upserts and deletes records; GetChange reports the change', async () => {
      const created = await change('CREATE', 'db.changes.internal', '10.0.0.1');
      expect(created.ChangeInfo).toMatchObject({
        Id: expect.stringMatching(/^\/change\/C[0-9A-Z]+$/),
        Status: 'INSYNC',
        Comment: 'test',
      });
      expect(created.ChangeInfo!.SubmittedAt).toBeInstanceOf(Date);
      await expect(
        client().send(new GetChangeCommand({ Id: created.ChangeInfo!.Id })),
      ).resolves.toMatchObject({ ChangeInfo: { Status: 'INSYNC' } });
      await change('UPSERT', 'db.changes.internal', '10.0.0.2');
      expect(await names()).toEqual(['db.changes.internal. 10.0.0.2']);
      await change('DELETE', 'db.changes.internal', '10.0.0.2');
      expect(await names()).toEqual([]);
      await expect(client().send(new GetChangeCommand({ Id: 'CNOSUCHCHANGE' }))).rejects.toMatchObject({
        name: 'NoSuchChange',
        $metadata: { httpStatusCode: 404 },
      });
    });

    it('refuses an invalid batch with InvalidChangeBatch, all or nothing', async () => {
      await change('CREATE', 'one.changes.internal', '10.0.0.3');
      await expect(change('CREATE', 'one.changes.internal', '10.0.0.4')).rejects.toMatchObject({
        name: 'InvalidChangeBatch',
        message:
          "[Tried to create resource record set [name='one.changes.internal.', type='A'] but it already exists]",
      });
      await expect(change('DELETE', 'two.changes.internal', '10.0.0.5')).rejects.toMatchObject({
        name: 'InvalidChangeBatch',
      });
      await expect(change('DELETE', 'one.changes.internal', '10.9.9.9')).rejects.toMatchObject({
        name: 'InvalidChangeBatch',
      });
      await expect(change('CREATE', 'elsewhere.example.com', '10.0.0.6')).rejects.toMatchObject({
        name: 'InvalidChangeBatch',
      });
      await expect(
        client().send(
          new ChangeResourceRecordSetsCommand({
            HostedZoneId: ids.changeZone,
            ChangeBatch: {
              Changes: [
                {
                  Action: 'CREATE',
                  ResourceRecordSet: {
                    Name: 'three.changes.internal',
                    Type: 'A',
                    TTL: 60,
                    ResourceRecords: [{ Value: '10.0.0.7' }],
                  },
                },
                {
                  Action: 'DELETE',
                  ResourceRecordSet: {
                    Name: 'missing.changes.internal',
                    Type: 'A',
                    TTL: 60,
                    ResourceRecords: [{ Value: '10.0.0.8' }],
                  },
                },
              ],
            },
          }),
        ),
      ).rejects.toMatchObject({ name: 'InvalidChangeBatch' });
      expect(await names()).toEqual(['one.changes.internal. 10.0.0.3']);
      await expect(
        change('CREATE', 'x.changes.internal', '10.0.0.9', 'ZNOSUCHZONE000000000'),
      ).rejects.toMatchObject({ name: 'NoSuchHostedZone' });
    });

    it('answers PriorRequestNotComplete while a change to the zone is processing; the change is PENDING until then', async () => {
      const account = sandbox.state.accounts.get(CLUSTER)!;
      // A zone of its own: the fake clock leaves its changes PENDING in real time afterwards.
      const busyZone = addHostedZone(sandbox.state, CLUSTER, {
        name: 'busy.internal',
        vpcs: [{ vpcId: ids.vpc }],
      }).id;
      const upsert = (value: string) => change('UPSERT', 'db.busy.internal', value, busyZone);
      const realNow = sandbox.state.now;
      let clock = Date.now();
      sandbox.state.now = () => clock;
      account.ec2.route53ChangeProcessingMs = 1000;
      try {
        const first = await upsert('10.0.1.1');
        expect(first.ChangeInfo?.Status).toBe('PENDING');
        await expect(upsert('10.0.1.2')).rejects.toMatchObject({
          name: 'PriorRequestNotComplete',
          $metadata: { httpStatusCode: 400 },
        });
        await expect(
          client().send(new GetChangeCommand({ Id: first.ChangeInfo!.Id })),
        ).resolves.toMatchObject({ ChangeInfo: { Status: 'PENDING' } });
        clock += 1001;
        await expect(
          client().send(new GetChangeCommand({ Id: first.ChangeInfo!.Id })),
        ).resolves.toMatchObject({ ChangeInfo: { Status: 'INSYNC' } });
        await expect(upsert('10.0.1.2')).resolves.toMatchObject({
          ChangeInfo: { Status: 'PENDING' },
        });
        clock += 1001;
      } finally {
        account.ec2.route53ChangeProcessingMs = 0;
        sandbox.state.now = realNow;
      }
    });

    it('refuses a malformed XML body with InvalidInput', async () => {
      const out = await rawRoute53(
        'POST',
        `/2013-04-01/hostedzone/${ids.changeZone}/rrset`,
        '<ChangeResourceRecordSetsRequest><ChangeBatch>',
      );
      expect(out.status).toBe(400);
      expect(out.text).toContain('<Code>InvalidInput</Code>');
      const empty = await rawRoute53(
        'POST',
        `/2013-04-01/hostedzone/${ids.changeZone}/rrset`,
        '<ChangeResourceRecordSetsRequest><ChangeBatch/></ChangeResourceRecordSetsRequest>',
      );
      expect(empty.text).toContain('<Code>InvalidInput</Code>');
    });
  });

  async function rawRoute53(
    method: string,
    path: string,
    body = '',
  ): Promise<{ status: number; text: string }> {
    const url = new URL(sandbox.url);
    const signer = new SignatureV4({
      service: 'route53',
      region: 'us-east-1',
      credentials: keysCluster,
      sha256: Sha256,
    });
    const signed = await signer.sign({
      method,
      protocol: 'http:',
      hostname: url.hostname,
      port: Number(url.port),
      path,
      headers: { host: url.host },
      body,
    });
    return new Promise((resolve, reject) => {
      const req = httpRequest(
        { host: url.hostname, port: url.port, method, path, headers: signed.headers },
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

  it('throttles with Throttling (400) in the Route 53 error shape', async () => {
    sandbox.faults.add({
      service: 'route53',
      operation: 'ListResourceRecordSets',
      fail: 'throttle',
      times: 1,
    });
    await expect(
      client().send(new ListResourceRecordSetsCommand({ HostedZoneId: ids.bigZone })),
    ).rejects.toMatchObject({
      name: 'Throttling',
      message: 'Rate exceeded',
      $metadata: { httpStatusCode: 400 },
    });
    await expect(
      client().send(new ListResourceRecordSetsCommand({ HostedZoneId: ids.bigZone })),
    ).resolves.toBeDefined();
  });

  it('an unknown path gets an InvalidInput error body, never a crash', async () => {
    const out = await rawRoute53('GET', '/2013-04-01/unicorns');
    expect(out.status).toBe(400);
    expect(out.text).toMatch(
      /<ErrorResponse xmlns="https:\/\/route53\.amazonaws\.com\/doc\/2013-04-01\/"><Error><Type>Sender<\/Type><Code>InvalidInput<\/Code>/,
    );
  });
});
