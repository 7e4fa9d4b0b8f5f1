import { defaultConfig, evaluateSnapshot, type Finding } from '@efs-node-identity/core';
import { adminCredentials, type Sandbox } from '@efs-node-identity/sandbox';
import { collectLiveSnapshot, createAwsPorts } from '../src';
import { CLUSTER, PLATFORM_ACCOUNT, REGION, sandboxEnv, STORAGE_ACCOUNT, useEnv } from './sandbox-env';

/**
 * Cross-account rules on a real sandbox world: each case starts from the `cross-account` scenario, changes it in one
 * way through the sandbox state (the seed runs after the scenario is loaded), collects with the storage account's
 * ports as `otherAccounts` (like collect.test.ts) and expects its rule to fire; the unchanged world fires none.
 */
type State = Sandbox['state'];

const SCENARIO = 'cross-account';
const FS_ID = 'fs-0c7d8e9f0a1b2c3d4';
const PEERING = 'pcx-0f9e8d7c6b5a43210';
const RULES = ['XA-01', 'XA-02', 'XA-05'];

const platform = (state: State) => state.accounts.get(PLATFORM_ACCOUNT)!;
const storage = (state: State) => state.accounts.get(STORAGE_ACCOUNT)!;

interface Case {
  ruleId: string;
  change: string;
  seed: (state: State) => void;
}

const CASES: Case[] = [
  {
    ruleId: 'XA-01',
    change: `the peering ${PEERING} pending-acceptance`,
    // The same object is stored in both accounts.
    seed: (state) => {
      platform(state).ec2.peeringConnections.get(PEERING)!.status = 'pending-acceptance';
    },
  },
  {
    ruleId: 'XA-02',
    change: 'the private hosted zone of euw1-az2 removed (crossaccount volume orders-data-pv)',
    seed: (state) => {
      const zones = platform(state).ec2.hostedZones;
      const zone = [...zones.values()].find((z) => z.name.startsWith(`euw1-az2.${FS_ID}.`))!;
      zones.delete(zone.id);
    },
  },
  {
    ruleId: 'XA-05',
    change: "the node role's Allow removed from the storage file system's policy",
    seed: (state) => {
      const fs = storage(state).efs.fileSystems.get(FS_ID)!;
      const policy = JSON.parse(fs.policy!) as { Statement: Array<{ Sid?: string }> };
      policy.Statement = policy.Statement.filter((s) => s.Sid !== 'EfsCsiNode-prod-eks');
      fs.policy = JSON.stringify(policy);
    },
  },
];

async function findingsOf(seed?: (state: State) => void): Promise<Finding[]> {
  const s = await sandboxEnv(SCENARIO, seed);
  const restore = useEnv(s.env);
  try {
    const credentials = adminCredentials(s.sandbox.state, STORAGE_ACCOUNT)!;
    const { snapshot } = await collectLiveSnapshot({
      cluster: CLUSTER,
      region: REGION,
      kube: { kind: 'kubeconfig', path: s.kubeconfig },
      otherAccounts: [createAwsPorts({ region: REGION, credentials })],
    });
    return evaluateSnapshot(snapshot, defaultConfig()).findings;
  } finally {
    restore();
    await s.stop();
  }
}

const summary = (fs: Finding[]) => fs.map((f) => `${f.severity} ${f.ruleId}: ${f.message}`).join('\n');
const fired = (fs: Finding[], id: string) => `${id}: ${fs.some((f) => f.ruleId === id)}\n${summary(fs)}`;

jest.setTimeout(60_000);

describe('live cross-account rules on a mutated sandbox world', () => {
  it('the unchanged cross-account world fires none of them', async () => {
    const fs = await findingsOf();
    expect(RULES.map((id) => fired(fs, id))).toEqual(RULES.map((id) => `${id}: false\n${summary(fs)}`));
  });

  it.each(CASES.map((c) => [c.ruleId, c.change, c.seed] as const))(
    '%s fires with %s',
    async (ruleId, _change, seed) => {
      const fs = await findingsOf(seed);
      expect(fired(fs, ruleId)).toBe(`${ruleId}: true\n${summary(fs)}`);
    },
  );
});
