import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  DescribeAvailabilityZonesCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcPeeringConnectionsCommand,
  DescribeVpcsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import {
  DescribeAccessPointsCommand,
  DescribeFileSystemPolicyCommand,
  DescribeFileSystemsCommand,
  DescribeMountTargetsCommand,
  EFSClient,
} from '@aws-sdk/client-efs';
import {
  DescribeAddonCommand,
  DescribeAddonConfigurationCommand,
  DescribeClusterCommand,
  DescribeNodegroupCommand,
  DescribePodIdentityAssociationCommand,
  EKSClient,
  ListAddonsCommand,
  ListClustersCommand,
  ListNodegroupsCommand,
  ListPodIdentityAssociationsCommand,
} from '@aws-sdk/client-eks';
import {
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListInstanceProfilesForRoleCommand,
  ListOpenIDConnectProvidersCommand,
  ListRolePoliciesCommand,
} from '@aws-sdk/client-iam';
import {
  ListHostedZonesByVPCCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
} from '@aws-sdk/client-route-53';
import { GetBucketPolicyCommand, S3Client } from '@aws-sdk/client-s3';
import {
  GetFileSystemCommand,
  GetFileSystemPolicyCommand,
  ListAccessPointsCommand,
  ListFileSystemsCommand,
  ListMountTargetsCommand,
  S3FilesClient,
} from '@aws-sdk/client-s3files';
import { adminCredentials, startSandbox, type Sandbox } from '../index';
import { clients } from '../kube/__fixtures__/cluster';
import {
  durationMs,
  listScenarios,
  loadScenario,
  parseScenario,
  readScenario,
  SCENARIO_DIR,
  scenarioNames,
  ScenarioError,
  type ScenarioData,
} from './load';

const REGION = 'eu-west-1';
const PLATFORM = '111122223333';
const STORAGE = '444455556666';

function aws(sandbox: Sandbox, accountId: string) {
  const credentials = adminCredentials(sandbox.state, accountId);
  if (!credentials) throw new Error(`no account ${accountId}`);
  const config = { endpoint: sandbox.url, region: REGION, credentials, maxAttempts: 1 };
  return {
    iam: new IAMClient(config),
    eks: new EKSClient(config),
    efs: new EFSClient(config),
    ec2: new EC2Client(config),
    route53: new Route53Client(config),
    s3files: new S3FilesClient(config),
    s3: new S3Client({ ...config, forcePathStyle: true }),
  };
}

const policyOf = (text: string | undefined): unknown => JSON.parse(decodeURIComponent(text ?? ''));
const asObject = (policy: unknown): unknown => (typeof policy === 'string' ? JSON.parse(policy) : policy);
const sorted = <T>(list: T[]) => [...list].sort();

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return (error as Error).name;
  }
  return 'no error';
}

describe('bundled scenarios', () => {
  it('are the ones the demo and e2e tests name, each with a header comment naming rule IDs', () => {
    expect(scenarioNames()).toEqual(
      sorted([
        'healthy',
        'deny-only-policy',
        'never-restarted',
        'wrong-irsa-sub',
        'old-addon',
        'addon-update-dropped-association',
        'cross-account',
        'no-policy',
        'node-role-fallback',
        'fallback-to-instance-role',
        'mounted-before-association',
        'access-denied-in-logs',
        'demo',
        's3files-healthy',
        's3files-bucket-deny',
        's3files-broad-managed-policies',
      ]),
    );
    for (const name of scenarioNames()) {
      const text = readFileSync(path.join(SCENARIO_DIR, `${name}.yaml`), 'utf8');
      expect(text.startsWith(`# ${name}: `)).toBe(true);
      const header = text.slice(0, text.indexOf('\ndescription:'));
      expect(header).toMatch(/\n# Rules:[\s\S]*\b[A-Z0-9]{2,3}-\d{2}\b/);
      // Every rule ID the data lists is named in the header comment too.
      for (const id of readScenario(name).rules ?? []) expect(header).toContain(id);
    }
    expect(listScenarios().find((s) => s.name === 'healthy')?.description).toMatch(/Pod Identity/);
  });

  describe.each(scenarioNames())('%s, read back through the SDK clients and client-node', (name) => {
    let sandbox: Sandbox;
    let data: ScenarioData;

    beforeAll(async () => {
      data = readScenario(name);
      sandbox = await startSandbox({ seed: (state) => loadScenario(state, data, `${name}.yaml`) });
    });
    afterAll(() => sandbox.stop());

    it('has the IAM roles with their trust, inline and managed policies, instance profiles and OIDC providers', async () => {
      for (const account of data.accounts) {
        const { iam } = aws(sandbox, account.id);
        for (const role of account.roles ?? []) {
          const got = await iam.send(new GetRoleCommand({ RoleName: role.name }));
          expect(got.Role?.Arn).toBe(`arn:aws:iam::${account.id}:role/${role.name}`);
          expect(policyOf(got.Role?.AssumeRolePolicyDocument)).toEqual(asObject(role.trustPolicy));
          const inline = await iam.send(new ListRolePoliciesCommand({ RoleName: role.name }));
          expect(sorted(inline.PolicyNames ?? [])).toEqual(sorted(Object.keys(role.inlinePolicies ?? {})));
          for (const [policyName, document] of Object.entries(role.inlinePolicies ?? {})) {
            const doc = await iam.send(
              new GetRolePolicyCommand({ RoleName: role.name, PolicyName: policyName }),
            );
            expect(policyOf(doc.PolicyDocument)).toEqual(asObject(document));
          }
          const attached = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: role.name }));
          expect(sorted((attached.AttachedPolicies ?? []).map((p) => p.PolicyArn ?? ''))).toEqual(
            sorted(role.managedPolicyArns ?? []),
          );
          const profiles = await iam.send(new ListInstanceProfilesForRoleCommand({ RoleName: role.name }));
          expect((profiles.InstanceProfiles ?? []).length).toBe(role.nodeInstanceRole ? 1 : 0);
        }
        const providers = await iam.send(new ListOpenIDConnectProvidersCommand({}));
        expect(providers.OpenIDConnectProviderList ?? []).toHaveLength((account.oidcProviders ?? []).length);
      }
    });

    it('has the networks: AZ mapping, VPCs, subnets, security groups, route tables, peerings and hosted zones', async () => {
      for (const account of data.accounts) {
        const { ec2, route53 } = aws(sandbox, account.id);
        const zones = await ec2.send(new DescribeAvailabilityZonesCommand({}));
        for (const [zoneName, zoneId] of Object.entries(account.network?.availabilityZones?.[REGION] ?? {})) {
          expect(zones.AvailabilityZones?.find((z) => z.ZoneName === zoneName)?.ZoneId).toBe(zoneId);
        }
        const vpcs = account.network?.vpcs ?? [];
        expect(
          sorted(((await ec2.send(new DescribeVpcsCommand({}))).Vpcs ?? []).map((v) => v.VpcId ?? '')),
        ).toEqual(sorted(vpcs.map((v) => v.id)));
        const subnets = (await ec2.send(new DescribeSubnetsCommand({}))).Subnets ?? [];
        for (const subnet of vpcs.flatMap((v) => v.subnets ?? [])) {
          expect(subnets.find((s) => s.SubnetId === subnet.id)).toMatchObject({
            CidrBlock: subnet.cidr,
            ...(subnet.az ? { AvailabilityZone: subnet.az } : {}),
          });
        }
        const groups = (await ec2.send(new DescribeSecurityGroupsCommand({}))).SecurityGroups ?? [];
        for (const group of vpcs.flatMap((v) => v.securityGroups ?? [])) {
          const got = groups.find((g) => g.GroupId === group.id);
          expect(got?.GroupName).toBe(group.name);
          expect(got?.IpPermissions?.length).toBe(
            (group.rules ?? []).filter((r) => r.direction !== 'egress').length,
          );
        }
        const tables = (await ec2.send(new DescribeRouteTablesCommand({}))).RouteTables ?? [];
        for (const table of vpcs.flatMap((v) => v.routeTables ?? [])) {
          const got = tables.find((t) => t.RouteTableId === table.id);
          // EC2's local route plus the scenario's.
          expect(got?.Routes).toHaveLength(1 + (table.routes ?? []).length);
          for (const r of table.routes ?? []) {
            expect(
              got?.Routes?.find((g) => g.DestinationCidrBlock === r.destination)?.VpcPeeringConnectionId,
            ).toBe(r.peering);
          }
        }
        const peerings =
          (await ec2.send(new DescribeVpcPeeringConnectionsCommand({}))).VpcPeeringConnections ?? [];
        const expected = (data.peerings ?? []).filter(
          (p) => p.requester.account === account.id || p.accepter.account === account.id,
        );
        expect(sorted(peerings.map((p) => p.VpcPeeringConnectionId ?? ''))).toEqual(
          sorted(expected.map((p) => p.id)),
        );
        for (const zone of account.network?.hostedZones ?? []) {
          const vpcId = zone.vpcs?.[0] as string;
          const found = await route53.send(
            new ListHostedZonesByVPCCommand({ VPCId: vpcId, VPCRegion: REGION }),
          );
          const summary = found.HostedZoneSummaries?.find((z) => z.Name === `${zone.name}.`);
          expect(summary).toBeDefined();
          const records = await route53.send(
            new ListResourceRecordSetsCommand({ HostedZoneId: summary?.HostedZoneId }),
          );
          for (const record of zone.records ?? []) {
            const got = records.ResourceRecordSets?.find(
              (r) => r.Type === record.type && r.Name === `${record.name}.`,
            );
            expect(got?.ResourceRecords?.map((v) => v.Value)).toEqual(record.values);
          }
        }
      }
    });

    it('has the file systems with their policies (or none), mount targets per AZ ID and access points', async () => {
      for (const account of data.accounts) {
        const { efs } = aws(sandbox, account.id);
        const fileSystems = (await efs.send(new DescribeFileSystemsCommand({}))).FileSystems ?? [];
        expect(sorted(fileSystems.map((f) => f.FileSystemId ?? ''))).toEqual(
          sorted((account.fileSystems ?? []).map((f) => f.id)),
        );
        for (const fs of account.fileSystems ?? []) {
          if (fs.policy === undefined || fs.policy === null) {
            expect(await codeOf(efs.send(new DescribeFileSystemPolicyCommand({ FileSystemId: fs.id })))).toBe(
              'PolicyNotFound',
            );
          } else {
            const got = await efs.send(new DescribeFileSystemPolicyCommand({ FileSystemId: fs.id }));
            expect(JSON.parse(got.Policy ?? '')).toEqual(asObject(fs.policy));
          }
          const targets =
            (await efs.send(new DescribeMountTargetsCommand({ FileSystemId: fs.id }))).MountTargets ?? [];
          expect(sorted(targets.map((t) => `${t.AvailabilityZoneId} ${t.IpAddress}`))).toEqual(
            sorted((fs.mountTargets ?? []).map((t) => `${t.azId} ${t.ip}`)),
          );
          const points =
            (await efs.send(new DescribeAccessPointsCommand({ FileSystemId: fs.id }))).AccessPoints ?? [];
          expect(sorted(points.map((p) => p.AccessPointId ?? ''))).toEqual(
            sorted((fs.accessPoints ?? []).map((p) => p.id)),
          );
        }
      }
    });

    it('has the S3 file systems with bucket, prefix, role and policy, their mount targets and access points, and the bucket policies', async () => {
      for (const account of data.accounts) {
        const { s3files, s3 } = aws(sandbox, account.id);
        const listed = (await s3files.send(new ListFileSystemsCommand({}))).fileSystems ?? [];
        expect(sorted(listed.map((f) => f.fileSystemId ?? ''))).toEqual(
          sorted((account.s3FileSystems ?? []).map((f) => f.id)),
        );
        for (const fs of account.s3FileSystems ?? []) {
          const got = await s3files.send(new GetFileSystemCommand({ fileSystemId: fs.id }));
          expect(got.bucket).toBe(fs.bucket.startsWith('arn:') ? fs.bucket : `arn:aws:s3:::${fs.bucket}`);
          expect(got.prefix).toBe(fs.prefix ?? '');
          expect(got.roleArn).toMatch(/^arn:aws:iam::\d{12}:role\//);
          if (fs.policy === undefined || fs.policy === null) {
            expect(await codeOf(s3files.send(new GetFileSystemPolicyCommand({ fileSystemId: fs.id })))).toBe(
              'ResourceNotFoundException',
            );
          } else {
            const policy = await s3files.send(new GetFileSystemPolicyCommand({ fileSystemId: fs.id }));
            expect(JSON.parse(policy.policy ?? '')).toEqual(asObject(fs.policy));
          }
          const targets =
            (await s3files.send(new ListMountTargetsCommand({ fileSystemId: fs.id }))).mountTargets ?? [];
          expect(sorted(targets.map((t) => `${t.availabilityZoneId} ${t.ipv4Address}`))).toEqual(
            sorted((fs.mountTargets ?? []).map((t) => `${t.azId} ${t.ip}`)),
          );
          const points =
            (await s3files.send(new ListAccessPointsCommand({ fileSystemId: fs.id }))).accessPoints ?? [];
          expect(sorted(points.map((p) => p.accessPointId ?? ''))).toEqual(
            sorted((fs.accessPoints ?? []).map((p) => p.id)),
          );
        }
        for (const bucket of account.buckets ?? []) {
          if (bucket.policy === undefined || bucket.policy === null) {
            expect(await codeOf(s3.send(new GetBucketPolicyCommand({ Bucket: bucket.name })))).toBe(
              'NoSuchBucketPolicy',
            );
          } else {
            const got = await s3.send(new GetBucketPolicyCommand({ Bucket: bucket.name }));
            expect(JSON.parse(got.Policy ?? '')).toEqual(asObject(bucket.policy));
          }
        }
      }
    });

    it('has the clusters with add-ons, associations, node groups and the Kubernetes objects', async () => {
      for (const account of data.accounts) {
        const { eks } = aws(sandbox, account.id);
        const clusters = account.clusters ?? [];
        expect(sorted((await eks.send(new ListClustersCommand({}))).clusters ?? [])).toEqual(
          sorted(clusters.map((c) => c.name)),
        );
        for (const c of clusters) {
          const cluster = (await eks.send(new DescribeClusterCommand({ name: c.name }))).cluster;
          expect(cluster?.endpoint).toBe(`${sandbox.url}/k8s/${account.id}/${c.region ?? REGION}/${c.name}`);
          if (c.oidcId)
            expect(cluster?.identity?.oidc?.issuer).toBe(
              `https://oidc.eks.${REGION}.amazonaws.com/id/${c.oidcId}`,
            );
          expect(
            sorted((await eks.send(new ListAddonsCommand({ clusterName: c.name }))).addons ?? []),
          ).toEqual(sorted((c.addons ?? []).map((a) => a.name)));
          for (const addon of c.addons ?? []) {
            const got = (
              await eks.send(new DescribeAddonCommand({ clusterName: c.name, addonName: addon.name }))
            ).addon;
            expect(got?.addonVersion).toBe(addon.version);
            const live = (addon.podIdentityAssociations ?? []).filter((p) => p.deletedAgo === undefined);
            expect(got?.podIdentityAssociations ?? []).toHaveLength(live.length);
          }
          const associations =
            (await eks.send(new ListPodIdentityAssociationsCommand({ clusterName: c.name }))).associations ??
            [];
          const expected = [
            ...(c.addons ?? []).flatMap((a) => a.podIdentityAssociations ?? []),
            ...(c.associations ?? []),
          ].filter((p) => p.deletedAgo === undefined);
          expect(sorted(associations.map((a) => a.serviceAccount ?? ''))).toEqual(
            sorted(expected.map((p) => p.serviceAccount)),
          );
          const groups =
            (await eks.send(new ListNodegroupsCommand({ clusterName: c.name }))).nodegroups ?? [];
          expect(sorted(groups)).toEqual(sorted((c.nodegroups ?? []).map((g) => g.name)));
          for (const g of c.nodegroups ?? []) {
            const got = (
              await eks.send(new DescribeNodegroupCommand({ clusterName: c.name, nodegroupName: g.name }))
            ).nodegroup;
            expect(got?.nodeRole).toBe(
              g.nodeRole.startsWith('arn:') ? g.nodeRole : `arn:aws:iam::${account.id}:role/${g.nodeRole}`,
            );
          }

          const k = clients(cluster?.endpoint ?? '');
          const kube = c.kubernetes ?? {};
          expect((await k.core.listNode()).items).toHaveLength((kube.nodes ?? []).length);
          const daemonSets = (await k.apps.listNamespacedDaemonSet({ namespace: 'kube-system' })).items;
          expect(daemonSets.map((d) => d.metadata?.name)).toEqual(kube.efsCsiNode ? ['efs-csi-node'] : []);
          if (kube.efsCsiNode) {
            const pods = (
              await k.core.listNamespacedPod({ namespace: 'kube-system', labelSelector: 'app=efs-csi-node' })
            ).items;
            expect(pods).toHaveLength((kube.nodes ?? []).length);
            for (const pod of pods)
              expect(pod.spec?.containers[0]?.image).toMatch(
                new RegExp(`:${kube.efsCsiNode.imageTag ?? 'v2.1.0'}$`),
              );
          }
          for (const sa of kube.serviceAccounts ?? []) {
            const got = await k.core.readNamespacedServiceAccount({ name: sa.name, namespace: sa.namespace });
            expect(got.metadata?.annotations ?? {}).toEqual(sa.annotations ?? {});
          }
          expect(
            sorted((await k.storage.listStorageClass()).items.map((s) => s.metadata?.name ?? '')),
          ).toEqual(sorted((kube.storageClasses ?? []).map((s) => s.name)));
          expect(
            sorted((await k.core.listPersistentVolume()).items.map((s) => s.spec?.csi?.volumeHandle ?? '')),
          ).toEqual(sorted((kube.persistentVolumes ?? []).map((s) => s.volumeHandle)));
          expect((await k.core.listPersistentVolumeClaimForAllNamespaces()).items).toHaveLength(
            (kube.persistentVolumeClaims ?? []).length,
          );
          for (const secret of kube.secrets ?? []) {
            const got = await k.core.readNamespacedSecret({ name: secret.name, namespace: secret.namespace });
            for (const [key, value] of Object.entries(secret.stringData ?? {}))
              expect(Buffer.from(got.data?.[key] ?? '', 'base64').toString('utf8')).toBe(value);
          }
        }
      }
    });
  });
});

/** The env of the efs-plugin container of every efs-csi-node pod of prod-eks. */
async function nodePodEnv(sandbox: Sandbox, accountId = PLATFORM): Promise<Array<Record<string, string>>> {
  const cluster = sandbox.state.accounts.get(accountId)!.eks.clusters.get('prod-eks')!;
  const pods = (
    await clients(cluster.endpoint).core.listNamespacedPod({
      namespace: 'kube-system',
      labelSelector: 'app=efs-csi-node',
    })
  ).items;
  return pods.map((pod) =>
    Object.fromEntries(
      (pod.spec?.containers.find((c) => c.name === 'efs-plugin')?.env ?? []).map((e) => [
        e.name,
        e.value ?? '',
      ]),
    ),
  );
}

describe('deny-only-policy round trip', () => {
  let sandbox: Sandbox;
  const data = readScenario('deny-only-policy');
  const platform = data.accounts.find((a) => a.id === PLATFORM)!;
  const fs = platform.fileSystems![0]!;
  const cluster = platform.clusters![0]!;

  beforeAll(async () => {
    sandbox = await startSandbox({ scenario: 'deny-only-policy' });
  });
  afterAll(() => sandbox.stop());

  it('serves the file system policy of the file, canonically equal, with only the Deny statement', async () => {
    const { efs } = aws(sandbox, PLATFORM);
    const got = await efs.send(new DescribeFileSystemPolicyCommand({ FileSystemId: fs.id }));
    expect(got.FileSystemId).toBe('fs-0a1b2c3d4e5f60718');
    const policy = JSON.parse(got.Policy ?? '') as { Statement: Array<{ Effect: string; Sid: string }> };
    expect(policy).toEqual(fs.policy);
    expect(policy.Statement.map((s) => `${s.Effect} ${s.Sid}`)).toEqual(['Deny DenyInsecureTransport']);
  });

  it('serves the node role with the trust and the identity policy of the file', async () => {
    const { iam } = aws(sandbox, PLATFORM);
    const role = platform.roles!.find((r) => r.name === 'prod-eks-efs-csi-node')!;
    const got = await iam.send(new GetRoleCommand({ RoleName: role.name }));
    expect(policyOf(got.Role?.AssumeRolePolicyDocument)).toEqual(role.trustPolicy);
    expect(got.Role?.Description).toBe(role.description);
    const inline = await iam.send(
      new GetRolePolicyCommand({ RoleName: role.name, PolicyName: 'efs-client-access' }),
    );
    expect(policyOf(inline.PolicyDocument)).toEqual(role.inlinePolicies!['efs-client-access']);
    const created = got.Role?.CreateDate?.getTime() ?? 0;
    expect(Math.abs(Date.now() - durationMs('3d') - created)).toBeLessThan(60_000);
  });

  it('serves the associations: the add-on owns both, with the roles of the file', async () => {
    const { eks } = aws(sandbox, PLATFORM);
    const addon = (
      await eks.send(new DescribeAddonCommand({ clusterName: 'prod-eks', addonName: 'aws-efs-csi-driver' }))
    ).addon;
    expect(addon?.addonVersion).toBe('v3.4.1-eksbuild.1');
    const list =
      (await eks.send(new ListPodIdentityAssociationsCommand({ clusterName: 'prod-eks' }))).associations ??
      [];
    expect(list.map((a) => a.serviceAccount).sort()).toEqual(['efs-csi-controller-sa', 'efs-csi-node-sa']);
    for (const summary of list) {
      expect(summary.ownerArn).toBe(addon?.addonArn);
      expect(addon?.podIdentityAssociations).toContain(summary.associationArn);
      const association = (
        await eks.send(
          new DescribePodIdentityAssociationCommand({
            clusterName: 'prod-eks',
            associationId: summary.associationId,
          }),
        )
      ).association;
      const wanted = cluster.addons![1]!.podIdentityAssociations!.find(
        (p) => p.serviceAccount === summary.serviceAccount,
      )!;
      expect(association).toMatchObject({
        namespace: 'kube-system',
        roleArn: `arn:aws:iam::${PLATFORM}:role/${wanted.role}`,
      });
    }
    const node = list.find((a) => a.serviceAccount === 'efs-csi-node-sa')!;
    const described = (
      await eks.send(
        new DescribePodIdentityAssociationCommand({
          clusterName: 'prod-eks',
          associationId: node.associationId,
        }),
      )
    ).association;
    expect(Math.abs(Date.now() - durationMs('3d') - (described?.createdAt?.getTime() ?? 0))).toBeLessThan(
      60_000,
    );
  });

  it('serves node pods created after the association, so they carry the Pod Identity env', async () => {
    const envs = await nodePodEnv(sandbox);
    expect(envs).toHaveLength(3);
    for (const env of envs) {
      expect(env).toMatchObject({
        AWS_CONTAINER_CREDENTIALS_FULL_URI: 'http://169.254.170.23/v1/credentials',
        AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE:
          '/var/run/secrets/pods.eks.amazonaws.com/serviceaccount/eks-pod-identity-token',
      });
      expect(env.AWS_ROLE_ARN).toBeUndefined();
    }
    const cluster = sandbox.state.accounts.get(PLATFORM)!.eks.clusters.get('prod-eks')!;
    const pods = (
      await clients(cluster.endpoint).core.listNamespacedPod({
        namespace: 'kube-system',
        labelSelector: 'app=efs-csi-node',
      })
    ).items;
    for (const pod of pods)
      expect(
        Math.abs(Date.now() - durationMs('2d') - (pod.metadata?.creationTimestamp?.getTime() ?? 0)),
      ).toBeLessThan(60_000);
    expect(pods.map((p) => p.spec?.nodeName).sort()).toEqual(
      cluster.kube && data.accounts[0]!.clusters![0]!.kubernetes!.nodes!.map((n) => n.name).sort(),
    );
  });
});

describe('what each fault scenario shows', () => {
  const withScenario = async (name: string, run: (sandbox: Sandbox) => Promise<void>) => {
    const sandbox = await startSandbox({ scenario: name });
    try {
      await run(sandbox);
    } finally {
      await sandbox.stop();
    }
  };

  it('never-restarted: the association is newer than the pods, which lack the env', () =>
    withScenario('never-restarted', async (sandbox) => {
      const envs = await nodePodEnv(sandbox);
      expect(envs).toHaveLength(3);
      for (const env of envs) expect(env.AWS_CONTAINER_CREDENTIALS_FULL_URI).toBeUndefined();
      const { eks } = aws(sandbox, PLATFORM);
      const list =
        (
          await eks.send(
            new ListPodIdentityAssociationsCommand({
              clusterName: 'prod-eks',
              serviceAccount: 'efs-csi-node-sa',
            }),
          )
        ).associations ?? [];
      expect(list).toHaveLength(1);
    }));

  it('wrong-irsa-sub: IRSA env on the pods, a provider for the issuer, a sub naming the controller SA', () =>
    withScenario('wrong-irsa-sub', async (sandbox) => {
      for (const env of await nodePodEnv(sandbox)) {
        expect(env).toMatchObject({
          AWS_ROLE_ARN: `arn:aws:iam::${PLATFORM}:role/prod-eks-efs-csi-node`,
          AWS_WEB_IDENTITY_TOKEN_FILE: '/var/run/secrets/eks.amazonaws.com/serviceaccount/token',
        });
        expect(env.AWS_CONTAINER_CREDENTIALS_FULL_URI).toBeUndefined();
      }
      const { iam, eks } = aws(sandbox, PLATFORM);
      const issuer =
        (await eks.send(new DescribeClusterCommand({ name: 'prod-eks' }))).cluster?.identity?.oidc?.issuer ??
        '';
      const providers =
        (await iam.send(new ListOpenIDConnectProvidersCommand({}))).OpenIDConnectProviderList ?? [];
      expect(providers.map((p) => p.Arn)).toEqual([
        `arn:aws:iam::${PLATFORM}:oidc-provider/${issuer.replace('https://', '')}`,
      ]);
      const trust = policyOf(
        (await iam.send(new GetRoleCommand({ RoleName: 'prod-eks-efs-csi-node' }))).Role
          ?.AssumeRolePolicyDocument,
      ) as { Statement: Array<{ Condition: { StringEquals: Record<string, string> } }> };
      expect(trust.Statement[0]!.Condition.StringEquals[`${issuer.replace('https://', '')}:sub`]).toBe(
        'system:serviceaccount:kube-system:efs-csi-controller-sa',
      );
      expect(
        (await eks.send(new ListPodIdentityAssociationsCommand({ clusterName: 'prod-eks' }))).associations,
      ).toEqual([]);
    }));

  it('old-addon: a version whose configuration lacks the node SA, and a manual association without owner', () =>
    withScenario('old-addon', async (sandbox) => {
      const { eks } = aws(sandbox, PLATFORM);
      const addon = (
        await eks.send(new DescribeAddonCommand({ clusterName: 'prod-eks', addonName: 'aws-efs-csi-driver' }))
      ).addon;
      const config = await eks.send(
        new DescribeAddonConfigurationCommand({
          addonName: 'aws-efs-csi-driver',
          addonVersion: addon?.addonVersion,
        }),
      );
      expect(config.podIdentityConfiguration?.map((p) => p.serviceAccount)).toEqual([
        'efs-csi-controller-sa',
      ]);
      const node =
        (
          await eks.send(
            new ListPodIdentityAssociationsCommand({
              clusterName: 'prod-eks',
              serviceAccount: 'efs-csi-node-sa',
            }),
          )
        ).associations ?? [];
      expect(node).toHaveLength(1);
      expect(node[0]!.ownerArn).toBeUndefined();
      for (const env of await nodePodEnv(sandbox))
        expect(env.AWS_CONTAINER_CREDENTIALS_FULL_URI).toBeDefined();
    }));

  it('addon-update-dropped-association: no node association any more, pods still carry the old env', () =>
    withScenario('addon-update-dropped-association', async (sandbox) => {
      const { eks } = aws(sandbox, PLATFORM);
      const list =
        (await eks.send(new ListPodIdentityAssociationsCommand({ clusterName: 'prod-eks' }))).associations ??
        [];
      expect(list.map((a) => a.serviceAccount)).toEqual(['efs-csi-controller-sa']);
      const addon = (
        await eks.send(new DescribeAddonCommand({ clusterName: 'prod-eks', addonName: 'aws-efs-csi-driver' }))
      ).addon;
      expect(addon?.podIdentityAssociations).toHaveLength(1);
      expect((addon?.modifiedAt?.getTime() ?? 0) - (addon?.createdAt?.getTime() ?? 0)).toBeGreaterThan(
        durationMs('20d'),
      );
      for (const env of await nodePodEnv(sandbox))
        expect(env.AWS_CONTAINER_CREDENTIALS_FULL_URI).toBeDefined();
    }));

  it('cross-account: two AZ mappings, an active peering both accounts see, routes both ways, per-AZ-ID zones', () =>
    withScenario('cross-account', async (sandbox) => {
      const platform = aws(sandbox, PLATFORM);
      const storage = aws(sandbox, STORAGE);
      const zoneIds = async (c: EC2Client) =>
        Object.fromEntries(
          ((await c.send(new DescribeAvailabilityZonesCommand({}))).AvailabilityZones ?? []).map((z) => [
            z.ZoneName,
            z.ZoneId,
          ]),
        );
      expect(await zoneIds(platform.ec2)).not.toEqual(await zoneIds(storage.ec2));
      for (const client of [platform.ec2, storage.ec2]) {
        const peerings =
          (await client.send(new DescribeVpcPeeringConnectionsCommand({}))).VpcPeeringConnections ?? [];
        expect(
          peerings.map((p) => [p.Status?.Code, p.RequesterVpcInfo?.OwnerId, p.AccepterVpcInfo?.OwnerId]),
        ).toEqual([['active', PLATFORM, STORAGE]]);
      }
      const targets =
        (await storage.efs.send(new DescribeMountTargetsCommand({ FileSystemId: 'fs-0c7d8e9f0a1b2c3d4' })))
          .MountTargets ?? [];
      const zones =
        (
          await platform.route53.send(
            new ListHostedZonesByVPCCommand({ VPCId: 'vpc-0a5b9c3d7e1f24680', VPCRegion: REGION }),
          )
        ).HostedZoneSummaries ?? [];
      for (const target of targets) {
        const name = `${target.AvailabilityZoneId}.fs-0c7d8e9f0a1b2c3d4.efs.${REGION}.amazonaws.com.`;
        const zone = zones.find((z) => z.Name === name);
        const records =
          (
            await platform.route53.send(
              new ListResourceRecordSetsCommand({ HostedZoneId: zone?.HostedZoneId }),
            )
          ).ResourceRecordSets ?? [];
        expect(records.find((r) => r.Type === 'A')?.ResourceRecords?.[0]?.Value).toBe(target.IpAddress);
      }
      const policy = JSON.parse(
        (
          await storage.efs.send(
            new DescribeFileSystemPolicyCommand({ FileSystemId: 'fs-0c7d8e9f0a1b2c3d4' }),
          )
        ).Policy ?? '',
      ) as { Statement: Array<{ Principal: { AWS: string } }> };
      expect(policy.Statement[0]!.Principal.AWS).toBe(`arn:aws:iam::${PLATFORM}:role/prod-eks-efs-csi-node`);
      expect(
        (await storage.iam.send(new GetRoleCommand({ RoleName: 'prod-eks-efs-provisioner' }))).Role?.Arn,
      ).toBe(`arn:aws:iam::${STORAGE}:role/prod-eks-efs-provisioner`);
    }));

  it('node-role-fallback: the instance role carries an EFS client policy and is allowed by the file system policy', () =>
    withScenario('node-role-fallback', async (sandbox) => {
      const { iam, efs } = aws(sandbox, PLATFORM);
      const attached =
        (await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: 'prod-eks-node-instance-role' })))
          .AttachedPolicies ?? [];
      expect(attached.map((p) => p.PolicyName)).toContain('AmazonElasticFileSystemClientReadWriteAccess');
      const policy =
        (await efs.send(new DescribeFileSystemPolicyCommand({ FileSystemId: 'fs-0a1b2c3d4e5f60718' })))
          .Policy ?? '';
      expect(policy).toContain('role/prod-eks-node-instance-role');
    }));

  it('no-policy: the file system has none', () =>
    withScenario('no-policy', async (sandbox) => {
      const { efs } = aws(sandbox, PLATFORM);
      expect(
        await codeOf(efs.send(new DescribeFileSystemPolicyCommand({ FileSystemId: 'fs-0a1b2c3d4e5f60718' }))),
      ).toBe('PolicyNotFound');
    }));
});

describe('scenario errors name the file and the field', () => {
  const base = () =>
    parseScenario(readFileSync(path.join(SCENARIO_DIR, 'healthy.yaml'), 'utf8'), 'healthy.yaml');

  it('refuses an unknown scenario name, listing the known ones', async () => {
    expect(() => readScenario('nope')).toThrow(
      /unknown scenario "nope" \(known: access-denied-in-logs, addon-update-dropped-association, /,
    );
    await expect(startSandbox({ scenario: 'nope' })).rejects.toThrow(ScenarioError);
  });

  it('reports YAML syntax errors with the line', () => {
    expect(() => parseScenario('description: x\ndescription: y\naccounts: []\n', 'twice.yaml')).toThrow(
      'twice.yaml:2: not valid YAML: Map keys must be unique',
    );
  });

  it('reports a schema error with the field path and line', () => {
    const text =
      'description: demo\naccounts:\n  - id: "111122223333"\n    roles:\n      - name: r\n        trustPolicy: {}\n        managedPolicyArn: []\n';
    expect(() => parseScenario(text, 'typo.yaml')).toThrow(
      'typo.yaml:7: accounts[0].roles[0].managedPolicyArn: Unrecognized key: "managedPolicyArn"',
    );
    expect(() => parseScenario('description: demo\naccounts:\n  - id: "12"\n', 'id.yaml')).toThrow(
      /^id\.yaml:3: accounts\[0\]\.id: a 12-digit account ID/,
    );
    expect(() => parseScenario('description: demo\naccounts: []\n', 'empty.yaml')).toThrow(
      /^empty\.yaml:2: accounts: /,
    );
    const missing =
      'description: demo\naccounts:\n  - id: "111122223333"\n    fileSystems:\n      - { id: fs-0123456789abcdef0, createdAgo: yesterday }\n';
    expect(() => parseScenario(missing, 'when.yaml')).toThrow(
      /^when\.yaml:5: accounts\[0\]\.fileSystems\[0\]\.createdAgo: expected a duration/,
    );
  });

  it('reports references that do not resolve, by field', async () => {
    const data = base();
    data.accounts[0]!.clusters![0]!.associations = [
      { serviceAccount: 'efs-csi-node-sa', role: 'no-such-role' },
    ];
    await expect(startSandbox({ scenario: data })).rejects.toThrow(
      'scenario: accounts[0].clusters[0].associations[0].role: no role no-such-role in account 111122223333',
    );
    const noSubnet = base();
    noSubnet.accounts[0]!.fileSystems![0]!.mountTargets![0]!.azId = 'euw1-az9';
    await expect(startSandbox({ scenario: noSubnet })).rejects.toThrow(
      /accounts\[0\]\.fileSystems\[0\]\.mountTargets\[0\]\.azId: account 111122223333 has no subnet in euw1-az9/,
    );
    await expect(
      startSandbox({
        scenario: {
          description: 'x',
          accounts: [{ id: '111122223333', bogus: 1 }],
        } as unknown as ScenarioData,
      }),
    ).rejects.toThrow('scenario: accounts[0].bogus: Unrecognized key: "bogus"');
  });

  it('applies settings and keeps seed working after the scenario', async () => {
    const data = base();
    data.settings = {
      associationDelay: '30s',
      roleDelay: '10s',
      enforcePermissions: true,
      rolloutDelay: '2s',
    };
    const sandbox = await startSandbox({
      scenario: data,
      seed: (state) => void state.accounts.get(PLATFORM)!.iam.roles.delete('prod-eks-cluster-role'),
    });
    try {
      expect(sandbox.state.settings).toEqual({
        associationDelayMs: 30_000,
        roleDelayMs: 10_000,
        enforcePermissions: true,
      });
      const cluster = sandbox.state.accounts.get(PLATFORM)!.eks.clusters.get('prod-eks')!;
      expect(cluster.kube.settings.rolloutDelayMs).toBe(2000);
      expect(sandbox.state.accounts.get(PLATFORM)!.iam.roles.has('prod-eks-cluster-role')).toBe(false);
      const role = sandbox.state.accounts.get(PLATFORM)!.iam.roles.get('prod-eks-efs-csi-node')!;
      expect(role.usableAt - role.createDate.getTime()).toBe(10_000);
    } finally {
      await sandbox.stop();
    }
  });
});
