import { defaultConfig, evaluateSnapshot, type Finding } from '@efs-node-identity/core';
import {
  addAccessEntry,
  adminCredentials,
  scenarioNames,
  startSandbox,
  type Sandbox,
} from '@efs-node-identity/sandbox';
import { collectLiveSnapshot, createAwsPorts, type CollectResult } from '../src';
import {
  CLUSTER,
  PLATFORM_ACCOUNT,
  REGION,
  sandboxEnv,
  STORAGE_ACCOUNT,
  useEnv,
  type SandboxEnv,
} from './sandbox-env';

/**
 * The collector against every bundled scenario, over HTTP with the real SDK clients and client-node: the rule IDs
 * each scenario is about must come out of the same engine `check` uses.
 */
const EXPECTED: Record<string, string[]> = {
  healthy: [],
  'deny-only-policy': ['FS-02'],
  'never-restarted': ['PI-06', 'PI-07'],
  'wrong-irsa-sub': ['IR-03'],
  // AD-01 stays silent live: it is about the node association configured *through* the add-on, and here it is a
  // manual one beside an add-on that cannot own it (DescribeAddonConfiguration), which is AD-04's finding.
  'old-addon': ['AD-04'],
  'addon-update-dropped-association': ['PI-02'],
  'no-policy': ['FS-01'],
  'node-role-fallback': ['NR-02', 'NR-01'],
  // Every cross-account rule passes (the scenario's own header); the facts they need must be there (below).
  'cross-account': [],
  // The ground-truth scenarios: the collector reads the node pods (inspectMounts) for all of them.
  'fallback-to-instance-role': ['NR-03', 'NR-02', 'NR-01'],
  'mounted-before-association': ['NR-03'],
  'access-denied-in-logs': ['LG-01', 'FS-02'],
  // Amazon S3 Files: the file system from its s3files: volume handle, its policy and the linked bucket's policy.
  's3files-healthy': [],
  's3files-bucket-deny': ['S3F-04', 'S3F-03'],
  's3files-broad-managed-policies': ['S3F-02'],
};

async function collect(
  s: SandboxEnv,
  kube: 'kubeconfig' | 'eks-token' = 'kubeconfig',
): Promise<CollectResult> {
  const restore = useEnv(s.env);
  try {
    const storage = adminCredentials(s.sandbox.state, STORAGE_ACCOUNT);
    return await collectLiveSnapshot({
      cluster: CLUSTER,
      region: REGION,
      kube: kube === 'kubeconfig' ? { kind: 'kubeconfig', path: s.kubeconfig } : 'eks-token',
      inspectMounts: true,
      ...(storage ? { otherAccounts: [createAwsPorts({ region: REGION, credentials: storage })] } : {}),
    });
  } finally {
    restore();
  }
}

const findingsOf = (r: CollectResult): Finding[] => evaluateSnapshot(r.snapshot, defaultConfig()).findings;
const summary = (fs: Finding[]) => fs.map((f) => `${f.severity} ${f.ruleId}: ${f.message}`).join('\n');

describe('collectLiveSnapshot on the sandbox scenarios', () => {
  it('covers every bundled scenario (demo has its own test below: three accounts, no prod-eks)', () => {
    expect([...Object.keys(EXPECTED), 'demo'].sort()).toEqual([...scenarioNames()].sort());
  });

  describe.each(Object.entries(EXPECTED))('%s', (scenario, ruleIds) => {
    let s: SandboxEnv;
    let result: CollectResult;
    let findings: Finding[];
    beforeAll(async () => {
      s = await sandboxEnv(scenario);
      result = await collect(s);
      findings = findingsOf(result);
    });
    afterAll(() => s.stop());

    it('reads AWS and Kubernetes', () => {
      expect(result.snapshot.inputs).toEqual(['A', 'K']);
      expect(result.snapshot.clusters[0]).toMatchObject({
        name: CLUSTER,
        accountId: PLATFORM_ACCOUNT,
        region: REGION,
      });
      expect(result.snapshot.pods.length).toBeGreaterThan(0);
      expect(result.snapshot.fileSystems.length).toBeGreaterThan(0);
      expect(result.stats.awsCalls).toBe(
        s.sandbox.log.calls.filter((c) => c.service !== 'kubernetes' && c.accountId === PLATFORM_ACCOUNT)
          .length,
      );
    });

    if (ruleIds.length === 0) {
      it('reports nothing at error level', () => {
        expect(summary(findings.filter((f) => f.severity === 'error'))).toBe('');
      });
    } else {
      it(`reports ${ruleIds.join(', ')}`, () => {
        const found = new Set(findings.map((f) => f.ruleId));
        for (const id of ruleIds)
          expect(`${id}: ${found.has(id)}\n${summary(findings)}`).toBe(`${id}: true\n${summary(findings)}`);
      });
    }
  });
});

describe('cross-account facts', () => {
  it('reads the file system, its mount targets and the network from the storage account', async () => {
    const s = await sandboxEnv('cross-account');
    try {
      const { snapshot } = await collect(s);
      const fs = snapshot.fileSystems.find((f) => f.id === 'fs-0c7d8e9f0a1b2c3d4');
      expect(fs).toMatchObject({ accountId: STORAGE_ACCOUNT });
      expect(fs?.mountTargets?.map((m) => m.availabilityZoneId).sort()).toEqual([
        'euw1-az1',
        'euw1-az2',
        'euw1-az3',
      ]);
      expect(snapshot.network.connections).toEqual([
        expect.objectContaining({ id: 'pcx-0f9e8d7c6b5a43210', status: 'active' }),
      ]);
      expect(snapshot.network.hostedZones).toHaveLength(3);
      expect(new Set(snapshot.network.routes.map((r) => r.vpcId)).size).toBe(2);
      expect(snapshot.roles.map((r) => r.arn)).toContain(
        'arn:aws:iam::444455556666:role/prod-eks-efs-provisioner',
      );
      expect(snapshot.secrets[0]?.data).toEqual({
        awsRoleArn: 'arn:aws:iam::444455556666:role/prod-eks-efs-provisioner',
        crossaccount: 'true',
      });
    } finally {
      await s.stop();
    }
  });
});

describe('Kubernetes through an EKS bearer token (presigned STS GetCallerIdentity)', () => {
  it('reads the cluster like the kubeconfig path does', async () => {
    const s = await sandboxEnv('healthy', (state) =>
      addAccessEntry(state, PLATFORM_ACCOUNT, CLUSTER, {
        principalArn: `arn:aws:iam::${PLATFORM_ACCOUNT}:user/sandbox-admin`,
      }),
    );
    try {
      const viaToken = await collect(s, 'eks-token');
      const viaKubeconfig = await collect(s);
      expect(viaToken.snapshot.inputs).toEqual(['A', 'K']);
      expect(viaToken.snapshot.pods.map((p) => p.name).sort()).toEqual(
        viaKubeconfig.snapshot.pods.map((p) => p.name).sort(),
      );
      expect(findingsOf(viaToken).filter((f) => f.severity === 'error')).toEqual([]);
    } finally {
      await s.stop();
    }
  });

  it('without an access entry, the API server refuses the token', async () => {
    const s = await sandboxEnv('healthy');
    try {
      await expect(collect(s, 'eks-token')).rejects.toMatchObject({ code: 401 });
    } finally {
      await s.stop();
    }
  });
});

describe('call count of a healthy run', () => {
  it('reads each role, policy and file system once', async () => {
    const s = await sandboxEnv('healthy');
    try {
      const { snapshot, stats } = await collect(s);
      const log = s.sandbox.log;
      const aws = log.calls.filter((c) => c.service !== 'kubernetes');
      const managed = new Set(snapshot.roles.flatMap((r) => r.managedPolicies.map((p) => p.arn)));
      expect(log.count({ service: 'iam', operation: 'GetRole' })).toBe(snapshot.roles.length);
      expect(log.count({ service: 'iam', operation: 'ListRolePolicies' })).toBe(snapshot.roles.length);
      expect(log.count({ service: 'iam', operation: 'ListAttachedRolePolicies' })).toBe(
        snapshot.roles.length,
      );
      expect(log.count({ service: 'iam', operation: 'GetPolicy' })).toBe(managed.size);
      expect(log.count({ service: 'elasticfilesystem', operation: 'DescribeFileSystems' })).toBe(1);
      expect(log.count({ service: 'elasticfilesystem', operation: 'DescribeFileSystemPolicy' })).toBe(1);
      expect(log.count({ service: 'eks', operation: 'DescribeCluster' })).toBe(1);
      // The measured total (see the report): 3 roles, 4 managed policies, 1 file system with 3 mount targets.
      expect(stats.awsCalls).toBe(aws.length);
      expect(aws.length).toBe(37);
      expect(stats.kubernetesCalls).toBe(log.calls.length - aws.length);
    } finally {
      await s.stop();
    }
  });
});

/**
 * The Backstage demo's world: one demo-cluster per team account, each read as the demo backend reads it (the
 * account's sandbox-admin keys, Kubernetes through an EKS token and the access entry the scenario gives that user).
 * Each service must show only its own situation.
 */
describe('the demo scenario, read per account with an EKS token', () => {
  const DEMO: Record<string, { fileSystem: string; errors: string[] }> = {
    '111122223333': { fileSystem: 'fs-0a1b2c3d4e5f60718', errors: [] },
    '222233334444': { fileSystem: 'fs-0c2d4e6f8a0b1c3d5', errors: ['FS-02'] },
    '333344445555': { fileSystem: 'fs-0e4f6a8b0c2d4e6f7', errors: ['PI-06', 'PI-07'] },
  };
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ scenario: 'demo' });
  });
  afterAll(() => sandbox.stop());

  it.each(Object.entries(DEMO))('account %s', async (accountId, { fileSystem, errors }) => {
    const keys = adminCredentials(sandbox.state, accountId)!;
    const restore = useEnv({ AWS_ENDPOINT_URL: sandbox.url, AWS_REGION: REGION });
    const ports = createAwsPorts({ region: REGION, credentials: keys });
    let result: CollectResult;
    try {
      result = await collectLiveSnapshot({
        cluster: 'demo-cluster',
        region: REGION,
        fileSystemIds: [fileSystem],
        ports,
        kube: 'eks-token',
      });
    } finally {
      ports.destroy();
      restore();
    }
    expect(result.snapshot.inputs).toEqual(['A', 'K']);
    expect(result.snapshot.clusters[0]).toMatchObject({ name: 'demo-cluster', accountId });
    expect(result.snapshot.fileSystems.map((f) => f.id)).toEqual([fileSystem]);
    const findings = findingsOf(result);
    const errorIds = [...new Set(findings.filter((f) => f.severity === 'error').map((f) => f.ruleId))].sort();
    expect(`${errorIds.join(',')}\n${summary(findings)}`).toBe(`${errors.join(',')}\n${summary(findings)}`);
  });
});
