import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  adminCredentials,
  clusterOf,
  SANDBOX_ADMIN_TOKEN,
  startSandbox,
  type Sandbox,
} from '@efs-node-identity/sandbox';

export const CLUSTER = 'prod-eks';
export const REGION = 'eu-west-1';
export const PLATFORM_ACCOUNT = '111122223333';
export const STORAGE_ACCOUNT = '444455556666';

export interface SandboxEnv {
  sandbox: Sandbox;
  /** The process env a CLI or the SDK's default chain needs: endpoint, admin keys, region. */
  env: Record<string, string>;
  kubeconfig: string;
  endpoint: string;
  stop(): Promise<void>;
}

/**
 * Starts the sandbox with a scenario and writes a kubeconfig for its cluster (insecure-skip-tls-verify because the
 * sandbox serves plain http on loopback; the static admin token).
 */
export async function sandboxEnv(
  scenario: string,
  seed?: (state: Sandbox['state']) => void,
): Promise<SandboxEnv> {
  const sandbox = await startSandbox({ scenario, ...(seed ? { seed } : {}) });
  const keys = adminCredentials(sandbox.state, PLATFORM_ACCOUNT)!;
  const endpoint = clusterOf(sandbox.state, PLATFORM_ACCOUNT, CLUSTER).endpoint;
  const dir = mkdtempSync(path.join(tmpdir(), 'efs-node-identity-aws-'));
  const kubeconfig = path.join(dir, 'kubeconfig');
  const q = JSON.stringify;
  writeFileSync(
    kubeconfig,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      `- name: ${q(CLUSTER)}`,
      '  cluster:',
      `    server: ${q(endpoint)}`,
      '    insecure-skip-tls-verify: true',
      'users:',
      '- name: admin',
      '  user:',
      `    token: ${q(SANDBOX_ADMIN_TOKEN)}`,
      'contexts:',
      `- name: ${q(CLUSTER)}`,
      '  context:',
      `    cluster: ${q(CLUSTER)}`,
      '    user: admin',
      `current-context: ${q(CLUSTER)}`,
      '',
    ].join('\n'),
  );
  return {
    sandbox,
    endpoint,
    kubeconfig,
    env: {
      AWS_ENDPOINT_URL: sandbox.url,
      AWS_ACCESS_KEY_ID: keys.accessKeyId,
      AWS_SECRET_ACCESS_KEY: keys.secretAccessKey,
      AWS_REGION: REGION,
    },
    async stop() {
      rmSync(dir, { recursive: true, force: true });
      await sandbox.stop();
    },
  };
}

/** Points the SDK's default chain at the sandbox for this process (the collector reads process.env). */
export function useEnv(env: Record<string, string>): () => void {
  const keys = [...Object.keys(env), 'AWS_PROFILE', 'AWS_SESSION_TOKEN', 'AWS_DEFAULT_REGION'];
  const saved = Object.fromEntries(keys.map((k) => [k, process.env[k]]));
  for (const k of keys) delete process.env[k];
  Object.assign(process.env, env);
  return () => {
    for (const k of keys) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  };
}
