import { PassThrough } from 'node:stream';
import { CoreV1Api, Exec, KubeConfig, type V1Status } from '@kubernetes/client-node';
import { MOUNT_STATE_COMMAND, parseMountStateOutput, parsePluginLog } from '@efs-node-identity/core';
import { startSandbox, type Sandbox } from '../index';
import type { EksCluster } from '../state/eks';
import { SANDBOX_ADMIN_TOKEN, SANDBOX_READONLY_TOKEN } from '../state/kube';
import { nodeHost } from './node-exec';

const NS = 'kube-system';

function kubeConfig(cluster: EksCluster, token: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: cluster.endpoint, skipTLSVerify: true }],
    users: [{ name: 'u', token }],
    contexts: [{ name: 'c', cluster: 'c', user: 'u' }],
    currentContext: 'c',
  });
  return kc;
}

/** Runs a command through client-node's Exec (the WebSocket channel protocol) and collects what comes back. */
async function exec(kc: KubeConfig, pod: string, container: string, command: readonly string[]) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (c: Buffer) => out.push(c));
  stderr.on('data', (c: Buffer) => err.push(c));
  const status = await new Promise<V1Status>((resolve, reject) => {
    new Exec(kc).exec(NS, pod, container, [...command], stdout, stderr, null, false, resolve).catch(reject);
  });
  return { status, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8') };
}

describe('node pods: pods/exec and pods/log of the sandbox clusters', () => {
  let sandbox: Sandbox;
  let cluster: EksCluster;
  let pods: Array<{ name: string; node: string }>;

  beforeAll(async () => {
    sandbox = await startSandbox({ scenario: 'fallback-to-instance-role' });
    cluster = sandbox.state.accounts.get('111122223333')!.eks.clusters.get('prod-eks')!;
    const list = await kubeConfig(cluster, SANDBOX_ADMIN_TOKEN)
      .makeApiClient(CoreV1Api)
      .listNamespacedPod({ namespace: NS, labelSelector: 'app=efs-csi-node' });
    pods = list.items.map((p) => ({ name: p.metadata!.name!, node: p.spec!.nodeName! }));
  });
  afterAll(() => sandbox.stop());

  const podOn = (node: string) => pods.find((p) => p.node === node)!.name;

  it('runs the mount state command in efs-plugin and streams the node state files over the stdout channel', async () => {
    const kc = kubeConfig(cluster, SANDBOX_ADMIN_TOKEN);
    const run = await exec(
      kc,
      podOn('ip-10-40-45-67.eu-west-1.compute.internal'),
      'efs-plugin',
      MOUNT_STATE_COMMAND,
    );
    expect(run.status.status).toBe('Success');
    const { mounts, problems } = parseMountStateOutput(run.stdout, { namespace: NS, name: 'p' });
    expect(problems).toEqual([]);
    expect(mounts).toHaveLength(1);
    expect(mounts[0]).toMatchObject({
      fileSystemId: 'fs-0a1b2c3d4e5f60718',
      accessPointId: 'fsap-0e1f2a3b4c5d60711',
      persistentVolume: 'orders-data-pv',
      applicationPodUid: '7c2e4d3f-5a6b-4c7d-9e8f-0a1b2c3d4e5f',
      credentials: { kind: 'instance-role' },
      region: 'eu-west-1',
    });
    // efs-utils' file name: fs id, mount point with / as ., port.
    expect(mounts[0]!.stateFile).toBe(
      'fs-0a1b2c3d4e5f60718.var.lib.kubelet.pods.7c2e4d3f-5a6b-4c7d-9e8f-0a1b2c3d4e5f.volumes.kubernetes.io~csi.orders-data-pv.mount.20049',
    );
    const empty = await exec(
      kc,
      podOn('ip-10-40-78-90.eu-west-1.compute.internal'),
      'efs-plugin',
      MOUNT_STATE_COMMAND,
    );
    expect(empty).toMatchObject({ status: { status: 'Success' }, stderr: '' });
    expect(empty.stdout.length).toBe(0);
  });

  it('refuses any other command, or another container, with a Failure status', async () => {
    const kc = kubeConfig(cluster, SANDBOX_ADMIN_TOKEN);
    const pod = podOn('ip-10-40-12-34.eu-west-1.compute.internal');
    const other = await exec(kc, pod, 'efs-plugin', ['sh', '-c', 'rm -rf /var/run/efs']);
    expect(other.status).toMatchObject({ status: 'Failure', reason: 'NonZeroExitCode' });
    expect(other.stdout.length).toBe(0);
    expect(other.stderr).toContain('exec runs only the mount state command');
    const sidecar = await exec(kc, pod, 'liveness-probe', MOUNT_STATE_COMMAND);
    expect(sidecar.status.status).toBe('Failure');
  });

  it('forbids exec to the read-only token (no pods/exec, like the view role) and logs the call', async () => {
    const kc = kubeConfig(cluster, SANDBOX_READONLY_TOKEN);
    // client-node rejects with the WebSocket's error event: the API server refused the upgrade.
    await expect(exec(kc, pods[0]!.name, 'efs-plugin', MOUNT_STATE_COMMAND)).rejects.toMatchObject({
      message: 'Unexpected server response: 403',
    });
    expect(
      sandbox.log.calls.filter((e) => e.operation === 'create pods/exec').map((e) => e.status),
    ).toContain(403);
  });

  it('serves the efs-plugin log since the pod was created, with tailLines, timestamps and limitBytes', async () => {
    const host = nodeHost(cluster, 'ip-10-40-78-90.eu-west-1.compute.internal');
    const now = sandbox.state.now();
    host.pluginLog.push(
      {
        at: now - 60_000,
        line: 'E1126 x] Output: mount.nfs4: access denied by server while mounting 127.0.0.1:/',
      },
      { at: now - 30_000, line: 'I1126 y] NodeGetCapabilities: called' },
      { at: now - 400 * 86_400_000, line: 'before this pod existed' },
    );
    host.pluginLog.sort((a, b) => a.at - b.at);
    const core = kubeConfig(cluster, SANDBOX_READONLY_TOKEN).makeApiClient(CoreV1Api);
    const name = podOn('ip-10-40-78-90.eu-west-1.compute.internal');
    const text = await core.readNamespacedPodLog({
      name,
      namespace: NS,
      container: 'efs-plugin',
      tailLines: 10,
      timestamps: true,
    });
    expect(text).not.toContain('before this pod existed');
    const { events } = parsePluginLog(text);
    expect(events).toEqual([
      expect.objectContaining({ kind: 'access-denied', at: new Date(now - 60_000).toISOString() }),
    ]);
    const last = await core.readNamespacedPodLog({
      name,
      namespace: NS,
      container: 'efs-plugin',
      tailLines: 1,
    });
    expect(last).toBe('I1126 y] NodeGetCapabilities: called\n');
    const cut = await core.readNamespacedPodLog({
      name,
      namespace: NS,
      container: 'efs-plugin',
      limitBytes: 5,
    });
    expect(cut).toBe('E1126');
    await expect(core.readNamespacedPodLog({ name, namespace: NS })).rejects.toMatchObject({ code: 400 });
  });
});
