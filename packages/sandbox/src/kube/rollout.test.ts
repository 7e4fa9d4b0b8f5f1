import { PatchStrategy, setHeaderOptions, type V1Pod } from '@kubernetes/client-node';
import { startSandbox, type Sandbox } from '../index';
import type { EksCluster } from '../state/eks';
import { clients, makeCluster, type Clients } from './__fixtures__/cluster';
import { addEfsCsiNode } from './seed';

const NS = 'kube-system';
const DS = { name: 'efs-csi-node', namespace: NS };
const RESTARTED_AT = 'kubectl.kubernetes.io/restartedAt';
const T0 = Date.parse('2026-01-10T08:00:00Z');

/** What `kubectl rollout restart` sends (as a merge patch; kubectl itself uses strategic merge). */
const restartBody = (at: number) => ({
  spec: { template: { metadata: { annotations: { [RESTARTED_AT]: new Date(at).toISOString() } } } },
});
const merge = () => setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

const identities = (pods: V1Pod[]) => pods.map((p) => `${p.metadata!.name}/${p.metadata!.uid}`).sort();

describe('DaemonSet restart and rollout', () => {
  let sandbox: Sandbox;
  let clock = T0 + 60_000;
  const clusters: Record<string, EksCluster> = {};
  const k: Record<string, Clients> = {};

  beforeAll(async () => {
    sandbox = await startSandbox({
      seed: (state) => {
        state.now = () => clock;
        for (const [name, updateStrategy] of [
          ['rolling', 'RollingUpdate'],
          ['ondelete', 'OnDelete'],
          ['delayed', 'RollingUpdate'],
        ] as const) {
          const cluster = makeCluster(state, name);
          addEfsCsiNode(cluster, {
            updateStrategy,
            createdAt: T0,
            nodes: [
              { name: 'n1', zone: 'eu-west-1a' },
              { name: 'n2', zone: 'eu-west-1b' },
              { name: 'n3', zone: 'eu-west-1c' },
            ],
          });
          clusters[name] = cluster;
        }
        clusters.delayed!.kube.settings.rolloutDelayMs = 30_000;
      },
    });
    for (const name of Object.keys(clusters)) k[name] = clients(clusters[name]!.endpoint);
  });
  beforeEach(() => {
    clock = T0 + 3600_000;
  });
  afterAll(() => sandbox.stop());

  const pods = async (name: string) =>
    (await k[name]!.core.listNamespacedPod({ namespace: NS, labelSelector: 'app=efs-csi-node' })).items;

  it('RollingUpdate: a restart bumps the generation and recreates every pod (new names, uids, creation time)', async () => {
    const before = await pods('rolling');
    expect(before).toHaveLength(3);
    expect(before.every((p) => p.metadata!.creationTimestamp!.getTime() === T0)).toBe(true);

    const ds = await k.rolling!.apps.patchNamespacedDaemonSet({ ...DS, body: restartBody(clock) }, merge());
    expect(ds.metadata?.generation).toBe(2);
    expect(ds.spec?.template.metadata?.annotations?.[RESTARTED_AT]).toBe(new Date(clock).toISOString());

    const after = await pods('rolling');
    expect(after).toHaveLength(3);
    expect(identities(after).some((id) => identities(before).includes(id))).toBe(false);
    expect(after.every((p) => p.metadata!.creationTimestamp!.getTime() === clock)).toBe(true);
    expect(
      after.every((p) => p.metadata!.annotations?.[RESTARTED_AT] === new Date(clock).toISOString()),
    ).toBe(true);
    expect(after.map((p) => p.spec!.nodeName).sort()).toEqual(['n1', 'n2', 'n3']);

    const status = (await k.rolling!.apps.readNamespacedDaemonSetStatus(DS)).status;
    expect(status).toMatchObject({
      observedGeneration: 2,
      desiredNumberScheduled: 3,
      updatedNumberScheduled: 3,
      numberAvailable: 3,
      numberReady: 3,
    });
  });

  it('RollingUpdate: a second restart through the default JSON Patch (~1 escaped) recreates them again', async () => {
    const before = await pods('rolling');
    clock += 60_000;
    const ds = await k.rolling!.apps.patchNamespacedDaemonSet({
      ...DS,
      body: [
        {
          op: 'replace',
          path: '/spec/template/metadata/annotations/kubectl.kubernetes.io~1restartedAt',
          value: new Date(clock).toISOString(),
        },
      ],
    });
    expect(ds.metadata?.generation).toBe(3);
    const after = await pods('rolling');
    expect(identities(after).some((id) => identities(before).includes(id))).toBe(false);
    expect(after.every((p) => p.metadata!.labels!['pod-template-generation'] === '3')).toBe(true);
  });

  it('a change outside the template bumps the generation but recreates nothing', async () => {
    const before = await pods('rolling');
    const ds = await k.rolling!.apps.patchNamespacedDaemonSet(
      { ...DS, body: { spec: { minReadySeconds: 5 } } },
      merge(),
    );
    expect(ds.metadata?.generation).toBe(4);
    expect(identities(await pods('rolling'))).toEqual(identities(before));
    expect((await k.rolling!.apps.readNamespacedDaemonSet(DS)).status?.observedGeneration).toBe(4);
  });

  it('OnDelete: a restart recreates nothing; a deleted pod comes back with the new template', async () => {
    const before = await pods('ondelete');
    const ds = await k.ondelete!.apps.patchNamespacedDaemonSet({ ...DS, body: restartBody(clock) }, merge());
    expect(ds.metadata?.generation).toBe(2);
    expect(identities(await pods('ondelete'))).toEqual(identities(before));
    let status = (await k.ondelete!.apps.readNamespacedDaemonSet(DS)).status;
    expect(status).toMatchObject({ observedGeneration: 2, desiredNumberScheduled: 3, numberAvailable: 3 });
    // Zero is left out on the wire (omitempty), so the client sees it as absent.
    expect(status?.updatedNumberScheduled ?? 0).toBe(0);

    const victim = before.find((p) => p.spec!.nodeName === 'n2')!;
    const deleted = await k.ondelete!.core.deleteNamespacedPod({
      name: victim.metadata!.name!,
      namespace: NS,
    });
    expect(deleted.metadata?.name).toBe(victim.metadata!.name);
    const after = await pods('ondelete');
    expect(after).toHaveLength(3);
    const replacement = after.find((p) => p.spec!.nodeName === 'n2')!;
    expect(replacement.metadata!.name).not.toBe(victim.metadata!.name);
    expect(replacement.metadata!.annotations?.[RESTARTED_AT]).toBe(new Date(clock).toISOString());
    status = (await k.ondelete!.apps.readNamespacedDaemonSet(DS)).status;
    expect(status?.updatedNumberScheduled).toBe(1);
  });

  it('with a rollout delay, updatedNumberScheduled lags until the delay has passed (a rollout wait can be tested)', async () => {
    const before = await pods('delayed');
    const ds = await k.delayed!.apps.patchNamespacedDaemonSet({ ...DS, body: restartBody(clock) }, merge());
    expect(ds.metadata?.generation).toBe(2);
    const waiting = (await k.delayed!.apps.readNamespacedDaemonSet(DS)).status!;
    expect(waiting.observedGeneration).toBe(2);
    expect(waiting.updatedNumberScheduled ?? 0).toBe(0);
    expect(waiting.numberAvailable).toBe(3);
    expect(identities(await pods('delayed'))).toEqual(identities(before));

    clock += 29_000;
    expect((await k.delayed!.apps.readNamespacedDaemonSet(DS)).status!.updatedNumberScheduled ?? 0).toBe(0);

    const due = clock + 1_000;
    clock += 5_000;
    const done = (await k.delayed!.apps.readNamespacedDaemonSet(DS)).status!;
    expect(done).toMatchObject({
      observedGeneration: 2,
      desiredNumberScheduled: 3,
      updatedNumberScheduled: 3,
      numberAvailable: 3,
    });
    const after = await pods('delayed');
    expect(identities(after).some((id) => identities(before).includes(id))).toBe(false);
    // The pods were created when the rollout was due, not when someone looked.
    expect(after.every((p) => p.metadata!.creationTimestamp!.getTime() === due)).toBe(true);
  });
});
