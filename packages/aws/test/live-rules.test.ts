import { defaultConfig, evaluateSnapshot, type Finding } from '@efs-node-identity/core';
import { adminCredentials, clusterOf, type Sandbox } from '@efs-node-identity/sandbox';
import { collectLiveSnapshot, createAwsPorts } from '../src';
import { CLUSTER, PLATFORM_ACCOUNT, REGION, sandboxEnv, STORAGE_ACCOUNT, useEnv } from './sandbox-env';

/**
 * Live rules on a real sandbox world: each case starts from a bundled scenario, changes the world in one way through
 * the sandbox state (the seed callback runs after the scenario is loaded), collects through the real SDK clients and
 * client-node, and expects its rule to fire; on the unchanged world the same rule stays silent.
 */
type State = Sandbox['state'];

const FS_ID = 'fs-0a1b2c3d4e5f60718';
const NODE_ROLE = 'prod-eks-node-instance-role';

const account = (state: State) => state.accounts.get(PLATFORM_ACCOUNT)!;
const cluster = (state: State) => clusterOf(state, PLATFORM_ACCOUNT, CLUSTER);

function degrade(state: State, addonName: string): void {
  const addon = cluster(state).addons.get(addonName)!;
  addon.status = 'DEGRADED';
  addon.health = {
    issues: [
      {
        code: 'InsufficientNumberOfReplicas',
        message: 'The add-on is unhealthy because it has too few replicas.',
      },
    ],
  };
}

interface Case {
  ruleId: string;
  scenario: 'healthy' | 'wrong-irsa-sub';
  change: string;
  seed: (state: State) => void;
}

const CASES: Case[] = [
  {
    ruleId: 'NET-01',
    scenario: 'healthy',
    change: 'the mount target of euw1-az2 (node ip-10-40-12-34) removed',
    seed: (state) => {
      const targets = account(state).efs.mountTargets;
      const target = [...targets.values()].find((t) => t.availabilityZoneId === 'euw1-az2')!;
      targets.delete(target.mountTargetId);
    },
  },
  {
    ruleId: 'NET-02',
    scenario: 'healthy',
    change: 'the TCP 2049 ingress rule of the mount targets security group removed',
    seed: (state) => {
      const sg = account(state).ec2.securityGroups.get('sg-0c1a2b3c4d5e6f702')!;
      sg.rules = sg.rules.filter((r) => r.isEgress || r.fromPort !== 2049);
    },
  },
  {
    ruleId: 'PI-01',
    scenario: 'healthy',
    change: 'add-on eks-pod-identity-agent DEGRADED with a health issue (no agent DaemonSet seeded)',
    seed: (state) => degrade(state, 'eks-pod-identity-agent'),
  },
  {
    ruleId: 'PI-09',
    scenario: 'healthy',
    change: 'AmazonEKSWorkerNodePolicy detached from the node instance role',
    seed: (state) => {
      const role = account(state).iam.roles.get(NODE_ROLE)!;
      role.attachedPolicyArns = role.attachedPolicyArns.filter(
        (arn) => arn !== 'arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy',
      );
    },
  },
  {
    ruleId: 'AD-03',
    scenario: 'healthy',
    change: 'add-on aws-efs-csi-driver DEGRADED with a health issue',
    seed: (state) => degrade(state, 'aws-efs-csi-driver'),
  },
  {
    ruleId: 'FS-06',
    scenario: 'healthy',
    change: 'a file system policy whose Allow principal is a role unique ID',
    seed: (state) => {
      const fs = account(state).efs.fileSystems.get(FS_ID)!;
      fs.policy = JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'EfsCsiNode-prod-eks',
            Effect: 'Allow',
            Principal: { AWS: 'AROAQWERTYUIOPASDFGHJ' },
            Action: ['elasticfilesystem:ClientMount', 'elasticfilesystem:ClientWrite'],
            Resource: fs.fileSystemArn,
          },
        ],
      });
    },
  },
  {
    ruleId: 'IR-01',
    scenario: 'wrong-irsa-sub',
    change: 'the IAM OIDC provider of the cluster issuer removed',
    seed: (state) => account(state).iam.oidcProviders.clear(),
  },
  {
    ruleId: 'IR-04',
    scenario: 'wrong-irsa-sub',
    change: 'AWS_ROLE_ARN removed from the efs-plugin container of the efs-csi-node pods',
    seed: (state) => {
      for (const [key, pod] of cluster(state).kube.objects) {
        if (!key.startsWith('pods/kube-system/efs-csi-node')) continue;
        const containers = (
          pod.spec as { containers: Array<{ name: string; env?: Array<{ name: string }> }> }
        ).containers;
        for (const c of containers)
          if (c.name === 'efs-plugin') c.env = (c.env ?? []).filter((e) => e.name !== 'AWS_ROLE_ARN');
      }
    },
  },
];

async function findingsOf(scenario: string, seed?: (state: State) => void): Promise<Finding[]> {
  const s = await sandboxEnv(scenario, seed);
  const restore = useEnv(s.env);
  try {
    const storage = adminCredentials(s.sandbox.state, STORAGE_ACCOUNT);
    const { snapshot } = await collectLiveSnapshot({
      cluster: CLUSTER,
      region: REGION,
      kube: { kind: 'kubeconfig', path: s.kubeconfig },
      ...(storage ? { otherAccounts: [createAwsPorts({ region: REGION, credentials: storage })] } : {}),
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

describe('live rules on a mutated sandbox world', () => {
  const baseline = new Map<string, Finding[]>();
  beforeAll(async () => {
    for (const scenario of new Set(CASES.map((c) => c.scenario)))
      baseline.set(scenario, await findingsOf(scenario));
  }, 120_000);

  describe.each(CASES.map((c) => [c.ruleId, c] as const))('%s', (ruleId, c) => {
    it(`stays silent on the unchanged ${c.scenario} world`, () => {
      const fs = baseline.get(c.scenario)!;
      expect(fired(fs, ruleId)).toBe(`${ruleId}: false\n${summary(fs)}`);
    });

    it(`fires on ${c.scenario} with ${c.change}`, async () => {
      const fs = await findingsOf(c.scenario, c.seed);
      expect(fired(fs, ruleId)).toBe(`${ruleId}: true\n${summary(fs)}`);
    });
  });
});
