import { rollbackJournal, type UpdateAssociationStep } from '@efs-node-identity/core';
import type { Sandbox } from '@efs-node-identity/sandbox';
import {
  applyWorld,
  CLUSTER,
  executorPorts,
  fastOptions,
  FS,
  openWorld,
  planWorld,
  PLATFORM_ACCOUNT,
  stateOf,
  verifyWorld,
  type World,
} from './apply-harness';

/**
 * A session policy on the node SA's association (old-addon: the association is manual) caps what the node's
 * credentials may do. verify sees it, plan merges our statement into it by Sid, apply writes it keeping the user's
 * statement, and rollback puts the text back.
 */

jest.setTimeout(120_000);

const NODE_ROLE = `arn:aws:iam::${PLATFORM_ACCOUNT}:role/prod-eks-efs-csi-node`;
const FS_ARN = `arn:aws:elasticfilesystem:eu-west-1:${PLATFORM_ACCOUNT}:file-system/${FS}`;
// The user's own statement, written compactly with its own key order: it must survive the merge as it is.
const USER_POLICY = `{"Statement":[{"Resource":"${FS_ARN}","Action":"elasticfilesystem:ClientMount","Effect":"Allow","Sid":"ReadOnlyByDefault"}],"Version":"2012-10-17"}`;

const SESSION_FINDING = (volume: string) =>
  new RegExp(
    `^the session policy of the Pod Identity association a-\\S+ does not allow elasticfilesystem:ClientWrite on ${FS_ARN}: .* so ${volume} .*mounts, but every write fails$`,
  );

function withSessionPolicy(policy: string) {
  return (state: Sandbox['state']) => {
    const cluster = state.accounts.get(PLATFORM_ACCOUNT)!.eks.clusters.get(CLUSTER)!;
    const node = [...cluster.associations.values()].find((a) => a.serviceAccount === 'efs-csi-node-sa')!;
    node.policy = policy;
  };
}

describe('a session policy on the node association', () => {
  let w: World | undefined;
  afterEach(async () => {
    await w?.stop();
    w = undefined;
  });

  it('verify reports that it leaves out ClientWrite; plan → apply merges our statement; rollback restores the text', async () => {
    w = await openWorld('old-addon', { seed: withSessionPolicy(USER_POLICY) });
    const before = await stateOf(w, [NODE_ROLE], [[PLATFORM_ACCOUNT, FS]]);

    const found = (await verifyWorld(w)).filter((f) => f.ruleId === 'NI-01' && f.severity === 'error');
    // One per volume on the file system: the PersistentVolume and the StorageClass.
    expect(found.map((f) => f.message)).toEqual([
      expect.stringMatching(SESSION_FINDING('PersistentVolume/orders-data-pv')),
      expect.stringMatching(SESSION_FINDING('StorageClass/efs-sc')),
    ]);
    expect(found[0]!.origin).toMatchObject({
      kind: 'aws',
      arn: expect.stringMatching(/:podidentityassociation\//),
    });

    const plan = await planWorld(w);
    expect(plan.refusals).toEqual([]);
    const update = plan.steps.find(
      (s): s is UpdateAssociationStep => s.kind === 'update-pod-identity-association',
    );
    expect(update?.sessionStatements?.map((s) => s.Sid)).toEqual([`EfsNodeIdentity${FS.replace('-', '')}`]);
    expect(update?.roleArn).toBe(NODE_ROLE);

    const journal = await applyWorld(w, plan);
    expect(journal.complete).toBe(true);
    expect((await verifyWorld(w)).filter((f) => f.severity === 'error').map((f) => f.message)).toEqual([]);
    // The user's statement is still there, unchanged; ours is beside it.
    const ids = await w.ports.eks.listPodIdentityAssociationIds(CLUSTER);
    const node = (
      await Promise.all(ids.map((id) => w!.ports.eks.describePodIdentityAssociation(CLUSTER, id)))
    ).find((a) => a?.serviceAccount === 'efs-csi-node-sa')!;
    const written = JSON.parse(node.policy!) as { Statement: Array<Record<string, unknown>> };
    expect(written.Statement[0]).toEqual(JSON.parse(USER_POLICY).Statement[0]);
    expect(written.Statement[1]).toMatchObject({
      Effect: 'Allow',
      Action: ['elasticfilesystem:ClientMount', 'elasticfilesystem:ClientWrite'],
      Resource: [FS_ARN],
    });
    expect((await planWorld(w)).steps).toEqual([]);

    await rollbackJournal(journal, executorPorts(w).ports, fastOptions(w));
    expect(await stateOf(w, [NODE_ROLE], [[PLATFORM_ACCOUNT, FS]])).toEqual(before);
  });

  it('a session policy that explicitly denies writes is refused, not merged around', async () => {
    const denying = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 'elasticfilesystem:*', Resource: FS_ARN },
        { Sid: 'NoWrites', Effect: 'Deny', Action: 'elasticfilesystem:ClientWrite', Resource: '*' },
      ],
    });
    w = await openWorld('old-addon', { seed: withSessionPolicy(denying) });
    const plan = await planWorld(w);
    expect(plan.steps.some((s) => s.kind === 'update-pod-identity-association')).toBe(false);
    expect(plan.refusals.map((r) => r.reason)).toEqual([
      expect.stringMatching(
        /session policy of .* denies elasticfilesystem:ClientMount, elasticfilesystem:ClientWrite/,
      ),
    ]);
  });
});
