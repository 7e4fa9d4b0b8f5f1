import { request as httpRequest } from 'node:http';
import { Sha256 } from '@aws-crypto/sha256-js';
import {
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
    const url = new URL(sandbox.url);
    const signer = new SignatureV4({
      service: 'route53',
      region: 'us-east-1',
      credentials: keysCluster,
      sha256: Sha256,
    });
    const signed = await signer.sign({
      method: 'GET',
      protocol: 'http:',
      hostname: url.hostname,
      port: Number(url.port),
      path: '/2013-04-01/unicorns',
      headers: { host: url.host },
    });
    const out = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = httpRequest(
        {
          host: url.hostname,
          port: url.port,
          method: 'GET',
          path: '/2013-04-01/unicorns',
          headers: signed.headers,
        },
        (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(out.status).toBe(400);
    expect(out.text).toMatch(
      /<ErrorResponse xmlns="https:\/\/route53\.amazonaws\.com\/doc\/2013-04-01\/"><Error><Type>Sender<\/Type><Code>InvalidInput<\/Code>/,
    );
  });
});
