import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DescribeFileSystemPolicyCommand, EFSClient } from '@aws-sdk/client-efs';
import type { Journal } from '@efs-node-identity/core';
import {
  addAddon,
  addCluster,
  addEfsCsiNode,
  addNode,
  addNodegroup,
  addAccessEntry,
  addServiceAccount,
  adminCredentials,
  clusterOf,
  SANDBOX_ADMIN_TOKEN,
  startSandbox,
  type Sandbox,
} from '@efs-node-identity/sandbox';

/**
 * Issue 5, Must-show: 20 `apply` processes started at once on one machine, 20 different roles (one node role per
 * cluster) merged into ONE file system policy: all 20 Allow statements present, the original Deny kept. The
 * scenario `deny-only-policy` has `prod-eks`; the seed adds `prod-eks-2` … `prod-eks-20` in the same account and
 * region with the same seed helpers the scenario loader uses (add-ons, nodegroup, nodes, efs-csi-node DaemonSet),
 * each on the scenario's VPC and mounting its file system. Every process takes the same per-machine file lock.
 */

jest.setTimeout(600_000);

const PLATFORM = '111122223333';
const REGION = 'eu-west-1';
const FS = 'fs-0a1b2c3d4e5f60718';
const CLUSTERS = ['prod-eks', ...Array.from({ length: 19 }, (_, i) => `prod-eks-${i + 2}`)];

function runAsync(args: string[], env: Record<string, string>) {
  const bin = path.join(__dirname, '..', 'dist', 'bin.js');
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const base = { ...process.env };
    for (const k of ['AWS_PROFILE', 'AWS_SESSION_TOKEN', 'AWS_DEFAULT_REGION', 'KUBECONFIG']) delete base[k];
    const child = spawn(process.execPath, [bin, ...args], { env: { ...base, NO_COLOR: '1', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.stdin.end();
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** prod-eks-2 … prod-eks-20: like the scenario's prod-eks, without the node role and its association. */
function seedClusters(state: Sandbox['state']): void {
  const account = state.accounts.get(PLATFORM)!;
  const model = clusterOf(state, PLATFORM, 'prod-eks');
  const day = 24 * 3600 * 1000;
  const now = state.now();
  const zones = [
    { zone: 'eu-west-1a', zoneId: 'euw1-az2', subnet: 12 },
    { zone: 'eu-west-1b', zoneId: 'euw1-az3', subnet: 45 },
    { zone: 'eu-west-1c', zoneId: 'euw1-az1', subnet: 78 },
  ];
  CLUSTERS.slice(1).forEach((name, i) => {
    const n = i + 2;
    const cluster = addCluster(state, account, {
      name,
      region: REGION,
      version: '1.33',
      vpcId: model.vpcId,
      subnetIds: [...model.subnetIds],
      clusterSecurityGroupId: model.clusterSecurityGroupId,
      roleArn: model.roleArn,
      createdAt: new Date(now - 400 * day),
    });
    addAddon(state, account, name, {
      addonName: 'eks-pod-identity-agent',
      addonVersion: 'v1.3.8-eksbuild.2',
      createdAt: new Date(now - 90 * day),
    });
    addAddon(state, account, name, {
      addonName: 'aws-efs-csi-driver',
      addonVersion: 'v3.4.1-eksbuild.1',
      createdAt: new Date(now - 30 * day),
    });
    const nodeRole = account.iam.roles.get('prod-eks-node-instance-role')!.arn;
    addNodegroup(state, account, name, {
      nodegroupName: `${name}-general`,
      nodeRole,
      desiredSize: 3,
      instanceTypes: ['m6i.large'],
    });
    addAccessEntry(state, account, name, { principalArn: nodeRole, type: 'EC2_LINUX' });
    zones.forEach((z, k) => {
      const ip = `10.40.${z.subnet}.${100 + n}`;
      addNode(cluster, {
        zone: z.zone,
        zoneId: z.zoneId,
        internalIp: ip,
        instanceId: `i-0${String(n).padStart(2, '0')}${k}b2c3d4e5f607110`.slice(0, 19),
        nodegroup: `${name}-general`,
        createdAt: now - 20 * day,
      });
    });
    addServiceAccount(cluster, {
      name: 'efs-csi-node-sa',
      namespace: 'kube-system',
      labels: { 'app.kubernetes.io/name': 'aws-efs-csi-driver' },
      createdAt: now - 30 * day,
    });
    addEfsCsiNode(cluster, { imageTag: 'v3.4.1', createdAt: now - 30 * day, podsCreatedAt: now - 2 * day });
  });
}

describe('20 apply processes at once on one machine', () => {
  let sandbox: Sandbox | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    await sandbox?.stop();
    sandbox = undefined;
    dir = undefined;
  });

  it('20 different roles on one file system: every process exits 0, all 20 Allow statements and the Deny are present, a second plan is empty', async () => {
    sandbox = await startSandbox({ scenario: 'deny-only-policy', seed: seedClusters });
    const state = sandbox.state;
    const keys = adminCredentials(state, PLATFORM)!;
    const tmp = mkdtempSync(path.join(tmpdir(), 'apply-concurrency-'));
    dir = tmp;
    const kubeconfig = (name: string) => path.join(tmp, `${name}.kubeconfig`);
    for (const name of CLUSTERS) {
      const server = clusterOf(state, PLATFORM, name).endpoint;
      const q = JSON.stringify;
      writeFileSync(
        kubeconfig(name),
        `apiVersion: v1\nkind: Config\nclusters:\n- name: ${q(name)}\n  cluster:\n    server: ${q(server)}\n    insecure-skip-tls-verify: true\n` +
          `users:\n- name: admin\n  user:\n    token: ${q(SANDBOX_ADMIN_TOKEN)}\n` +
          `contexts:\n- name: ${q(name)}\n  context:\n    cluster: ${q(name)}\n    user: admin\ncurrent-context: ${q(name)}\n`,
      );
    }
    const env = {
      AWS_ENDPOINT_URL: sandbox.url,
      AWS_ACCESS_KEY_ID: keys.accessKeyId,
      AWS_SECRET_ACCESS_KEY: keys.secretAccessKey,
      AWS_REGION: REGION,
    };
    const args = (name: string) => [
      '--cluster',
      name,
      '--region',
      REGION,
      '--file-system',
      FS,
      '--kubeconfig',
      kubeconfig(name),
    ];

    const started = Date.now();
    const results = await Promise.all(
      CLUSTERS.map((name, i) =>
        runAsync(['apply', ...args(name), '--yes', '--journal', path.join(tmp, `j${i + 1}.json`)], env),
      ),
    );
    const elapsed = Date.now() - started;
    results.forEach((r, i) => {
      if (r.code !== 0) throw new Error(`${CLUSTERS[i]}: exit ${r.code}\n${r.stderr}\n${r.stdout}`);
      expect(r.stderr).toMatch(/verify: 0 error\(s\)/);
      const j = JSON.parse(readFileSync(path.join(tmp, `j${i + 1}.json`), 'utf8')) as Journal;
      expect(j.complete).toBe(true);
    });

    const efs = new EFSClient({ region: REGION, endpoint: sandbox.url, credentials: keys, maxAttempts: 1 });
    try {
      const out = await efs.send(new DescribeFileSystemPolicyCommand({ FileSystemId: FS }));
      const policy = JSON.parse(out.Policy!) as {
        Statement: Array<{ Sid?: string; Effect: string; Principal?: { AWS?: string | string[] } }>;
      };
      for (const name of CLUSTERS) {
        const mine = policy.Statement.filter((s) => s.Sid === `EfsCsiNode-${name}`);
        expect(mine).toHaveLength(1);
        expect(mine[0]!.Effect).toBe('Allow');
        expect(JSON.stringify(mine[0]!.Principal)).toContain(
          `arn:aws:iam::${PLATFORM}:role/${name}-efs-csi-node`,
        );
        // Each process created (or, for prod-eks, found) its cluster's node role and the association to it.
        const role = state.accounts.get(PLATFORM)!.iam.roles.get(`${name}-efs-csi-node`)!;
        expect(role).toBeDefined();
        const associated = [...clusterOf(state, PLATFORM, name).associations.values()].filter(
          (a) => a.serviceAccount === 'efs-csi-node-sa',
        );
        expect(associated.map((a) => a.roleArn)).toEqual([role.arn]);
      }
      expect(policy.Statement.filter((s) => s.Effect === 'Allow')).toHaveLength(20);
      const deny = policy.Statement.filter((s) => s.Effect === 'Deny');
      expect(deny.map((s) => s.Sid)).toEqual(['DenyInsecureTransport']);
    } finally {
      efs.destroy();
    }

    for (const name of ['prod-eks', 'prod-eks-2', 'prod-eks-11', 'prod-eks-20']) {
      const plan = await runAsync(['plan', ...args(name), '--format', 'json'], env);
      expect(JSON.parse(plan.stdout).steps).toEqual([]);
    }
    console.log(`20 concurrent applies: ${elapsed} ms`);
  });
});
