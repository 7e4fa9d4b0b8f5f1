import {
  CreateAddonCommand,
  CreateClusterCommand,
  CreatePodIdentityAssociationCommand,
  DeletePodIdentityAssociationCommand,
  DescribeAccessEntryCommand,
  DescribeAddonCommand,
  DescribeAddonConfigurationCommand,
  DescribeAddonVersionsCommand,
  DescribeClusterCommand,
  DescribeNodegroupCommand,
  DescribePodIdentityAssociationCommand,
  DescribeUpdateCommand,
  EKSClient,
  ListAccessEntriesCommand,
  ListAddonsCommand,
  ListClustersCommand,
  ListNodegroupsCommand,
  ListPodIdentityAssociationsCommand,
  UpdateAddonCommand,
  UpdatePodIdentityAssociationCommand,
  paginateListAccessEntries,
  paginateListClusters,
  paginateListPodIdentityAssociations,
} from '@aws-sdk/client-eks';
import { addAccount, startSandbox, type Sandbox } from '../index';
import { addAccessEntry, addAddon, addAssociation, addCluster, addNodegroup } from './eks-seed';

const ACCOUNT = '111111111111';
const OTHER = '222222222222';
const REGION = 'eu-west-1';
const EFS = 'aws-efs-csi-driver';
const role = (name: string, account = ACCOUNT) => `arn:aws:iam::${account}:role/${name}`;
const CONTROLLER_ROLE = role('efs-csi-controller');
const NODE_ROLE = role('efs-csi-node');

describe('the EKS service of the sandbox', () => {
  let sandbox: Sandbox;
  let keys: { accessKeyId: string; secretAccessKey: string };
  let clusterCount = 0;

  beforeAll(async () => {
    sandbox = await startSandbox({
      region: REGION,
      seed: (state) => {
        keys = addAccount(state, ACCOUNT);
        addAccount(state, OTHER);
        addCluster(state, ACCOUNT, {
          name: 'prod',
          version: '1.33',
          oidcId: 'ABCDEF0123456789ABCDEF0123456789',
          vpcId: 'vpc-0123456789abcdef0',
        });
        addCluster(state, ACCOUNT, { name: 'elsewhere', region: 'us-east-1' });
        addCluster(state, OTHER, { name: 'not-mine' });
        addAddon(state, ACCOUNT, 'prod', {
          addonName: EFS,
          addonVersion: 'v3.4.1-eksbuild.1',
          podIdentityAssociations: [{ serviceAccount: 'efs-csi-controller-sa', roleArn: CONTROLLER_ROLE }],
        });
        addAddon(state, ACCOUNT, 'prod', {
          addonName: 'eks-pod-identity-agent',
          addonVersion: 'v1.3.8-eksbuild.2',
        });
        addNodegroup(state, ACCOUNT, 'prod', { nodegroupName: 'ng-a', nodeRole: role('node-instance') });
        addNodegroup(state, ACCOUNT, 'prod', { nodegroupName: 'ng-b', nodeRole: role('node-instance-b') });
        for (const name of ['admin', 'ci', 'dev', 'ops', 'team/sub-path']) {
          addAccessEntry(state, ACCOUNT, 'prod', {
            principalArn: role(name),
            ...(name === 'admin'
              ? { accessPolicies: ['arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy'] }
              : {}),
          });
        }
      },
    });
  });
  afterAll(() => sandbox.stop());
  afterEach(() => sandbox.faults.clear());

  const client = (region = REGION) =>
    new EKSClient({ endpoint: sandbox.url, region, credentials: keys, maxAttempts: 1 });
  /** A fresh cluster per test that changes state, so tests do not depend on each other's order. */
  const freshCluster = (version = '1.33') =>
    addCluster(sandbox.state, ACCOUNT, { name: `t-${++clusterCount}`, version }).name;

  describe('clusters', () => {
    it('DescribeCluster returns the seeded cluster with its OIDC issuer, endpoint and VPC', async () => {
      const { cluster } = await client().send(new DescribeClusterCommand({ name: 'prod' }));
      expect(cluster).toMatchObject({
        name: 'prod',
        arn: `arn:aws:eks:${REGION}:${ACCOUNT}:cluster/prod`,
        version: '1.33',
        status: 'ACTIVE',
        endpoint: `${sandbox.url}/k8s/${ACCOUNT}/${REGION}/prod`,
        identity: {
          oidc: { issuer: `https://oidc.eks.${REGION}.amazonaws.com/id/ABCDEF0123456789ABCDEF0123456789` },
        },
        resourcesVpcConfig: { vpcId: 'vpc-0123456789abcdef0' },
      });
      expect(cluster?.createdAt).toBeInstanceOf(Date);
      expect(cluster?.resourcesVpcConfig?.clusterSecurityGroupId).toMatch(/^sg-[0-9a-f]{17}$/);
      expect(cluster?.resourcesVpcConfig?.subnetIds).toHaveLength(2);
    });

    it('a random OIDC issuer is 32 hex digits', () => {
      const cluster = addCluster(sandbox.state, ACCOUNT, { name: 'random-oidc' });
      expect(cluster.oidcIssuer).toMatch(
        /^https:\/\/oidc\.eks\.eu-west-1\.amazonaws\.com\/id\/[0-9A-F]{32}$/,
      );
    });

    it("DescribeCluster of an unknown cluster, another region's or another account's is ResourceNotFoundException 404 naming the cluster", async () => {
      for (const name of ['nope', 'elsewhere', 'not-mine']) {
        await expect(client().send(new DescribeClusterCommand({ name }))).rejects.toMatchObject({
          name: 'ResourceNotFoundException',
          clusterName: name,
          message: `No cluster found for name: ${name}.`,
          $metadata: { httpStatusCode: 404 },
        });
      }
      await expect(
        client('us-east-1').send(new DescribeClusterCommand({ name: 'elsewhere' })),
      ).resolves.toMatchObject({ cluster: { name: 'elsewhere' } });
    });

    it("ListClusters pages with nextToken and lists only the region's clusters", async () => {
      for (let i = 0; i < 4; i++) freshCluster();
      const first = await client().send(new ListClustersCommand({ maxResults: 2 }));
      expect(first.clusters).toHaveLength(2);
      expect(first.nextToken).toBeDefined();
      const all: string[] = [];
      for await (const p of paginateListClusters({ client: client(), pageSize: 2 }, {}))
        all.push(...(p.clusters ?? []));
      const expected = [...sandbox.state.accounts.get(ACCOUNT)!.eks.clusters.values()]
        .filter((c) => c.region === REGION)
        .map((c) => c.name)
        .sort();
      expect(all).toEqual(expected);
      expect(all).not.toContain('elsewhere');
      expect(all).not.toContain('not-mine');
    });

    it('CreateCluster creates an ACTIVE cluster; a duplicate is ResourceInUseException, a missing roleArn InvalidParameterException', async () => {
      const input = {
        name: 'created',
        roleArn: role('cluster'),
        resourcesVpcConfig: { subnetIds: ['subnet-0aaa', 'subnet-0bbb'] },
        version: '1.32',
      };
      const created = await client().send(new CreateClusterCommand(input));
      expect(created.cluster).toMatchObject({
        name: 'created',
        status: 'CREATING',
        version: '1.32',
        roleArn: role('cluster'),
      });
      await expect(client().send(new DescribeClusterCommand({ name: 'created' }))).resolves.toMatchObject({
        cluster: { status: 'ACTIVE' },
      });
      await expect(client().send(new CreateClusterCommand(input))).rejects.toMatchObject({
        name: 'ResourceInUseException',
        clusterName: 'created',
        $metadata: { httpStatusCode: 409 },
      });
      await expect(
        client().send(
          new CreateClusterCommand({
            name: 'no-role',
            resourcesVpcConfig: { subnetIds: ['subnet-0aaa'] },
          } as never),
        ),
      ).rejects.toMatchObject({ name: 'InvalidParameterException', $metadata: { httpStatusCode: 400 } });
    });
  });

  describe('add-ons', () => {
    it('ListAddons and DescribeAddon: the add-on lists the ARNs of the associations it owns', async () => {
      await expect(client().send(new ListAddonsCommand({ clusterName: 'prod' }))).resolves.toMatchObject({
        addons: [EFS, 'eks-pod-identity-agent'],
      });
      const { addon } = await client().send(
        new DescribeAddonCommand({ clusterName: 'prod', addonName: EFS }),
      );
      expect(addon).toMatchObject({
        addonName: EFS,
        clusterName: 'prod',
        addonVersion: 'v3.4.1-eksbuild.1',
        status: 'ACTIVE',
        owner: 'aws',
        publisher: 'eks',
      });
      expect(addon?.addonArn).toMatch(new RegExp(`^arn:aws:eks:${REGION}:${ACCOUNT}:addon/prod/${EFS}/`));
      expect(addon?.podIdentityAssociations).toHaveLength(1);
      expect(addon?.podIdentityAssociations?.[0]).toMatch(
        new RegExp(`^arn:aws:eks:${REGION}:${ACCOUNT}:podidentityassociation/prod/a-[a-z0-9]{17}$`),
      );
    });

    it('ListAddons pages', async () => {
      const first = await client().send(new ListAddonsCommand({ clusterName: 'prod', maxResults: 1 }));
      expect(first).toMatchObject({ addons: [EFS] });
      const second = await client().send(
        new ListAddonsCommand({ clusterName: 'prod', maxResults: 1, nextToken: first.nextToken }),
      );
      expect(second.addons).toEqual(['eks-pod-identity-agent']);
      expect(second.nextToken).toBeUndefined();
    });

    it('DescribeAddon of an unknown add-on is ResourceNotFoundException with clusterName and addonName', async () => {
      await expect(
        client().send(new DescribeAddonCommand({ clusterName: 'prod', addonName: 'vpc-cni' })),
      ).rejects.toMatchObject({
        name: 'ResourceNotFoundException',
        clusterName: 'prod',
        addonName: 'vpc-cni',
        $metadata: { httpStatusCode: 404 },
      });
    });

    it('CreateAddon with podIdentityAssociations creates associations owned by the add-on', async () => {
      const clusterName = freshCluster();
      const { addon } = await client().send(
        new CreateAddonCommand({
          clusterName,
          addonName: EFS,
          addonVersion: 'v3.4.1-eksbuild.1',
          podIdentityAssociations: [
            { serviceAccount: 'efs-csi-controller-sa', roleArn: CONTROLLER_ROLE },
            { serviceAccount: 'efs-csi-node-sa', roleArn: NODE_ROLE },
          ],
        }),
      );
      expect(addon?.status).toBe('CREATING');
      expect(addon?.podIdentityAssociations).toHaveLength(2);
      const { associations } = await client().send(new ListPodIdentityAssociationsCommand({ clusterName }));
      expect(associations).toHaveLength(2);
      for (const a of associations ?? []) {
        expect(a).toMatchObject({ namespace: 'kube-system', ownerArn: addon?.addonArn, clusterName });
        expect(addon?.podIdentityAssociations).toContain(a.associationArn);
      }
      const described = await client().send(new DescribeAddonCommand({ clusterName, addonName: EFS }));
      expect(described.addon?.status).toBe('ACTIVE');
      await expect(
        client().send(new CreateAddonCommand({ clusterName, addonName: EFS })),
      ).rejects.toMatchObject({
        name: 'ResourceInUseException',
        clusterName,
        addonName: EFS,
        $metadata: { httpStatusCode: 409 },
      });
    });

    it('CreateAddon defaults to the newest version; an unknown add-on or version is InvalidParameterException', async () => {
      const clusterName = freshCluster();
      await expect(
        client().send(new CreateAddonCommand({ clusterName, addonName: EFS })),
      ).resolves.toMatchObject({ addon: { addonVersion: 'v3.4.1-eksbuild.1' } });
      await expect(
        client().send(new CreateAddonCommand({ clusterName, addonName: 'no-such-addon' })),
      ).rejects.toMatchObject({ name: 'InvalidParameterException', addonName: 'no-such-addon' });
      await expect(
        client().send(
          new CreateAddonCommand({
            clusterName,
            addonName: 'eks-pod-identity-agent',
            addonVersion: 'v9.9.9-eksbuild.1',
          }),
        ),
      ).rejects.toMatchObject({
        name: 'InvalidParameterException',
        $metadata: { httpStatusCode: 400 },
      });
    });

    it("CreateAddon of a version that cannot own the node SA's association is InvalidParameterException, and creates nothing", async () => {
      const clusterName = freshCluster();
      await expect(
        client().send(
          new CreateAddonCommand({
            clusterName,
            addonName: EFS,
            addonVersion: 'v2.1.4-eksbuild.1',
            podIdentityAssociations: [
              { serviceAccount: 'efs-csi-controller-sa', roleArn: CONTROLLER_ROLE },
              { serviceAccount: 'efs-csi-node-sa', roleArn: NODE_ROLE },
            ],
          }),
        ),
      ).rejects.toMatchObject({
        name: 'InvalidParameterException',
        addonName: EFS,
        message: expect.stringMatching(
          /^Pod Identity feature is not supported for addon version v2\.1\.4-eksbuild\.1/,
        ),
      });
      await expect(client().send(new ListAddonsCommand({ clusterName }))).resolves.toMatchObject({
        addons: [],
      });
      await expect(
        client().send(new ListPodIdentityAssociationsCommand({ clusterName })),
      ).resolves.toMatchObject({ associations: [] });
      // The controller alone is fine on the old version.
      await expect(
        client().send(
          new CreateAddonCommand({
            clusterName,
            addonName: EFS,
            addonVersion: 'v2.1.4-eksbuild.1',
            podIdentityAssociations: [{ serviceAccount: 'efs-csi-controller-sa', roleArn: CONTROLLER_ROLE }],
          }),
        ),
      ).resolves.toMatchObject({ addon: { addonVersion: 'v2.1.4-eksbuild.1' } });
    });

    it('CreateAddon cannot take over a ServiceAccount that has a manual association (ResourceInUseException)', async () => {
      const clusterName = freshCluster();
      addAssociation(sandbox.state, ACCOUNT, clusterName, {
        namespace: 'kube-system',
        serviceAccount: 'efs-csi-node-sa',
        roleArn: NODE_ROLE,
      });
      await expect(
        client().send(
          new CreateAddonCommand({
            clusterName,
            addonName: EFS,
            podIdentityAssociations: [{ serviceAccount: 'efs-csi-node-sa', roleArn: NODE_ROLE }],
          }),
        ),
      ).rejects.toMatchObject({ name: 'ResourceInUseException', $metadata: { httpStatusCode: 409 } });
    });

    describe('UpdateAddon', () => {
      /** A cluster with the EFS add-on owning the controller's association, and a manual association for another SA. */
      async function setup() {
        const clusterName = freshCluster();
        const addon = addAddon(sandbox.state, ACCOUNT, clusterName, {
          addonName: EFS,
          addonVersion: 'v3.0.0-eksbuild.1',
          podIdentityAssociations: [{ serviceAccount: 'efs-csi-controller-sa', roleArn: CONTROLLER_ROLE }],
        });
        const manual = addAssociation(sandbox.state, ACCOUNT, clusterName, {
          namespace: 'apps',
          serviceAccount: 'web',
          roleArn: role('web'),
        });
        const before = await client().send(new DescribeAddonCommand({ clusterName, addonName: EFS }));
        return { clusterName, addon, manual, before: before.addon?.podIdentityAssociations ?? [] };
      }
      const listed = async (clusterName: string) =>
        (await client().send(new ListPodIdentityAssociationsCommand({ clusterName }))).associations ?? [];

      it('podIdentityAssociations omitted: the owned associations are unchanged; the update is answered by DescribeUpdate', async () => {
        const { clusterName, before } = await setup();
        const { update } = await client().send(
          new UpdateAddonCommand({ clusterName, addonName: EFS, addonVersion: 'v3.4.1-eksbuild.1' }),
        );
        expect(update).toMatchObject({
          type: 'AddonUpdate',
          status: 'InProgress',
          params: [{ type: 'AddonVersion', value: 'v3.4.1-eksbuild.1' }],
        });
        const after = await client().send(new DescribeAddonCommand({ clusterName, addonName: EFS }));
        expect(after.addon).toMatchObject({
          addonVersion: 'v3.4.1-eksbuild.1',
          podIdentityAssociations: before,
        });
        expect(await listed(clusterName)).toHaveLength(2);
        const described = await client().send(
          new DescribeUpdateCommand({ name: clusterName, updateId: update!.id!, addonName: EFS }),
        );
        expect(described.update).toMatchObject({
          id: update!.id,
          status: 'Successful',
          type: 'AddonUpdate',
          errors: [],
        });
        expect(described.update?.createdAt).toBeInstanceOf(Date);
      });

      it('podIdentityAssociations []: every add-on-owned association is deleted, manual ones stay', async () => {
        const { clusterName, before } = await setup();
        await client().send(
          new UpdateAddonCommand({ clusterName, addonName: EFS, podIdentityAssociations: [] }),
        );
        const after = await client().send(new DescribeAddonCommand({ clusterName, addonName: EFS }));
        expect(after.addon?.podIdentityAssociations).toEqual([]);
        const remaining = await listed(clusterName);
        expect(remaining).toEqual([expect.objectContaining({ namespace: 'apps', serviceAccount: 'web' })]);
        expect(remaining[0]?.ownerArn).toBeUndefined();
        await expect(
          client().send(
            new DescribePodIdentityAssociationCommand({
              clusterName,
              associationId: before[0]!.split('/').pop()!,
            }),
          ),
        ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
      });

      it("a list replaces the owned associations: the controller's, left out, is deleted; the node SA's is created", async () => {
        const { clusterName, addon, before } = await setup();
        await client().send(
          new UpdateAddonCommand({
            clusterName,
            addonName: EFS,
            podIdentityAssociations: [{ serviceAccount: 'efs-csi-node-sa', roleArn: NODE_ROLE }],
          }),
        );
        const after = await client().send(new DescribeAddonCommand({ clusterName, addonName: EFS }));
        expect(after.addon?.podIdentityAssociations).toHaveLength(1);
        expect(after.addon?.podIdentityAssociations).not.toContain(before[0]);
        const owned = (await listed(clusterName)).filter((a) => a.ownerArn === addon.addonArn);
        expect(owned).toEqual([
          expect.objectContaining({ serviceAccount: 'efs-csi-node-sa', namespace: 'kube-system' }),
        ]);
        const { association } = await client().send(
          new DescribePodIdentityAssociationCommand({ clusterName, associationId: owned[0]!.associationId! }),
        );
        expect(association).toMatchObject({ roleArn: NODE_ROLE, ownerArn: addon.addonArn });
      });

      it('a list naming an owned SA keeps its association and changes its role', async () => {
        const { clusterName, before } = await setup();
        const newRole = role('efs-csi-controller-2');
        await client().send(
          new UpdateAddonCommand({
            clusterName,
            addonName: EFS,
            podIdentityAssociations: [
              { serviceAccount: 'efs-csi-controller-sa', roleArn: newRole },
              { serviceAccount: 'efs-csi-node-sa', roleArn: NODE_ROLE },
            ],
          }),
        );
        const after = await client().send(new DescribeAddonCommand({ clusterName, addonName: EFS }));
        expect(after.addon?.podIdentityAssociations).toContain(before[0]);
        expect(after.addon?.podIdentityAssociations).toHaveLength(2);
        const { association } = await client().send(
          new DescribePodIdentityAssociationCommand({
            clusterName,
            associationId: before[0]!.split('/').pop()!,
          }),
        );
        expect(association?.roleArn).toBe(newRole);
      });

      it("a version that cannot own the node SA's association is InvalidParameterException; nothing changes", async () => {
        const clusterName = freshCluster();
        addAddon(sandbox.state, ACCOUNT, clusterName, {
          addonName: EFS,
          addonVersion: 'v2.1.4-eksbuild.1',
          podIdentityAssociations: [{ serviceAccount: 'efs-csi-controller-sa', roleArn: CONTROLLER_ROLE }],
        });
        await expect(
          client().send(
            new UpdateAddonCommand({
              clusterName,
              addonName: EFS,
              podIdentityAssociations: [
                { serviceAccount: 'efs-csi-controller-sa', roleArn: CONTROLLER_ROLE },
                { serviceAccount: 'efs-csi-node-sa', roleArn: NODE_ROLE },
              ],
            }),
          ),
        ).rejects.toMatchObject({
          name: 'InvalidParameterException',
          clusterName,
          addonName: EFS,
          message: expect.stringMatching(
            /^Pod Identity feature is not supported for addon version v2\.1\.4-eksbuild\.1/,
          ),
          $metadata: { httpStatusCode: 400 },
        });
        expect((await listed(clusterName)).map((a) => a.serviceAccount)).toEqual(['efs-csi-controller-sa']);
        // Upgrading in the same call makes it possible.
        await client().send(
          new UpdateAddonCommand({
            clusterName,
            addonName: EFS,
            addonVersion: 'v3.0.0-eksbuild.1',
            podIdentityAssociations: [
              { serviceAccount: 'efs-csi-controller-sa', roleArn: CONTROLLER_ROLE },
              { serviceAccount: 'efs-csi-node-sa', roleArn: NODE_ROLE },
            ],
          }),
        );
        expect((await listed(clusterName)).map((a) => a.serviceAccount).sort()).toEqual([
          'efs-csi-controller-sa',
          'efs-csi-node-sa',
        ]);
      });

      it('downgrading below what the owned associations need, without a list, is InvalidParameterException', async () => {
        const clusterName = freshCluster();
        addAddon(sandbox.state, ACCOUNT, clusterName, {
          addonName: EFS,
          addonVersion: 'v3.4.1-eksbuild.1',
          podIdentityAssociations: [{ serviceAccount: 'efs-csi-node-sa', roleArn: NODE_ROLE }],
        });
        await expect(
          client().send(
            new UpdateAddonCommand({ clusterName, addonName: EFS, addonVersion: 'v2.1.15-eksbuild.1' }),
          ),
        ).rejects.toMatchObject({
          name: 'InvalidParameterException',
          message: expect.stringMatching(
            /^Pod Identity feature is not supported for addon version v2\.1\.15-eksbuild\.1/,
          ),
        });
      });

      it('an unknown add-on is ResourceNotFoundException; DescribeUpdate without the add-on name or of an unknown ID is ResourceNotFoundException', async () => {
        const { clusterName } = await setup();
        await expect(
          client().send(new UpdateAddonCommand({ clusterName, addonName: 'vpc-cni' })),
        ).rejects.toMatchObject({
          name: 'ResourceNotFoundException',
          addonName: 'vpc-cni',
        });
        const { update } = await client().send(
          new UpdateAddonCommand({ clusterName, addonName: EFS, configurationValues: '{}' }),
        );
        await expect(
          client().send(new DescribeUpdateCommand({ name: clusterName, updateId: update!.id! })),
        ).rejects.toMatchObject({
          name: 'ResourceNotFoundException',
          $metadata: { httpStatusCode: 404 },
        });
        await expect(
          client().send(
            new DescribeUpdateCommand({ name: clusterName, updateId: 'no-such-update', addonName: EFS }),
          ),
        ).rejects.toMatchObject({
          name: 'ResourceNotFoundException',
        });
      });
    });

    it('DescribeAddonVersions lists the catalog, filtered by add-on and Kubernetes version, and pages', async () => {
      const { addons } = await client().send(
        new DescribeAddonVersionsCommand({ addonName: EFS, kubernetesVersion: '1.33' }),
      );
      expect(addons).toHaveLength(1);
      const versions = addons?.[0]?.addonVersions?.map((v) => v.addonVersion);
      expect(versions?.[0]).toBe('v3.4.1-eksbuild.1');
      expect(versions).toEqual(expect.arrayContaining(['v2.1.4-eksbuild.1', 'v3.0.0-eksbuild.1']));
      expect(addons?.[0]).toMatchObject({
        addonName: EFS,
        owner: 'aws',
        publisher: 'eks',
        defaultNamespace: 'kube-system',
      });
      expect(addons?.[0]?.addonVersions?.[0]?.compatibilities).toEqual([
        { clusterVersion: '1.33', platformVersions: ['*'], defaultVersion: true },
      ]);
      const first = await client().send(new DescribeAddonVersionsCommand({ maxResults: 1 }));
      expect(first.addons).toHaveLength(1);
      const second = await client().send(
        new DescribeAddonVersionsCommand({ maxResults: 1, nextToken: first.nextToken }),
      );
      expect(second.addons?.[0]?.addonName).not.toBe(first.addons?.[0]?.addonName);
      await expect(
        client().send(new DescribeAddonVersionsCommand({ kubernetesVersion: '1.10' })),
      ).resolves.toMatchObject({ addons: [] });
    });

    it('DescribeAddonConfiguration: from v3.0.0-eksbuild.1 both SAs, before only the controller; unknown is ResourceNotFoundException', async () => {
      const v3 = await client().send(
        new DescribeAddonConfigurationCommand({ addonName: EFS, addonVersion: 'v3.0.0-eksbuild.1' }),
      );
      expect(v3.podIdentityConfiguration?.map((p) => p.serviceAccount)).toEqual([
        'efs-csi-controller-sa',
        'efs-csi-node-sa',
      ]);
      expect(v3.podIdentityConfiguration?.[0]?.recommendedManagedPolicies).toEqual([
        'arn:aws:iam::aws:policy/service-role/AmazonEFSCSIDriverPolicy',
      ]);
      expect(JSON.parse(v3.configurationSchema ?? '')).toMatchObject({ type: 'object' });
      const old = await client().send(
        new DescribeAddonConfigurationCommand({ addonName: EFS, addonVersion: 'v2.1.15-eksbuild.1' }),
      );
      expect(old.podIdentityConfiguration?.map((p) => p.serviceAccount)).toEqual(['efs-csi-controller-sa']);
      await expect(
        client().send(
          new DescribeAddonConfigurationCommand({ addonName: EFS, addonVersion: 'v0.0.1-eksbuild.1' }),
        ),
      ).rejects.toMatchObject({
        name: 'ResourceNotFoundException',
        $metadata: { httpStatusCode: 404 },
      });
    });
  });

  describe('Pod Identity associations', () => {
    it('Create, Describe, Update, List, Delete', async () => {
      const clusterName = freshCluster();
      sandbox.state.settings.associationDelayMs = 5000;
      try {
        const before = Date.now();
        const created = await client().send(
          new CreatePodIdentityAssociationCommand({
            clusterName,
            namespace: 'kube-system',
            serviceAccount: 'efs-csi-node-sa',
            roleArn: NODE_ROLE,
            targetRoleArn: role('efs-target', OTHER),
            disableSessionTags: true,
            policy: JSON.stringify({
              Version: '2012-10-17',
              Statement: [{ Effect: 'Allow', Action: 'elasticfilesystem:Client*', Resource: '*' }],
            }),
            tags: { team: 'storage' },
          }),
        );
        const a = created.association!;
        expect(a).toMatchObject({
          clusterName,
          namespace: 'kube-system',
          serviceAccount: 'efs-csi-node-sa',
          roleArn: NODE_ROLE,
          targetRoleArn: role('efs-target', OTHER),
          disableSessionTags: true,
          tags: { team: 'storage' },
        });
        expect(a.associationId).toMatch(/^a-[a-z0-9]{17}$/);
        expect(a.associationArn).toBe(
          `arn:aws:eks:${REGION}:${ACCOUNT}:podidentityassociation/${clusterName}/${a.associationId}`,
        );
        expect(a.externalId).toMatch(/\S+/);
        expect(a.ownerArn).toBeUndefined();
        expect(a.createdAt).toBeInstanceOf(Date);
        const stored = sandbox.state.accounts
          .get(ACCOUNT)!
          .eks.clusters.get(clusterName)!
          .associations.get(a.associationId!)!;
        expect(stored.effectiveAt).toBeGreaterThanOrEqual(before + 5000);

        const described = await client().send(
          new DescribePodIdentityAssociationCommand({ clusterName, associationId: a.associationId! }),
        );
        expect(described.association).toEqual(a);

        const updated = await client().send(
          new UpdatePodIdentityAssociationCommand({
            clusterName,
            associationId: a.associationId!,
            roleArn: role('efs-csi-node-2'),
            disableSessionTags: false,
          }),
        );
        expect(updated.association).toMatchObject({
          roleArn: role('efs-csi-node-2'),
          disableSessionTags: false,
          externalId: a.externalId,
        });
        expect(updated.association!.modifiedAt!.getTime()).toBeGreaterThan(a.modifiedAt!.getTime());
        expect(updated.association!.createdAt).toEqual(a.createdAt);

        const listed = await client().send(new ListPodIdentityAssociationsCommand({ clusterName }));
        expect(listed.associations).toEqual([
          {
            clusterName,
            namespace: 'kube-system',
            serviceAccount: 'efs-csi-node-sa',
            associationArn: a.associationArn,
            associationId: a.associationId,
          },
        ]);
        // Summaries never carry role ARNs, as in AWS.
        expect(listed.associations?.[0]).not.toHaveProperty('roleArn');

        const deleted = await client().send(
          new DeletePodIdentityAssociationCommand({ clusterName, associationId: a.associationId! }),
        );
        expect(deleted.association?.associationId).toBe(a.associationId);
        await expect(
          client().send(
            new DescribePodIdentityAssociationCommand({ clusterName, associationId: a.associationId! }),
          ),
        ).rejects.toMatchObject({
          name: 'ResourceNotFoundException',
          clusterName,
          $metadata: { httpStatusCode: 404 },
        });
        await expect(
          client().send(
            new DeletePodIdentityAssociationCommand({ clusterName, associationId: a.associationId! }),
          ),
        ).rejects.toMatchObject({
          name: 'ResourceNotFoundException',
        });
      } finally {
        sandbox.state.settings.associationDelayMs = 0;
      }
    });

    it('no externalId without a target role', async () => {
      const clusterName = freshCluster();
      const { association } = await client().send(
        new CreatePodIdentityAssociationCommand({
          clusterName,
          namespace: 'apps',
          serviceAccount: 'web',
          roleArn: role('web'),
        }),
      );
      expect(association?.externalId).toBeUndefined();
      expect(association?.disableSessionTags).toBe(false);
    });

    it('a second association for the same namespace and SA is ResourceInUseException 409', async () => {
      const clusterName = freshCluster();
      const input = {
        clusterName,
        namespace: 'kube-system',
        serviceAccount: 'efs-csi-node-sa',
        roleArn: NODE_ROLE,
      };
      await client().send(new CreatePodIdentityAssociationCommand(input));
      await expect(
        client().send(new CreatePodIdentityAssociationCommand({ ...input, roleArn: role('other') })),
      ).rejects.toMatchObject({
        name: 'ResourceInUseException',
        clusterName,
        $metadata: { httpStatusCode: 409 },
      });
      // Another namespace is another ServiceAccount.
      await expect(
        client().send(new CreatePodIdentityAssociationCommand({ ...input, namespace: 'other' })),
      ).resolves.toBeDefined();
    });

    it('bad input is InvalidParameterException: a missing roleArn, a malformed role ARN, a role in another account, a session policy that is not JSON', async () => {
      const clusterName = freshCluster();
      const base = { clusterName, namespace: 'apps', serviceAccount: 'web' };
      for (const input of [
        base,
        { ...base, roleArn: 'not-an-arn' },
        { ...base, roleArn: role('web', OTHER) },
        { ...base, roleArn: role('web'), policy: '{not json' },
      ]) {
        await expect(
          client().send(new CreatePodIdentityAssociationCommand(input as never)),
        ).rejects.toMatchObject({
          name: 'InvalidParameterException',
          $metadata: { httpStatusCode: 400 },
        });
      }
      await expect(
        client().send(
          new CreatePodIdentityAssociationCommand({ ...base, clusterName: 'nope', roleArn: role('web') }),
        ),
      ).rejects.toMatchObject({
        name: 'ResourceNotFoundException',
        clusterName: 'nope',
      });
    });

    it('an association owned by an add-on cannot be deleted or updated directly (InvalidRequestException)', async () => {
      const clusterName = freshCluster();
      const addon = addAddon(sandbox.state, ACCOUNT, clusterName, {
        addonName: EFS,
        addonVersion: 'v3.4.1-eksbuild.1',
        podIdentityAssociations: [{ serviceAccount: 'efs-csi-node-sa', roleArn: NODE_ROLE }],
      });
      const { associations } = await client().send(new ListPodIdentityAssociationsCommand({ clusterName }));
      expect(associations?.[0]?.ownerArn).toBe(addon.addonArn);
      const associationId = associations![0]!.associationId!;
      await expect(
        client().send(new DeletePodIdentityAssociationCommand({ clusterName, associationId })),
      ).rejects.toMatchObject({
        name: 'InvalidRequestException',
        addonName: EFS,
        $metadata: { httpStatusCode: 400 },
      });
      await expect(
        client().send(
          new UpdatePodIdentityAssociationCommand({ clusterName, associationId, roleArn: role('x') }),
        ),
      ).rejects.toMatchObject({
        name: 'InvalidRequestException',
      });
      await expect(
        client().send(new DescribePodIdentityAssociationCommand({ clusterName, associationId })),
      ).resolves.toMatchObject({
        association: { roleArn: NODE_ROLE, ownerArn: addon.addonArn },
      });
    });

    it('UpdatePodIdentityAssociation can set a target role (generating an external ID) and a session policy', async () => {
      const clusterName = freshCluster();
      const { association } = await client().send(
        new CreatePodIdentityAssociationCommand({
          clusterName,
          namespace: 'apps',
          serviceAccount: 'web',
          roleArn: role('web'),
        }),
      );
      const policy = JSON.stringify({ Version: '2012-10-17', Statement: [] });
      const { association: updated } = await client().send(
        new UpdatePodIdentityAssociationCommand({
          clusterName,
          associationId: association!.associationId!,
          targetRoleArn: role('t', OTHER),
          policy,
        }),
      );
      expect(updated).toMatchObject({ targetRoleArn: role('t', OTHER), policy, roleArn: role('web') });
      expect(updated?.externalId).toMatch(/\S+/);
    });

    it('ListPodIdentityAssociations filters by namespace and ServiceAccount, and pages', async () => {
      const clusterName = freshCluster();
      for (let i = 0; i < 5; i++)
        addAssociation(sandbox.state, ACCOUNT, clusterName, {
          namespace: 'apps',
          serviceAccount: `sa-${i}`,
          roleArn: role(`r-${i}`),
        });
      addAssociation(sandbox.state, ACCOUNT, clusterName, {
        namespace: 'kube-system',
        serviceAccount: 'sa-0',
        roleArn: role('ks'),
      });
      const byNamespace = await client().send(
        new ListPodIdentityAssociationsCommand({ clusterName, namespace: 'apps' }),
      );
      expect(byNamespace.associations).toHaveLength(5);
      const bySa = await client().send(
        new ListPodIdentityAssociationsCommand({ clusterName, serviceAccount: 'sa-0' }),
      );
      expect(bySa.associations?.map((a) => a.namespace).sort()).toEqual(['apps', 'kube-system']);
      const both = await client().send(
        new ListPodIdentityAssociationsCommand({
          clusterName,
          namespace: 'kube-system',
          serviceAccount: 'sa-0',
        }),
      );
      expect(both.associations).toHaveLength(1);

      const first = await client().send(
        new ListPodIdentityAssociationsCommand({ clusterName, maxResults: 4 }),
      );
      expect(first.associations).toHaveLength(4);
      expect(first.nextToken).toBeDefined();
      const ids: string[] = [];
      let pages = 0;
      for await (const p of paginateListPodIdentityAssociations(
        { client: client(), pageSize: 2 },
        { clusterName },
      )) {
        pages++;
        ids.push(...(p.associations ?? []).map((a) => a.associationId!));
      }
      expect(pages).toBe(3);
      expect(new Set(ids).size).toBe(6);
      await expect(
        client().send(new ListPodIdentityAssociationsCommand({ clusterName, nextToken: 'garbage' })),
      ).rejects.toMatchObject({
        name: 'InvalidParameterException',
      });
      await expect(
        client().send(new ListPodIdentityAssociationsCommand({ clusterName, maxResults: 1000 })),
      ).rejects.toMatchObject({
        name: 'InvalidParameterException',
      });
    });
  });

  describe('node groups and access entries', () => {
    it('ListNodegroups and DescribeNodegroup give the node role', async () => {
      await expect(client().send(new ListNodegroupsCommand({ clusterName: 'prod' }))).resolves.toMatchObject({
        nodegroups: ['ng-a', 'ng-b'],
      });
      const { nodegroup } = await client().send(
        new DescribeNodegroupCommand({ clusterName: 'prod', nodegroupName: 'ng-a' }),
      );
      expect(nodegroup).toMatchObject({
        nodegroupName: 'ng-a',
        clusterName: 'prod',
        nodeRole: role('node-instance'),
        status: 'ACTIVE',
      });
      expect(nodegroup?.nodegroupArn).toMatch(
        new RegExp(`^arn:aws:eks:${REGION}:${ACCOUNT}:nodegroup/prod/ng-a/`),
      );
      await expect(
        client().send(new DescribeNodegroupCommand({ clusterName: 'prod', nodegroupName: 'ng-z' })),
      ).rejects.toMatchObject({
        name: 'ResourceNotFoundException',
        clusterName: 'prod',
        nodegroupName: 'ng-z',
        $metadata: { httpStatusCode: 404 },
      });
    });

    it('ListAccessEntries pages and filters by policy; DescribeAccessEntry takes a principal ARN with slashes', async () => {
      const all: string[] = [];
      for await (const p of paginateListAccessEntries(
        { client: client(), pageSize: 2 },
        { clusterName: 'prod' },
      ))
        all.push(...(p.accessEntries ?? []));
      expect(all).toHaveLength(5);
      expect(all).toContain(role('team/sub-path'));
      const admins = await client().send(
        new ListAccessEntriesCommand({
          clusterName: 'prod',
          associatedPolicyArn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy',
        }),
      );
      expect(admins.accessEntries).toEqual([role('admin')]);
      const { accessEntry } = await client().send(
        new DescribeAccessEntryCommand({ clusterName: 'prod', principalArn: role('team/sub-path') }),
      );
      expect(accessEntry).toMatchObject({
        clusterName: 'prod',
        principalArn: role('team/sub-path'),
        type: 'STANDARD',
      });
      await expect(
        client().send(new DescribeAccessEntryCommand({ clusterName: 'prod', principalArn: role('nobody') })),
      ).rejects.toMatchObject({
        name: 'ResourceNotFoundException',
        $metadata: { httpStatusCode: 404 },
      });
    });
  });

  describe('errors the SDK parses, never a crash', () => {
    it('throttling is ThrottlingException 429', async () => {
      sandbox.faults.add({ service: 'eks', operation: 'DescribeAddon', fail: 'throttle', times: 1 });
      await expect(
        client().send(new DescribeAddonCommand({ clusterName: 'prod', addonName: EFS })),
      ).rejects.toMatchObject({
        name: 'ThrottlingException',
        $metadata: { httpStatusCode: 429 },
      });
      await expect(
        client().send(new DescribeAddonCommand({ clusterName: 'prod', addonName: EFS })),
      ).resolves.toBeDefined();
    });

    it('a server fault is ServerException 500', async () => {
      sandbox.faults.add({ service: 'eks', fail: 'server', times: 1 });
      await expect(client().send(new ListClustersCommand({}))).rejects.toMatchObject({
        name: 'ServerException',
        $metadata: { httpStatusCode: 500 },
      });
    });

    it('malformed JSON is BadRequestException', async () => {
      const c = client();
      c.middlewareStack.add(
        (next) => async (args) => {
          const request = args.request as { body: unknown; headers: Record<string, string> };
          request.body = '{"namespace": ';
          // The SDK computed the length of the real body; a stale one would leave the server waiting for more bytes.
          request.headers['content-length'] = String(Buffer.byteLength(request.body as string));
          return next(args);
        },
        { step: 'build' },
      );
      await expect(
        c.send(
          new CreatePodIdentityAssociationCommand({
            clusterName: 'prod',
            namespace: 'a',
            serviceAccount: 'b',
            roleArn: role('web'),
          }),
        ),
      ).rejects.toMatchObject({ name: 'BadRequestException', $metadata: { httpStatusCode: 400 } });
    });

    it('an unknown path is NotFoundException 404, logged as an Unknown operation', async () => {
      const c = client();
      c.middlewareStack.add(
        (next) => async (args) => {
          (args.request as { path: string }).path = '/clusters/prod/no-such-thing';
          return next(args);
        },
        { step: 'build' },
      );
      await expect(c.send(new ListClustersCommand({}))).rejects.toMatchObject({
        name: 'NotFoundException',
        $metadata: { httpStatusCode: 404 },
      });
      expect(sandbox.log.calls.at(-1)).toMatchObject({
        service: 'eks',
        operation: 'Unknown',
        status: 404,
        errorCode: 'NotFoundException',
      });
    });

    it('every call is logged with its operation name', async () => {
      sandbox.log.clear();
      await client().send(new ListClustersCommand({}));
      await client().send(
        new DescribeAddonConfigurationCommand({ addonName: EFS, addonVersion: 'v3.4.1-eksbuild.1' }),
      );
      expect(sandbox.log.summary()).toEqual({ 'eks:ListClusters': 1, 'eks:DescribeAddonConfiguration': 1 });
    });
  });
});
