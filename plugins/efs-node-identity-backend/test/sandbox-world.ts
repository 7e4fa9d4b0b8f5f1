import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  addAccessEntry,
  adminCredentials,
  clusterOf,
  parseScenario,
  SCENARIO_DIR,
  startSandbox,
  type Sandbox,
} from '@efs-node-identity/sandbox';

export const PLATFORM_ACCOUNT = '111122223333';
export const REGION = 'eu-west-1';
export const CLUSTER = 'prod-eks';

export interface SandboxWorld {
  sandbox: Sandbox;
  clusterArn: string;
  /** The platform account's keys, for the `aws:` app-config of the backend and the CLI's environment. */
  keys: { accessKeyId: string; secretAccessKey: string };
  stop(): Promise<void>;
}

/**
 * Starts the sandbox with a bundled scenario (plus an EKS access entry for the admin user unless told otherwise) and points this process's AWS SDK endpoints at it: the `aws:`
 * app-config has no endpoint override, so the SDK's own AWS_ENDPOINT_URL does it. Credentials deliberately stay out
 * of the environment: the backend must get them from its `aws:` config through integration-aws-node.
 */
export async function startWorld(
  scenario: string,
  /** accessPolicies: the EKS access policies of that entry (none: full access). */
  options: { accessEntry?: boolean; accessPolicies?: string[] } = {},
): Promise<SandboxWorld> {
  const sandbox = await startSandbox({
    scenario,
    // The backend reads Kubernetes with an EKS token signed by its AWS identity, which the API server accepts only
    // with an access entry for that principal (as on EKS).
    seed: (state) => {
      if (options.accessEntry === false) return;
      addAccessEntry(state, PLATFORM_ACCOUNT, CLUSTER, {
        principalArn: `arn:aws:iam::${PLATFORM_ACCOUNT}:user/sandbox-admin`,
        ...(options.accessPolicies ? { accessPolicies: options.accessPolicies } : {}),
      });
    },
  });
  const keys = adminCredentials(sandbox.state, PLATFORM_ACCOUNT)!;
  const names = [
    'AWS_ENDPOINT_URL',
    'AWS_ACCESS_KEY_ID',
    'AWS_SECRET_ACCESS_KEY',
    'AWS_SESSION_TOKEN',
    'AWS_PROFILE',
  ];
  const saved = Object.fromEntries(names.map((n) => [n, process.env[n]]));
  for (const n of names) delete process.env[n];
  process.env.AWS_ENDPOINT_URL = sandbox.url;
  return {
    sandbox,
    keys: { accessKeyId: keys.accessKeyId, secretAccessKey: keys.secretAccessKey },
    clusterArn: clusterOf(sandbox.state, PLATFORM_ACCOUNT, CLUSTER).arn,
    async stop() {
      for (const n of names) {
        if (saved[n] === undefined) delete process.env[n];
        else process.env[n] = saved[n];
      }
      await sandbox.stop();
    },
  };
}

/**
 * Runs the built `efs-node-identity verify` as a user would, against the same sandbox (Kubernetes through an EKS
 * token, as the backend does), with `extraArgs` (e.g. `--inspect-mounts`), and answers the rule IDs of its JSON report. Asynchronous: the sandbox answers from
 * this process's event loop.
 */
export function cliVerifyRuleIds(world: SandboxWorld, extraArgs: string[] = []): Promise<string[]> {
  const bin = path.resolve(__dirname, '../../../packages/cli/dist/bin.js');
  const env: Record<string, string | undefined> = { ...process.env };
  for (const k of ['AWS_PROFILE', 'AWS_SESSION_TOKEN', 'AWS_DEFAULT_REGION', 'KUBECONFIG']) delete env[k];
  Object.assign(env, {
    NO_COLOR: '1',
    AWS_ENDPOINT_URL: world.sandbox.url,
    AWS_ACCESS_KEY_ID: world.keys.accessKeyId,
    AWS_SECRET_ACCESS_KEY: world.keys.secretAccessKey,
    AWS_REGION: REGION,
  });
  const args = [
    bin,
    'verify',
    '--cluster',
    CLUSTER,
    '--region',
    REGION,
    '--format',
    'json',
    '--fail-on',
    'never',
    ...extraArgs,
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`verify exited ${code}: ${stderr}`));
      const report = JSON.parse(stdout) as { findings: Array<{ ruleId: string }> };
      resolve(report.findings.map((f) => f.ruleId).sort());
    });
  });
}

export interface FleetWorld {
  sandbox: Sandbox;
  /** One account per cluster, each with the `healthy` scenario's cluster `prod-eks` and its own admin keys. */
  clusters: Array<{
    accountId: string;
    clusterArn: string;
    keys: { accessKeyId: string; secretAccessKey: string };
  }>;
  stop(): Promise<void>;
}

/** The 12-digit ID of the n-th fleet account (n from 0). */
export const fleetAccountId = (n: number) => `2000000${String(n + 10000).slice(1)}0`;

/**
 * Starts the sandbox with `count` copies of the `healthy` scenario's account, each under its own account ID (so
 * `count` clusters, distinguishable in the call log by account), and points this process's AWS SDK at it.
 */
export async function startFleetWorld(count: number): Promise<FleetWorld> {
  const text = readFileSync(path.join(SCENARIO_DIR, 'healthy.yaml'), 'utf8');
  const ids = Array.from({ length: count }, (_, n) => fleetAccountId(n));
  const copies = ids.map((id) =>
    parseScenario(text.replaceAll(PLATFORM_ACCOUNT, id), `healthy.yaml (${id})`),
  );
  const scenario = { ...copies[0]!, accounts: copies.flatMap((c) => c.accounts) };
  const sandbox = await startSandbox({
    scenario,
    seed: (state) => {
      for (const id of ids) {
        addAccessEntry(state, id, CLUSTER, { principalArn: `arn:aws:iam::${id}:user/sandbox-admin` });
      }
    },
  });
  const names = [
    'AWS_ENDPOINT_URL',
    'AWS_ACCESS_KEY_ID',
    'AWS_SECRET_ACCESS_KEY',
    'AWS_SESSION_TOKEN',
    'AWS_PROFILE',
  ];
  const saved = Object.fromEntries(names.map((n) => [n, process.env[n]]));
  for (const n of names) delete process.env[n];
  process.env.AWS_ENDPOINT_URL = sandbox.url;
  return {
    sandbox,
    clusters: ids.map((accountId) => {
      const keys = adminCredentials(sandbox.state, accountId)!;
      return {
        accountId,
        clusterArn: clusterOf(sandbox.state, accountId, CLUSTER).arn,
        keys: { accessKeyId: keys.accessKeyId, secretAccessKey: keys.secretAccessKey },
      };
    }),
    async stop() {
      for (const n of names) {
        if (saved[n] === undefined) delete process.env[n];
        else process.env[n] = saved[n];
      }
      await sandbox.stop();
    },
  };
}
