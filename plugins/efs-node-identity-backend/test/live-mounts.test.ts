import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import type { EntityStatusResponse } from '@efs-node-identity/backstage-plugin-common';
import request from 'supertest';
import efsNodeIdentityPlugin from '../src';
import { cliVerifyRuleIds, PLATFORM_ACCOUNT, startWorld, type SandboxWorld } from './sandbox-world';

// Ground truth from the nodes through the backend: with efsNodeIdentity.inspectMounts the verifier reads each
// efs-csi-node pod's mount state files from the sandbox's exec endpoint, as `verify --inspect-mounts` does.
const databases = TestDatabases.create({ ids: ['POSTGRES_18'] });

const API = '/api/efs-node-identity';
const USER = mockCredentials.user.header('user:default/alice');
const NODE_ROLE_ARN = `arn:aws:iam::${PLATFORM_ACCOUNT}:role/prod-eks-efs-csi-node`;

function payments(clusterArn: string): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: 'payments',
      namespace: 'default',
      annotations: {
        'efs-node-identity.io/cluster-arn': clusterArn,
        'efs-node-identity.io/file-system-ids': 'fs-0a1b2c3d4e5f60718',
      },
    },
    spec: { type: 'service', lifecycle: 'production', owner: 'team-storage' },
  };
}

/** `refreshOnStartup`: let the mock scheduler run the fleet refresh once while the backend starts (it waits for it). */
async function startBackend(
  world: SandboxWorld,
  inspectMounts: boolean | undefined,
  refreshOnStartup = false,
) {
  return startTestBackend({
    features: [
      efsNodeIdentityPlugin,
      mockServices.database.factory({ knex: await databases.init('POSTGRES_18') }),
      mockServices.rootConfig.factory({
        data: {
          aws: { accounts: [{ accountId: PLATFORM_ACCOUNT, ...world.keys }] },
          ...(inspectMounts === undefined ? {} : { efsNodeIdentity: { inspectMounts } }),
        },
      }),
      catalogServiceMock.factory({ entities: [payments(world.clusterArn)] }),
      mockServices.scheduler.factory({ skipTaskRunOnStartup: !refreshOnStartup }),
    ],
  });
}

async function verify(server: Parameters<typeof request>[0]): Promise<EntityStatusResponse> {
  const res = await request(server)
    .post(`${API}/entities/default/component/payments/verify`)
    .set('Authorization', USER)
    .expect(200);
  return res.body as EntityStatusResponse;
}

describe('live mounts in the status API (efsNodeIdentity.inspectMounts)', () => {
  let world: SandboxWorld | undefined;
  afterEach(async () => {
    await world?.stop();
    world = undefined;
  });

  it('reports the mount that fell back to the instance role, with its PV and pod to re-mount, and NR-03 as the CLI does', async () => {
    world = await startWorld('fallback-to-instance-role');
    const { server } = await startBackend(world, true);
    const body = await verify(server);

    expect(body.liveMounts).toEqual({
      inspected: true,
      identity: `Pod Identity, role ${NODE_ROLE_ARN}`,
      counts: { dedicated: 1, instanceRole: 1, olderIdentity: 0, other: 0, withoutIam: 0 },
      nodePods: 3,
      remountCount: 1,
      remount: [
        {
          credentials: 'instance-role',
          credentialsMethod: 'metadata:',
          nodePod: expect.stringMatching(/^kube-system\/efs-csi-node-/),
          node: 'ip-10-40-45-67.eu-west-1.compute.internal',
          applicationPodUid: '7c2e4d3f-5a6b-4c7d-9e8f-0a1b2c3d4e5f',
          persistentVolume: 'orders-data-pv',
          fileSystemId: 'fs-0a1b2c3d4e5f60718',
          accessPointId: 'fsap-0e1f2a3b4c5d60711',
          mount:
            '/var/lib/kubelet/pods/7c2e4d3f-5a6b-4c7d-9e8f-0a1b2c3d4e5f/volumes/kubernetes.io~csi/orders-data-pv/mount',
          mountedAt: expect.any(String),
        },
      ],
    });
    const nr03 = body.findings.filter((f) => f.ruleId === 'NR-03');
    expect(nr03.map((f) => f.severity).sort()).toEqual(['error', 'info']);
    expect(nr03.find((f) => f.severity === 'error')!.resource).toBe('PersistentVolume/orders-data-pv');
    expect(body.state).toBe('failing');
    expect(body.findings.map((f) => f.ruleId).sort()).toEqual(
      await cliVerifyRuleIds(world, ['--inspect-mounts']),
    );

    // What the status endpoint answers later is the stored verification, live mounts included.
    const status = await request(server)
      .get(`${API}/entities/default/component/payments/status`)
      .set('Authorization', USER)
      .expect(200);
    expect(status.body).toEqual(body);
  });

  it('counts every live mount on the dedicated identity on the healthy cluster, with nothing to re-mount', async () => {
    world = await startWorld('healthy');
    const { server } = await startBackend(world, true);
    const body = await verify(server);
    expect(body.liveMounts).toMatchObject({
      inspected: true,
      counts: { dedicated: 2, instanceRole: 0, olderIdentity: 0, other: 0, withoutIam: 0 },
      remount: [],
      remountCount: 0,
    });
    expect(body.liveMounts).not.toHaveProperty('notInspected');
    expect(body.findings.filter((f) => f.ruleId === 'NR-03').map((f) => f.severity)).toEqual(['info']);
    // The count is a note: a healthy cluster stays ok when its mounts are inspected.
    expect(body.findings.every((f) => f.severity === 'info')).toBe(true);
    expect(body.state).toBe('ok');
  });

  it('says "not inspected" because the option is off, and reads no node pod, when inspectMounts is not set', async () => {
    world = await startWorld('fallback-to-instance-role');
    const { server } = await startBackend(world, undefined);
    world.sandbox.log.clear();
    const body = await verify(server);
    expect(body.liveMounts).toEqual({
      inspected: false,
      reason: 'disabled',
      message: expect.stringContaining('efsNodeIdentity.inspectMounts is off'),
    });
    expect(body.findings.map((f) => f.ruleId)).not.toContain('NR-03');
    const operations = world.sandbox.log.calls.map((c) => c.operation);
    expect(operations).not.toContain('create pods/exec');
    expect(operations).toContain('list pods');
  });

  it('says "not inspected: forbidden" when the backend\'s access entry only has AmazonEKSViewPolicy, and the rest stands', async () => {
    world = await startWorld('fallback-to-instance-role', {
      accessPolicies: ['arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy'],
    });
    const { server } = await startBackend(world, true);
    world.sandbox.log.clear();
    const body = await verify(server);
    expect(body.liveMounts).toEqual({
      inspected: false,
      reason: 'forbidden',
      message: expect.stringMatching(
        /^the mount state files of 3 efs-csi-node pod\(s\) could not be read: the backend's identity may not use pods\/exec/,
      ),
    });
    // The API server really refused each exec (403); nothing was read from a node.
    const execs = world.sandbox.log.calls.filter((c) => c.operation === 'create pods/exec');
    expect(execs.length).toBeGreaterThan(0);
    expect(execs.every((c) => c.status === 403)).toBe(true);
    // NR-03 says so as a note, and every other rule judges the cluster as it does without inspection.
    expect(body.findings.filter((f) => f.ruleId === 'NR-03').map((f) => f.severity)).toEqual(['info']);
    const withoutInspection = body.findings
      .filter((f) => f.ruleId !== 'NR-03' && f.ruleId !== 'LG-01')
      .map((f) => f.ruleId)
      .sort();
    expect(withoutInspection).toEqual(await cliVerifyRuleIds(world, []));
  });

  it('inspects the mounts in the scheduled fleet refresh too', async () => {
    world = await startWorld('fallback-to-instance-role');
    const { server } = await startBackend(world, true, true);
    const status = await request(server)
      .get(`${API}/entities/default/component/payments/status`)
      .set('Authorization', USER)
      .expect(200);
    expect(status.body.state).toBe('failing');
    expect(status.body.liveMounts).toMatchObject({
      inspected: true,
      counts: { dedicated: 1, instanceRole: 1 },
      remountCount: 1,
    });
  });

  it('refuses inspectMounts without Kubernetes access at startup, naming both keys', async () => {
    await expect(
      startTestBackend({
        features: [
          efsNodeIdentityPlugin,
          mockServices.database.factory({ knex: await databases.init('POSTGRES_18') }),
          mockServices.rootConfig.factory({
            data: { efsNodeIdentity: { inspectMounts: true, kubernetes: 'none' } },
          }),
          catalogServiceMock.factory({ entities: [] }),
        ],
      }),
    ).rejects.toThrow(/efsNodeIdentity\.inspectMounts .* needs efsNodeIdentity\.kubernetes eks-token/);
  });
});
