import {
  emptyPolicyTexts,
  parseDesiredSpec,
  planSteps,
  recordingEfsPort,
  recordingIamPort,
  renderPlanText,
  type DesiredSpecInput,
  type Plan,
  type PolicyTexts,
} from '@efs-node-identity/core';
import { adminCredentials } from '@efs-node-identity/sandbox';
import { collectLiveSnapshot, createAwsPorts, type AwsPorts } from '../src';
import { CLUSTER, PLATFORM_ACCOUNT, REGION, sandboxEnv, STORAGE_ACCOUNT, useEnv } from './sandbox-env';

/**
 * The planner on live snapshots of the sandbox scenarios (real SDK clients and client-node over HTTP): each
 * scenario's fault becomes the step that fixes it, and a converged world plans nothing.
 */

const FS = 'fs-0a1b2c3d4e5f60718';
const FS_ARN = `arn:aws:elasticfilesystem:${REGION}:${PLATFORM_ACCOUNT}:file-system/${FS}`;
const NODE_ROLE = `arn:aws:iam::${PLATFORM_ACCOUNT}:role/prod-eks-efs-csi-node`;

function recording(ports: AwsPorts, texts: PolicyTexts): AwsPorts {
  return { ...ports, iam: recordingIamPort(ports.iam, texts), efs: recordingEfsPort(ports.efs, texts) };
}

async function planScenario(scenario: string, input: Partial<DesiredSpecInput> = {}): Promise<Plan> {
  const s = await sandboxEnv(scenario);
  const restore = useEnv(s.env);
  const texts = emptyPolicyTexts();
  const ports = createAwsPorts({ region: REGION });
  const storageKeys = adminCredentials(s.sandbox.state, STORAGE_ACCOUNT);
  const storage = storageKeys ? createAwsPorts({ region: REGION, credentials: storageKeys }) : undefined;
  try {
    const { snapshot } = await collectLiveSnapshot({
      cluster: CLUSTER,
      region: REGION,
      kube: { kind: 'kubeconfig', path: s.kubeconfig },
      ports: recording(ports, texts),
      ...(storage ? { otherAccounts: [recording(storage, texts)] } : {}),
    });
    const spec = parseDesiredSpec({ cluster: CLUSTER, region: REGION, fileSystems: [{ id: FS }], ...input });
    return planSteps(spec, snapshot, { texts });
  } finally {
    ports.destroy();
    storage?.destroy();
    restore();
    await s.stop();
  }
}

const kinds = (p: Plan) => p.steps.map((s) => s.kind);

describe('planSteps on the sandbox scenarios', () => {
  it('healthy: nothing to change', async () => {
    const p = await planScenario('healthy');
    expect(p).toEqual({ steps: [], refusals: [], notes: [] });
  });

  it('deny-only-policy: one merge adding the Allow for the node role, the Deny kept as it was', async () => {
    const p = await planScenario('deny-only-policy');
    expect(p.refusals).toEqual([]);
    expect(kinds(p)).toEqual(['merge-file-system-policy', 'verify']);
    const step = p.steps[0]!;
    if (step.kind !== 'merge-file-system-policy') throw new Error(step.kind);
    expect(step.statement).toEqual({
      Sid: 'EfsCsiNode-prod-eks',
      Effect: 'Allow',
      Principal: { AWS: NODE_ROLE },
      Action: ['elasticfilesystem:ClientMount', 'elasticfilesystem:ClientWrite'],
      Resource: FS_ARN,
      Condition: { Bool: { 'elasticfilesystem:AccessedViaMountTarget': 'true' } },
    });
    const before = JSON.parse(step.diff!.before!);
    const after = JSON.parse(step.diff!.after!);
    expect(after.Id).toBe(before.Id);
    expect(after.Statement).toEqual([...before.Statement, step.statement]);
  });

  it('never-restarted: a restart of efs-csi-node with a wait, and its TLS warning', async () => {
    const p = await planScenario('never-restarted');
    expect(p.refusals).toEqual([]);
    expect(kinds(p)).toEqual(['restart-daemonset', 'verify']);
    expect(p.steps[0]).toMatchObject({
      namespace: 'kube-system',
      name: 'efs-csi-node',
      waitForRollout: true,
    });
    expect(p.steps[0]!.reason).toMatch(/PI-06/);
    expect(p.steps[0]!.warnings!.join(' ')).toMatch(/TLS mounts/);
  });

  it('old-addon: the manual association is kept (the add-on cannot own it), and the plan says why', async () => {
    const p = await planScenario('old-addon');
    expect(p.refusals).toEqual([]);
    expect(kinds(p)).toEqual([]);
    expect(p.notes.join('\n')).toMatch(/v2\.1\.15-eksbuild\.1 cannot own an association for efs-csi-node-sa/);
  });

  it('wrong-irsa-sub: the trust is fixed only with adopt (the role lacks our ownership tag)', async () => {
    const refused = await planScenario('wrong-irsa-sub', { mode: 'irsa' });
    expect(refused.steps).toEqual([]);
    expect(refused.refusals).toHaveLength(1);
    expect(refused.refusals[0]).toMatchObject({ resource: NODE_ROLE });
    expect(refused.refusals[0]!.reason).toMatch(/ownership tag.*--adopt/);

    const p = await planScenario('wrong-irsa-sub', { mode: 'irsa', adopt: true });
    expect(p.refusals).toEqual([]);
    expect(kinds(p)).toEqual(['tag-role', 'update-trust', 'verify']);
    const trust = p.steps[1]!;
    if (trust.kind !== 'update-trust') throw new Error(trust.kind);
    const condition = trust.trustPolicy.Statement[0]!.Condition!.StringEquals!;
    expect(Object.entries(condition)).toContainEqual([
      expect.stringMatching(/:sub$/),
      'system:serviceaccount:kube-system:efs-csi-node-sa',
    ]);
    expect(trust.diff!.before).toMatch(/efs-csi-controller-sa/);
  });

  it('cross-account: the world matches a spec with the storage account file system: nothing to change', async () => {
    const p = await planScenario('cross-account', {
      fileSystems: [{ id: 'fs-0c7d8e9f0a1b2c3d4', accountId: STORAGE_ACCOUNT }],
    });
    expect(p).toEqual({ steps: [], refusals: [], notes: [] });
  });

  it('cross-account with a target role: association API, full add-on list, target trust after the association', async () => {
    const target = `arn:aws:iam::${STORAGE_ACCOUNT}:role/prod-eks-efs-provisioner`;
    const p = await planScenario('cross-account', {
      fileSystems: [{ id: 'fs-0c7d8e9f0a1b2c3d4', accountId: STORAGE_ACCOUNT }],
      targetRoleArn: target,
      adopt: true,
    });
    const order = kinds(p);
    if (process.env.DEBUG_PLAN) console.log(renderPlanText(p));
    expect(order.indexOf('update-addon-associations')).toBeLessThan(
      order.indexOf('create-pod-identity-association'),
    );
    expect(order.indexOf('create-pod-identity-association')).toBeLessThan(
      order.indexOf('update-target-trust'),
    );
    expect(order.indexOf('update-target-trust')).toBeLessThan(order.indexOf('restart-daemonset'));
    const addon = p.steps.find((s) => s.kind === 'update-addon-associations')!;
    expect(addon).toMatchObject({
      associations: [
        {
          serviceAccount: 'efs-csi-controller-sa',
          roleArn: `arn:aws:iam::${PLATFORM_ACCOUNT}:role/prod-eks-efs-csi-controller`,
        },
      ],
    });
    const trust = p.steps.find((s) => s.kind === 'update-target-trust')!;
    expect(trust.diff!.before).toMatch(/prod-eks-efs-csi-controller/);
    expect(JSON.parse(trust.diff!.after!).Statement).toHaveLength(2);
  });
});
