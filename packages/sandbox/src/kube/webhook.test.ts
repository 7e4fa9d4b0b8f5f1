import { PatchStrategy, setHeaderOptions, type V1Container, type V1Pod } from '@kubernetes/client-node';
import { startSandbox, type Sandbox } from '../index';
import type { EksCluster } from '../state/eks';
import { associate, clients, makeCluster, type Clients } from './__fixtures__/cluster';
import { addEfsCsiNode, addPod, addServiceAccount } from './seed';

const NS = 'kube-system';
const DS = { name: 'efs-csi-node', namespace: NS };
const SA = 'efs-csi-node-sa';
const ROLE = 'arn:aws:iam::111111111111:role/efs-csi-node';
const T0 = Date.parse('2026-01-10T08:00:00Z');
const merge = () => setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const restart = (at: number) => ({
  spec: {
    template: {
      metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': new Date(at).toISOString() } },
    },
  },
});

const env = (c: V1Container) =>
  Object.fromEntries((c.env ?? []).filter((e) => e.value !== undefined).map((e) => [e.name, e.value]));
const allContainers = (pods: V1Pod[]) => pods.flatMap((p) => p.spec!.containers);

describe('the simulated EKS Pod Identity / IRSA webhook', () => {
  let sandbox: Sandbox;
  let clock = T0 + 60_000;
  const clusters: Record<string, EksCluster> = {};
  const k: Record<string, Clients> = {};

  beforeAll(async () => {
    sandbox = await startSandbox({
      seed: (state) => {
        state.now = () => clock;
        for (const name of ['journey', 'delay', 'irsa', 'both', 'other-sa']) {
          const cluster = makeCluster(state, name);
          addServiceAccount(cluster, { name: SA, namespace: NS, createdAt: T0 });
          addEfsCsiNode(cluster, {
            createdAt: T0,
            nodes: [
              { name: 'n1', zone: 'eu-west-1a' },
              { name: 'n2', zone: 'eu-west-1b' },
            ],
          });
          clusters[name] = cluster;
        }
      },
    });
    for (const name of Object.keys(clusters)) k[name] = clients(clusters[name]!.endpoint);
    clock = T0 + 60_000;
  });
  afterAll(() => sandbox.stop());

  const pods = async (name: string) =>
    (await k[name]!.core.listNamespacedPod({ namespace: NS, labelSelector: 'app=efs-csi-node' })).items;
  const restartAt = async (name: string, at: number) => {
    clock = at;
    await k[name]!.apps.patchNamespacedDaemonSet({ ...DS, body: restart(at) }, merge());
  };

  it('journey: association created → existing pods still lack the env → DaemonSet restart → new pods have it', async () => {
    const seeded = await pods('journey');
    expect(allContainers(seeded).some((c) => 'AWS_CONTAINER_CREDENTIALS_FULL_URI' in env(c))).toBe(false);

    associate(clusters.journey!, NS, SA, ROLE, T0 + 120_000);
    clock = T0 + 180_000;
    const existing = await pods('journey');
    expect(existing.map((p) => p.metadata!.uid)).toEqual(seeded.map((p) => p.metadata!.uid));
    expect(allContainers(existing).some((c) => 'AWS_CONTAINER_CREDENTIALS_FULL_URI' in env(c))).toBe(false);

    await restartAt('journey', T0 + 240_000);
    const fresh = await pods('journey');
    expect(fresh).toHaveLength(2);
    for (const pod of fresh) {
      expect(pod.spec!.containers.map((c) => c.name)).toEqual([
        'efs-plugin',
        'csi-driver-registrar',
        'liveness-probe',
      ]);
      for (const container of pod.spec!.containers) {
        expect(env(container)).toMatchObject({
          AWS_CONTAINER_CREDENTIALS_FULL_URI: 'http://169.254.170.23/v1/credentials',
          AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE:
            '/var/run/secrets/pods.eks.amazonaws.com/serviceaccount/eks-pod-identity-token',
        });
        expect(env(container).AWS_ROLE_ARN).toBeUndefined();
        expect(container.volumeMounts).toContainEqual({
          name: 'eks-pod-identity-token',
          mountPath: '/var/run/secrets/pods.eks.amazonaws.com/serviceaccount',
          readOnly: true,
        });
      }
      const volume = pod.spec!.volumes!.find((v) => v.name === 'eks-pod-identity-token');
      expect(volume?.projected?.sources?.[0]?.serviceAccountToken).toMatchObject({
        audience: 'pods.eks.amazonaws.com',
        path: 'eks-pod-identity-token',
      });
    }
    // The DaemonSet's own template is untouched: the env exists only in the admitted pods.
    const ds = await k.journey!.apps.readNamespacedDaemonSet(DS);
    expect(
      ds.spec!.template.spec!.containers.some((c) => 'AWS_CONTAINER_CREDENTIALS_FULL_URI' in env(c)),
    ).toBe(false);
  });

  it('an association is used only once it is effective', async () => {
    associate(clusters.delay!, NS, SA, ROLE, T0 + 100_000, 10_000);
    await restartAt('delay', T0 + 105_000);
    expect(
      allContainers(await pods('delay')).some((c) => 'AWS_CONTAINER_CREDENTIALS_FULL_URI' in env(c)),
    ).toBe(false);
    await restartAt('delay', T0 + 110_000);
    expect(
      allContainers(await pods('delay')).every((c) => 'AWS_CONTAINER_CREDENTIALS_FULL_URI' in env(c)),
    ).toBe(true);
  });

  it('injects IRSA env from the ServiceAccount annotation into pods created after it', async () => {
    await k.irsa!.core.patchNamespacedServiceAccount(
      {
        name: SA,
        namespace: NS,
        body: { metadata: { annotations: { 'eks.amazonaws.com/role-arn': ROLE } } },
      },
      merge(),
    );
    expect(allContainers(await pods('irsa')).some((c) => 'AWS_ROLE_ARN' in env(c))).toBe(false);
    await restartAt('irsa', T0 + 200_000);
    const fresh = await pods('irsa');
    for (const container of allContainers(fresh)) {
      expect(env(container)).toMatchObject({
        AWS_ROLE_ARN: ROLE,
        AWS_WEB_IDENTITY_TOKEN_FILE: '/var/run/secrets/eks.amazonaws.com/serviceaccount/token',
        AWS_STS_REGIONAL_ENDPOINTS: 'regional',
        AWS_REGION: 'eu-west-1',
      });
      expect(env(container).AWS_CONTAINER_CREDENTIALS_FULL_URI).toBeUndefined();
    }
    expect(
      fresh[0]!.spec!.volumes!.find((v) => v.name === 'aws-iam-token')?.projected?.sources?.[0]
        ?.serviceAccountToken?.audience,
    ).toBe('sts.amazonaws.com');
  });

  it('prefers an effective Pod Identity association over an IRSA annotation', async () => {
    addServiceAccount(clusters.both!, {
      name: SA,
      namespace: NS,
      annotations: { 'eks.amazonaws.com/role-arn': ROLE },
    });
    associate(clusters.both!, NS, SA, ROLE, T0 + 100_000);
    await restartAt('both', T0 + 200_000);
    for (const container of allContainers(await pods('both'))) {
      expect('AWS_CONTAINER_CREDENTIALS_FULL_URI' in env(container)).toBe(true);
      expect('AWS_ROLE_ARN' in env(container)).toBe(false);
    }
  });

  it('ignores associations for another ServiceAccount or namespace', async () => {
    associate(clusters['other-sa']!, NS, 'efs-csi-controller-sa', ROLE, T0);
    associate(clusters['other-sa']!, 'default', SA, ROLE, T0);
    await restartAt('other-sa', T0 + 200_000);
    expect(
      allContainers(await pods('other-sa')).some((c) => 'AWS_CONTAINER_CREDENTIALS_FULL_URI' in env(c)),
    ).toBe(false);
  });

  it('admits seeded bare pods too, judged at their creation time', async () => {
    const cluster = clusters['other-sa']!;
    const pod = addPod(
      cluster,
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'app', namespace: 'default' },
        spec: { serviceAccountName: SA, containers: [{ name: 'main', image: 'busybox' }] },
      },
      T0 + 1,
    );
    expect((pod.spec as { containers: V1Container[] }).containers[0]!.env).toEqual([
      { name: 'AWS_CONTAINER_CREDENTIALS_FULL_URI', value: 'http://169.254.170.23/v1/credentials' },
      {
        name: 'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE',
        value: '/var/run/secrets/pods.eks.amazonaws.com/serviceaccount/eks-pod-identity-token',
      },
    ]);
    const read = await k['other-sa']!.core.readNamespacedPod({ name: 'app', namespace: 'default' });
    expect(read.metadata!.creationTimestamp!.getTime()).toBe(T0);
  });
});
