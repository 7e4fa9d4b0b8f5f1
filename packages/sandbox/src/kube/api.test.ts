import { PatchStrategy, setHeaderOptions, type V1DaemonSet } from '@kubernetes/client-node';
import { startSandbox, type Sandbox } from '../index';
import type { EksCluster } from '../state/eks';
import { SANDBOX_ADMIN_TOKEN, SANDBOX_READONLY_TOKEN } from '../state/kube';
import { clients, failure, makeCluster, type Clients } from './__fixtures__/cluster';
import {
  addEfsCsiNode,
  addPersistentVolume,
  addPersistentVolumeClaim,
  addSecret,
  addServiceAccount,
  addStorageClass,
} from './seed';

const NS = 'kube-system';
const DS = { name: 'efs-csi-node', namespace: NS };
const SA = { name: 'efs-csi-node-sa', namespace: NS };
const merge = () => setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const strategic = () => setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);

describe('the sandbox Kubernetes API through @kubernetes/client-node', () => {
  let sandbox: Sandbox;
  let cluster: EksCluster;
  let k: Clients;

  beforeAll(async () => {
    sandbox = await startSandbox({
      seed: (state) => {
        cluster = makeCluster(state);
        addServiceAccount(cluster, { ...SA, labels: { 'app.kubernetes.io/name': 'aws-efs-csi-driver' } });
        addServiceAccount(cluster, { name: 'a', namespace: 'kube' });
        addServiceAccount(cluster, { name: 'b', namespace: 'kube-a' });
        addEfsCsiNode(cluster, {
          nodes: [
            { name: 'node-a', zone: 'eu-west-1a', zoneId: 'euw1-az1' },
            { name: 'node-b', zone: 'eu-west-1b', zoneId: 'euw1-az2' },
            { name: 'node-c', zone: 'eu-west-1c', zoneId: 'euw1-az3' },
          ],
        });
        addStorageClass(cluster, {
          name: 'efs-sc',
          parameters: {
            provisioningMode: 'efs-ap',
            fileSystemId: 'fs-0123456789abcdef0',
            directoryPerms: '700',
          },
        });
        addPersistentVolume(cluster, {
          name: 'efs-pv',
          volumeHandle: 'fs-0123456789abcdef0::fsap-0123456789abcdef0',
          mountOptions: ['tls', 'iam'],
          claim: 'apps/data',
        });
        addPersistentVolumeClaim(cluster, {
          name: 'data',
          namespace: 'apps',
          volumeName: 'efs-pv',
          storageClassName: '',
        });
        addSecret(cluster, {
          name: 'x-account',
          namespace: NS,
          stringData: { awsRoleArn: 'arn:aws:iam::222222222222:role/efs-cross' },
        });
      },
    });
    k = clients(cluster.endpoint);
  });
  afterAll(() => sandbox.stop());

  it('serves the cluster at its EKS endpoint', () => {
    expect(cluster.endpoint).toBe(`${sandbox.url}/k8s/111111111111/eu-west-1/demo`);
  });

  describe('get and list', () => {
    it('gets the DaemonSet with its rollout status', async () => {
      const ds = await k.apps.readNamespacedDaemonSet(DS);
      expect(ds.metadata).toMatchObject({ name: 'efs-csi-node', namespace: NS, generation: 1 });
      expect(ds.metadata?.resourceVersion).toMatch(/^\d+$/);
      expect(ds.metadata?.creationTimestamp).toBeInstanceOf(Date);
      expect(ds.spec?.template.spec?.containers.map((c) => c.name)).toEqual([
        'efs-plugin',
        'csi-driver-registrar',
        'liveness-probe',
      ]);
      expect(ds.status).toMatchObject({
        desiredNumberScheduled: 3,
        currentNumberScheduled: 3,
        updatedNumberScheduled: 3,
        numberAvailable: 3,
        numberReady: 3,
        observedGeneration: 1,
      });
      const status = await k.apps.readNamespacedDaemonSetStatus(DS);
      expect(status.status?.numberReady).toBe(3);
    });

    it('lists DaemonSets in a namespace and in all namespaces, as a List with a resourceVersion', async () => {
      const list = await k.apps.listNamespacedDaemonSet({ namespace: NS });
      expect(list.kind).toBe('DaemonSetList');
      expect(list.apiVersion).toBe('apps/v1');
      expect(list.metadata?.resourceVersion).toMatch(/^\d+$/);
      expect(list.items.map((d) => d.metadata?.name)).toEqual(['efs-csi-node']);
      expect((await k.apps.listDaemonSetForAllNamespaces()).items).toHaveLength(1);
      expect((await k.apps.listNamespacedDaemonSet({ namespace: 'default' })).items).toEqual([]);
    });

    it('lists pods by label selector and by node', async () => {
      const pods = await k.core.listNamespacedPod({
        namespace: NS,
        labelSelector: 'app=efs-csi-node,app.kubernetes.io/name in (aws-efs-csi-driver)',
      });
      expect(pods.items).toHaveLength(3);
      expect(pods.items.map((p) => p.spec?.nodeName).sort()).toEqual(['node-a', 'node-b', 'node-c']);
      for (const pod of pods.items) {
        expect(pod.metadata?.name).toMatch(/^efs-csi-node-[a-z0-9]{5}$/);
        expect(pod.metadata?.ownerReferences?.[0]).toMatchObject({
          kind: 'DaemonSet',
          name: 'efs-csi-node',
          controller: true,
        });
        expect(pod.spec?.serviceAccountName).toBe('efs-csi-node-sa');
        expect(pod.status?.phase).toBe('Running');
      }
      expect(
        (await k.core.listNamespacedPod({ namespace: NS, labelSelector: 'app!=efs-csi-node' })).items,
      ).toEqual([]);
      expect((await k.core.listNamespacedPod({ namespace: NS, labelSelector: '!app' })).items).toEqual([]);
      const onB = await k.core.listPodForAllNamespaces({
        fieldSelector: 'spec.nodeName=node-b',
        labelSelector: 'app=efs-csi-node',
      });
      expect(onB.items.map((p) => p.spec?.nodeName)).toEqual(['node-b']);
    });

    it('refuses a bad selector with 400 BadRequest', async () => {
      expect(
        await failure(k.core.listNamespacedPod({ namespace: NS, fieldSelector: 'spec.bogus=x' })),
      ).toMatchObject({ code: 400, reason: 'BadRequest', message: 'field label not supported: spec.bogus' });
      expect(await failure(k.core.listNamespacedPod({ namespace: NS, labelSelector: 'a=(b' }))).toMatchObject(
        { code: 400, reason: 'BadRequest' },
      );
    });

    it('pages with limit and continue', async () => {
      const first = await k.core.listNamespacedPod({ namespace: NS, limit: 2 });
      expect(first.items).toHaveLength(2);
      expect(first.metadata?.remainingItemCount).toBe(1);
      const rest = await k.core.listNamespacedPod({
        namespace: NS,
        limit: 2,
        _continue: first.metadata!._continue!,
      });
      expect(rest.items).toHaveLength(1);
      expect(rest.metadata?._continue).toBeUndefined();
      // Across namespaces, in (namespace, name) order even where a namespace is a prefix of another.
      const names: string[] = [];
      let token: string | undefined;
      do {
        const page = await k.core.listServiceAccountForAllNamespaces({
          limit: 1,
          ...(token ? { _continue: token } : {}),
        });
        names.push(...page.items.map((s) => `${s.metadata!.namespace}/${s.metadata!.name}`));
        token = page.metadata?._continue;
      } while (token);
      expect(names).toEqual(
        (await k.core.listServiceAccountForAllNamespaces()).items.map(
          (s) => `${s.metadata!.namespace}/${s.metadata!.name}`,
        ),
      );
    });

    it('gets and lists ServiceAccounts, Secrets, StorageClasses, PVs, PVCs and Nodes', async () => {
      expect((await k.core.readNamespacedServiceAccount(SA)).metadata?.labels).toEqual({
        'app.kubernetes.io/name': 'aws-efs-csi-driver',
      });
      expect(
        (await k.core.listNamespacedServiceAccount({ namespace: NS })).items.map((s) => s.metadata?.name),
      ).toContain('efs-csi-node-sa');
      expect((await k.core.listServiceAccountForAllNamespaces()).kind).toBe('ServiceAccountList');
      const secret = await k.core.readNamespacedSecret({ name: 'x-account', namespace: NS });
      expect(Buffer.from(secret.data!.awsRoleArn!, 'base64').toString()).toBe(
        'arn:aws:iam::222222222222:role/efs-cross',
      );
      const classes = await k.storage.listStorageClass();
      expect(classes.items[0]).toMatchObject({
        provisioner: 'efs.csi.aws.com',
        parameters: { fileSystemId: 'fs-0123456789abcdef0' },
      });
      expect((await k.storage.readStorageClass({ name: 'efs-sc' })).metadata?.name).toBe('efs-sc');
      const pvs = await k.core.listPersistentVolume();
      expect(pvs.items[0]?.spec?.csi).toMatchObject({
        driver: 'efs.csi.aws.com',
        volumeHandle: 'fs-0123456789abcdef0::fsap-0123456789abcdef0',
      });
      expect(pvs.items[0]?.spec?.mountOptions).toEqual(['tls', 'iam']);
      expect((await k.core.readPersistentVolume({ name: 'efs-pv' })).status?.phase).toBe('Bound');
      expect(
        (await k.core.listNamespacedPersistentVolumeClaim({ namespace: 'apps' })).items[0]?.spec?.volumeName,
      ).toBe('efs-pv');
      expect((await k.core.listPersistentVolumeClaimForAllNamespaces()).items).toHaveLength(1);
      const nodes = await k.core.listNode({ labelSelector: 'topology.kubernetes.io/zone=eu-west-1b' });
      expect(nodes.items.map((n) => n.metadata?.labels?.['topology.k8s.aws/zone-id'])).toEqual(['euw1-az2']);
      expect((await k.core.readNode({ name: 'node-a' })).spec?.providerID).toMatch(
        /^aws:\/\/\/eu-west-1a\/i-/,
      );
    });

    it('answers an absent object with a 404 NotFound Status', async () => {
      const status = await failure(k.apps.readNamespacedDaemonSet({ name: 'nope', namespace: NS }));
      expect(status).toMatchObject({
        code: 404,
        kind: 'Status',
        status: 'Failure',
        reason: 'NotFound',
        message: 'daemonsets.apps "nope" not found',
      });
      expect(await failure(k.core.readNamespacedSecret({ name: 'nope', namespace: NS }))).toMatchObject({
        code: 404,
        reason: 'NotFound',
        message: 'secrets "nope" not found',
      });
      expect(
        await failure(k.core.readNamespacedServiceAccount({ name: 'nope', namespace: NS })),
      ).toMatchObject({ code: 404, reason: 'NotFound' });
    });
  });

  describe('patch', () => {
    it('applies a JSON Patch (the client default) with ~1 escapes', async () => {
      const before = await k.core.readNamespacedServiceAccount(SA);
      const patched = await k.core.patchNamespacedServiceAccount({
        ...SA,
        body: [
          {
            op: 'add',
            path: '/metadata/annotations',
            value: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::111111111111:role/old' },
          },
        ],
      });
      expect(patched.metadata?.annotations).toEqual({
        'eks.amazonaws.com/role-arn': 'arn:aws:iam::111111111111:role/old',
      });
      expect(Number(patched.metadata?.resourceVersion)).toBeGreaterThan(
        Number(before.metadata?.resourceVersion),
      );
      const replaced = await k.core.patchNamespacedServiceAccount({
        ...SA,
        body: [
          {
            op: 'test',
            path: '/metadata/annotations/eks.amazonaws.com~1role-arn',
            value: 'arn:aws:iam::111111111111:role/old',
          },
          {
            op: 'replace',
            path: '/metadata/annotations/eks.amazonaws.com~1role-arn',
            value: 'arn:aws:iam::111111111111:role/new',
          },
        ],
      });
      expect(replaced.metadata?.annotations?.['eks.amazonaws.com/role-arn']).toBe(
        'arn:aws:iam::111111111111:role/new',
      );
      const removed = await k.core.patchNamespacedServiceAccount({
        ...SA,
        body: [{ op: 'remove', path: '/metadata/annotations/eks.amazonaws.com~1role-arn' }],
      });
      expect(removed.metadata?.annotations ?? {}).toEqual({});
      expect((await k.core.readNamespacedServiceAccount(SA)).metadata?.annotations ?? {}).toEqual({});
    });

    it('refuses a JSON Patch whose path is absent with 422 and changes nothing', async () => {
      const before = await k.core.readNamespacedServiceAccount(SA);
      const status = await failure(
        k.core.patchNamespacedServiceAccount({
          ...SA,
          body: [
            { op: 'add', path: '/metadata/labels/x', value: 'y' },
            { op: 'remove', path: '/metadata/annotations/absent~1key' },
          ],
        }),
      );
      expect(status).toMatchObject({ code: 422, kind: 'Status', reason: 'Invalid' });
      expect(status.message).toContain('/metadata/annotations/absent~1key');
      expect(
        await failure(
          k.core.patchNamespacedServiceAccount({
            ...SA,
            body: [{ op: 'test', path: '/metadata/name', value: 'other' }],
          }),
        ),
      ).toMatchObject({ code: 422 });
      const after = await k.core.readNamespacedServiceAccount(SA);
      expect(after.metadata?.resourceVersion).toBe(before.metadata?.resourceVersion);
      expect(after.metadata?.labels?.x).toBeUndefined();
    });

    it('applies a merge patch when the content type says so', async () => {
      const patched = await k.core.patchNamespacedServiceAccount(
        {
          ...SA,
          body: {
            metadata: {
              annotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::111111111111:role/merged' },
              labels: { extra: 'yes' },
            },
          },
        },
        merge(),
      );
      expect(patched.metadata?.annotations).toEqual({
        'eks.amazonaws.com/role-arn': 'arn:aws:iam::111111111111:role/merged',
      });
      expect(patched.metadata?.labels).toEqual({
        'app.kubernetes.io/name': 'aws-efs-csi-driver',
        extra: 'yes',
      });
      const cleared = await k.core.patchNamespacedServiceAccount(
        { ...SA, body: { metadata: { annotations: null, labels: { extra: null } } } },
        merge(),
      );
      expect(cleared.metadata?.annotations).toBeUndefined();
      expect(cleared.metadata?.labels).toEqual({ 'app.kubernetes.io/name': 'aws-efs-csi-driver' });
    });

    it('applies a strategic-merge patch that merges containers and env by name', async () => {
      const ds = await k.apps.patchNamespacedDaemonSet(
        {
          ...DS,
          body: {
            spec: {
              template: {
                spec: {
                  containers: [
                    { name: 'efs-plugin', env: [{ name: 'AWS_STS_REGIONAL_ENDPOINTS', value: 'regional' }] },
                  ],
                },
              },
            },
          },
        },
        strategic(),
      );
      const containers = ds.spec!.template.spec!.containers;
      expect(containers.map((c) => c.name)).toEqual(['efs-plugin', 'csi-driver-registrar', 'liveness-probe']);
      expect(containers[0]!.env!.map((e) => e.name)).toEqual([
        'CSI_ENDPOINT',
        'CSI_NODE_NAME',
        'AWS_STS_REGIONAL_ENDPOINTS',
      ]);
      expect(containers[0]!.image).toMatch(/aws-efs-csi-driver:v2\.1\.0$/);
    });

    it('answers 415 UnsupportedMediaType for any other content type', async () => {
      for (const type of ['application/apply-patch+yaml', 'application/json', 'text/plain']) {
        const status = await failure(
          k.core.patchNamespacedServiceAccount({ ...SA, body: [] }, setHeaderOptions('Content-Type', type)),
        );
        expect(status).toMatchObject({ code: 415, kind: 'Status', reason: 'UnsupportedMediaType' });
      }
    });

    it('answers 404 for a patch of an absent object and 400 for a malformed patch', async () => {
      expect(
        await failure(k.core.patchNamespacedServiceAccount({ name: 'nope', namespace: NS, body: [] })),
      ).toMatchObject({ code: 404, reason: 'NotFound' });
      expect(
        await failure(k.core.patchNamespacedServiceAccount({ ...SA, body: { op: 'add' } })),
      ).toMatchObject({ code: 400, reason: 'BadRequest' });
    });

    // Found by the HTTP fuzz campaign (src/fuzz-http.test.ts, FUZZ_SEED=2099870946): a merge patch nested 20,000 deep
    // ran the patch code out of stack and was answered 500 "Internal error occurred: Maximum call stack size exceeded".
    it('answers 400 to a patch nested deeper than 1,000 levels and changes nothing', async () => {
      const before = await k.core.readNamespacedServiceAccount(SA);
      // Raw HTTP: the client's own serialiser does not take a body this deep.
      const response = await fetch(`${cluster.endpoint}/api/v1/namespaces/${NS}/serviceaccounts/${SA.name}`, {
        method: 'PATCH',
        headers: {
          authorization: `Bearer ${SANDBOX_ADMIN_TOKEN}`,
          'content-type': 'application/merge-patch+json',
        },
        body: `{"metadata":{"labels":${'{"a":'.repeat(20_000)}"x"${'}'.repeat(20_000)}}}`,
      });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ code: 400, reason: 'BadRequest' });
      expect((await k.core.readNamespacedServiceAccount(SA)).metadata?.resourceVersion).toBe(
        before.metadata?.resourceVersion,
      );
    });

    it('answers 409 Conflict when the patch names an old resourceVersion', async () => {
      const current = await k.core.readNamespacedServiceAccount(SA);
      const status = await failure(
        k.core.patchNamespacedServiceAccount(
          { ...SA, body: { metadata: { resourceVersion: '1', labels: { a: 'b' } } } },
          merge(),
        ),
      );
      expect(status).toMatchObject({ code: 409, reason: 'Conflict' });
      const ok = await k.core.patchNamespacedServiceAccount(
        {
          ...SA,
          body: { metadata: { resourceVersion: current.metadata!.resourceVersion, labels: { a: 'b' } } },
        },
        merge(),
      );
      expect(ok.metadata?.labels?.a).toBe('b');
    });

    it('answers 422 Invalid for a change the API server refuses', async () => {
      const status = await failure(
        k.apps.patchNamespacedDaemonSet({
          ...DS,
          body: [{ op: 'replace', path: '/spec/selector/matchLabels/app', value: 'other' }],
        }),
      );
      expect(status).toMatchObject({ code: 422, reason: 'Invalid' });
      expect(status.message).toContain('field is immutable');
      const strategy = await failure(
        k.apps.patchNamespacedDaemonSet(
          { ...DS, body: { spec: { updateStrategy: { type: 'Sometimes' } } } },
          merge(),
        ),
      );
      expect(strategy).toMatchObject({ code: 422, reason: 'Invalid' });
    });

    it('does not bump the resourceVersion for a no-op patch, and dryRun stores nothing', async () => {
      const before = await k.apps.readNamespacedDaemonSet(DS);
      const same = await k.apps.patchNamespacedDaemonSet(
        { ...DS, body: { metadata: { labels: before.metadata!.labels! } } },
        merge(),
      );
      expect(same.metadata?.resourceVersion).toBe(before.metadata?.resourceVersion);
      const dry = await k.apps.patchNamespacedDaemonSet(
        { ...DS, dryRun: 'All', body: { metadata: { labels: { dry: 'run' } } } },
        merge(),
      );
      expect(dry.metadata?.labels?.dry).toBe('run');
      expect((await k.apps.readNamespacedDaemonSet(DS)).metadata?.labels?.dry).toBeUndefined();
    });

    it('patches the status subresource only in status', async () => {
      const patched: V1DaemonSet = await k.apps.patchNamespacedDaemonSetStatus(
        { ...DS, body: { metadata: { labels: { ignored: 'yes' } }, status: { numberReady: 1 } } },
        merge(),
      );
      expect(patched.status?.numberReady).toBe(1);
      expect(patched.metadata?.labels?.ignored).toBeUndefined();
      // The controller owns the status: the next request sees it recomputed from the pods.
      expect((await k.apps.readNamespacedDaemonSet(DS)).status?.numberReady).toBe(3);
    });

    it('ignores a status change sent to the main resource', async () => {
      const patched = await k.apps.patchNamespacedDaemonSet(
        { ...DS, body: { status: { numberReady: 0 } } },
        merge(),
      );
      expect(patched.status?.numberReady).toBe(3);
    });
  });

  describe('authorization and bad requests', () => {
    it('lets the read-only static token read but answers 403 Forbidden to a patch', async () => {
      const ro = clients(cluster.endpoint, SANDBOX_READONLY_TOKEN);
      expect((await ro.apps.readNamespacedDaemonSet(DS)).metadata?.name).toBe('efs-csi-node');
      const status = await failure(ro.apps.patchNamespacedDaemonSet({ ...DS, body: [] }));
      expect(status).toMatchObject({ code: 403, reason: 'Forbidden' });
      expect(status.message).toBe(
        'daemonsets.apps "efs-csi-node" is forbidden: User "sandbox-readonly" cannot patch resource "daemonsets" in API group "apps" in the namespace "kube-system"',
      );
    });

    it('answers an unknown token with 401 Unauthorized', async () => {
      const status = await failure(clients(cluster.endpoint, 'not-a-token').core.listNode());
      expect(status.code).toBe(401);
    });

    it('answers 404 for an unknown cluster or path, 405 for verbs it does not serve', async () => {
      expect(
        await failure(clients(`${sandbox.url}/k8s/111111111111/eu-west-1/other`).core.listNode()),
      ).toMatchObject({ code: 404 });
      expect(
        await failure(clients(`${sandbox.url}/k8s/111111111111/us-east-1/demo`).core.listNode()),
      ).toMatchObject({ code: 404 });
      const raw = await fetch(`${cluster.endpoint}/apis/batch/v1/jobs`, {
        headers: { authorization: 'Bearer sandbox-admin-token' },
      });
      expect(raw.status).toBe(404);
      expect(await raw.json()).toMatchObject({ kind: 'Status', reason: 'NotFound' });
      expect(
        await failure(
          k.core.createNamespacedServiceAccount({ namespace: NS, body: { metadata: { name: 'x' } } }),
        ),
      ).toMatchObject({ code: 405, reason: 'MethodNotAllowed' });
    });

    it('serves /version without a token and discovery with one', async () => {
      const version = await (await fetch(`${cluster.endpoint}/version`)).json();
      expect(version).toMatchObject({ major: '1', gitVersion: expect.stringMatching(/^v1\.33\./) });
      const apis = (await (
        await fetch(`${cluster.endpoint}/apis`, { headers: { authorization: 'Bearer sandbox-admin-token' } })
      ).json()) as { groups: Array<{ name: string }> };
      expect(apis.groups.map((g) => g.name)).toEqual(['apps', 'storage.k8s.io']);
    });

    it('writes every call to the call log as service kubernetes', async () => {
      sandbox.log.clear();
      await k.apps.readNamespacedDaemonSet(DS);
      await k.core.listNamespacedPod({ namespace: NS });
      await failure(k.core.readNamespacedSecret({ name: 'nope', namespace: NS }));
      expect(sandbox.log.summary()).toEqual({
        'kubernetes:get daemonsets': 1,
        'kubernetes:list pods': 1,
        'kubernetes:get secrets': 1,
      });
      expect(sandbox.log.calls[2]).toMatchObject({
        status: 404,
        errorCode: 'NotFound',
        accountId: '111111111111',
        principalArn: 'sandbox-admin',
      });
    });

    it('throttles with 429 TooManyRequests on demand', async () => {
      sandbox.faults.add({ service: 'kubernetes', operation: 'list pods', fail: 'throttle', times: 1 });
      expect(await failure(k.core.listNamespacedPod({ namespace: NS }))).toMatchObject({
        code: 429,
        reason: 'TooManyRequests',
      });
      expect((await k.core.listNamespacedPod({ namespace: NS })).items).toHaveLength(3);
    });
  });
});
