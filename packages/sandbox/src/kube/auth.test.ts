import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { addAccount, startSandbox, type Sandbox } from '../index';
import type { EksCluster } from '../state/eks';
import { clients, eksToken, failure, makeCluster, type TokenOptions } from './__fixtures__/cluster';
import { addEfsCsiNode } from './seed';

const ACCOUNT = '111111111111';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/efs-node-identity-admin`;
const NODE_ROLE = `arn:aws:iam::${ACCOUNT}:role/eks-node-role`;
const DS = { name: 'efs-csi-node', namespace: 'kube-system' };

describe('EKS bearer tokens on the sandbox Kubernetes API', () => {
  let sandbox: Sandbox;
  let cluster: EksCluster;
  let userKeys: { accessKeyId: string; secretAccessKey: string };
  const role = {
    accessKeyId: 'ASIASANDBOXROLE00001',
    secretAccessKey: 'role-secret',
    sessionToken: 'role-session-token',
  };
  const nodeRole = {
    accessKeyId: 'ASIASANDBOXNODE00001',
    secretAccessKey: 'node-secret',
    sessionToken: 'node-session-token',
  };
  // Roles whose access entries carry EKS access policies.
  const viewer = { accessKeyId: 'ASIASANDBOXVIEWER001', secretAccessKey: 'viewer-secret', sessionToken: 'v' };
  const editor = { accessKeyId: 'ASIASANDBOXEDITOR001', secretAccessKey: 'editor-secret', sessionToken: 'e' };
  const other = { accessKeyId: 'ASIASANDBOXOTHERPOL1', secretAccessKey: 'other-secret', sessionToken: 'o' };
  const stranger = {
    accessKeyId: 'ASIASANDBOXSTRANGER1',
    secretAccessKey: 'stranger-secret',
    sessionToken: 'stranger-token',
  };

  beforeAll(async () => {
    sandbox = await startSandbox({
      seed: (state) => {
        userKeys = addAccount(state, ACCOUNT);
        cluster = makeCluster(state, 'demo');
        makeCluster(state, 'other');
        addEfsCsiNode(cluster, { nodes: [{ name: 'n1', zone: 'eu-west-1a' }] });
        // Temporary credentials of assumed roles, as AssumeRole would record them.
        for (const [keys, roleArn, session] of [
          [role, ROLE, 'cli'],
          [nodeRole, NODE_ROLE, 'i-0123'],
          [stranger, `arn:aws:iam::${ACCOUNT}:role/stranger`, 's'],
          [viewer, `arn:aws:iam::${ACCOUNT}:role/viewer`, 'v'],
          [editor, `arn:aws:iam::${ACCOUNT}:role/editor`, 'e'],
          [other, `arn:aws:iam::${ACCOUNT}:role/other-policy`, 'o'],
        ] as const) {
          state.credentials.set(keys.accessKeyId, {
            ...keys,
            accountId: ACCOUNT,
            principalArn: `arn:aws:sts::${ACCOUNT}:assumed-role/${roleArn.split('/')[1]}/${session}`,
            roleArn,
            expiresAt: Date.now() + 3600_000,
          });
        }
        const entry = (principalArn: string, type = 'STANDARD') => ({
          principalArn,
          accessEntryArn: `arn:aws:eks:eu-west-1:${ACCOUNT}:access-entry/demo/${type}/${principalArn.split(':')[5]}`,
          kubernetesGroups: [],
          type,
          username: type === 'STANDARD' ? principalArn : 'system:node:{{EC2PrivateDNSName}}',
        });
        cluster.accessEntries.set(ROLE, entry(ROLE));
        cluster.accessEntries.set(
          `arn:aws:iam::${ACCOUNT}:user/sandbox-admin`,
          entry(`arn:aws:iam::${ACCOUNT}:user/sandbox-admin`),
        );
        cluster.accessEntries.set(NODE_ROLE, entry(NODE_ROLE, 'EC2_LINUX'));
        for (const [name, policy] of [
          ['viewer', 'AmazonEKSViewPolicy'],
          ['editor', 'AmazonEKSEditPolicy'],
          ['other-policy', 'AmazonEKSSecretReaderPolicy'],
        ]) {
          const arn = `arn:aws:iam::${ACCOUNT}:role/${name}`;
          cluster.accessEntries.set(arn, {
            ...entry(arn),
            accessPolicies: [`arn:aws:eks::aws:cluster-access-policy/${policy}`],
          });
        }
      },
    });
  });
  afterAll(() => sandbox.stop());

  const token = (
    keys: { accessKeyId: string; secretAccessKey: string; sessionToken?: string },
    extra: Partial<TokenOptions> = {},
  ) => eksToken({ ...keys, clusterName: 'demo', stsUrl: sandbox.url, ...extra });
  const read = async (bearer: string) => clients(cluster.endpoint, bearer).apps.readNamespacedDaemonSet(DS);

  it('accepts a token of an assumed role with an access entry, and logs the role as the caller', async () => {
    sandbox.log.clear();
    expect((await read(await token(role))).metadata?.name).toBe('efs-csi-node');
    expect(sandbox.log.calls.at(-1)).toMatchObject({
      service: 'kubernetes',
      operation: 'get daemonsets',
      principalArn: ROLE,
      status: 200,
    });
  });

  it('accepts a token of an IAM user with an access entry', async () => {
    expect((await read(await token(userKeys))).metadata?.name).toBe('efs-csi-node');
  });

  it('accepts a token presigned for the regional STS host (as a client without AWS_ENDPOINT_URL builds it)', async () => {
    expect(
      (await read(await token(role, { stsUrl: 'https://sts.eu-west-1.amazonaws.com' }))).metadata?.name,
    ).toBe('efs-csi-node');
  });

  it('accepts a 14-minute-old token (EKS honours 15 minutes, not X-Amz-Expires=60)', async () => {
    expect(
      (await read(await token(role, { signingDate: new Date(Date.now() - 14 * 60_000) }))).metadata?.name,
    ).toBe('efs-csi-node');
  });

  it('refuses a token for another cluster with 401 Unauthorized', async () => {
    const status = await failure(read(await token(role, { clusterName: 'other' })));
    expect(status).toMatchObject({ code: 401 });
    // The same token is good for the cluster it was minted for.
    const other = clients(
      `${sandbox.url}/k8s/${ACCOUNT}/eu-west-1/other`,
      await token(role, { clusterName: 'other' }),
    );
    expect(await failure(other.apps.readNamespacedDaemonSet(DS))).toMatchObject({ code: 401 }); // no access entry on "other"
  });

  it('refuses an expired token (older than 15 minutes) and one presigned for too long', async () => {
    expect(
      await failure(read(await token(role, { signingDate: new Date(Date.now() - 16 * 60_000) }))),
    ).toMatchObject({ code: 401 });
    expect(await failure(read(await token(role, { expiresIn: 3600 })))).toMatchObject({ code: 401 });
  });

  it('refuses a tampered token', async () => {
    const good = await token(role);
    const url = Buffer.from(good.slice('k8s-aws-v1.'.length), 'base64url').toString();
    const tampered = [
      url.replace(
        /X-Amz-Signature=([0-9a-f])/,
        (_m, c: string) => `X-Amz-Signature=${c === '0' ? '1' : '0'}`,
      ),
      url.replace('Action=GetCallerIdentity', 'Action=GetSessionToken'),
      url.replace('Version=2011-06-15', 'Version=2011-06-16'),
      url.replace(`127.0.0.1:${sandbox.port}`, 'evil.example.com'),
    ];
    for (const bad of tampered) {
      expect(bad).not.toBe(url);
      expect(await failure(read(`k8s-aws-v1.${Buffer.from(bad).toString('base64url')}`))).toMatchObject({
        code: 401,
      });
    }
    expect(await failure(read('k8s-aws-v1.!!!'))).toMatchObject({ code: 401 });
    expect(await failure(read(`k8s-aws-v2.${good.slice('k8s-aws-v1.'.length)}`))).toMatchObject({
      code: 401,
    });
  });

  it('refuses a principal without an access entry, or with unknown keys, with 401', async () => {
    expect(await failure(read(await token(stranger)))).toMatchObject({ code: 401 });
    // The client drops the body of a 401 (it raises ApiException "Unauthorized" without it); the wire has the Status.
    const raw = await fetch(`${cluster.endpoint}/apis/apps/v1/namespaces/kube-system/daemonsets`, {
      headers: { authorization: `Bearer ${await token(stranger)}` },
    });
    expect(raw.status).toBe(401);
    expect(await raw.json()).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'Unauthorized',
      reason: 'Unauthorized',
      code: 401,
    });
    expect(
      await failure(read(await token({ accessKeyId: 'AKIANOTKNOWN00000000', secretAccessKey: 'x' }))),
    ).toMatchObject({ code: 401 });
    expect(await failure(read(await token({ ...role, secretAccessKey: 'wrong' })))).toMatchObject({
      code: 401,
    });
  });

  it('grants what the access policies of the entry grant: view reads only, edit writes, another policy nothing', async () => {
    const restart = (bearer: string) =>
      clients(cluster.endpoint, bearer).apps.patchNamespacedDaemonSet(
        { ...DS, body: { spec: { template: { metadata: { annotations: { restartedAt: 'now' } } } } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
    expect((await read(await token(viewer))).metadata?.name).toBe('efs-csi-node');
    expect(await failure(restart(await token(viewer)))).toMatchObject({ code: 403, reason: 'Forbidden' });
    expect((await restart(await token(editor))).metadata?.name).toBe('efs-csi-node');
    expect(await failure(read(await token(other)))).toMatchObject({ code: 403, reason: 'Forbidden' });
  });

  it('answers 403 Forbidden to a node-role access entry (no RBAC: node identities may not read workloads here)', async () => {
    expect(await failure(read(await token(nodeRole)))).toMatchObject({ code: 403, reason: 'Forbidden' });
  });
});
