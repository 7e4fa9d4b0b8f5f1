import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { adminCredentials, clusterOf, SANDBOX_ADMIN_TOKEN, type Sandbox } from '@efs-node-identity/sandbox';

/** Runs the built CLI as a process, as a user would (the build runs before the tests). */
export function runCli(
  args: string[],
  options: { cwd?: string; input?: string; env?: Record<string, string> } = {},
) {
  const bin = path.join(__dirname, '..', 'dist', 'bin.js');
  const result = spawnSync(process.execPath, [bin, ...args], {
    cwd: options.cwd ?? path.join(__dirname, '..'),
    input: options.input,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', ...options.env },
    maxBuffer: 256 * 1024 * 1024,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

export const SHARED_FIXTURES = path.resolve(__dirname, '../../../../shared/fixtures');
export const REPO_ROOT = path.resolve(__dirname, '../../..');

/**
 * Runs the built CLI as a process without blocking this test's event loop (a sandbox started in the test answers
 * from it, so spawnSync would deadlock). The AWS and Kubernetes settings of the developer's shell are dropped: the
 * test passes its own. `killWhen`: SIGKILL the process as soon as its stderr matches (a real kill, no handler runs).
 */
export function runCliAsync(
  args: string[],
  env: Record<string, string>,
  killWhen?: RegExp,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const bin = path.join(__dirname, '..', 'dist', 'bin.js');
  return new Promise((resolve, reject) => {
    const base = { ...process.env };
    for (const k of ['AWS_PROFILE', 'AWS_SESSION_TOKEN', 'AWS_DEFAULT_REGION', 'KUBECONFIG']) delete base[k];
    const child = spawn(process.execPath, [bin, ...args], { env: { ...base, NO_COLOR: '1', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => {
      stderr += d;
      if (killWhen && killWhen.test(stderr)) child.kill('SIGKILL');
    });
    child.stdin.end();
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * What a CLI process needs to reach a sandbox started in the test: a kubeconfig for the `prod-eks` cluster of the
 * scenarios (written into `dir`; plain http on loopback, hence insecure-skip-tls-verify, and the static admin token)
 * and the AWS environment with the platform account's admin keys.
 */
export function sandboxCliEnv(
  sandbox: Sandbox,
  dir: string,
  account = '111122223333',
): { kubeconfig: string; env: Record<string, string> } {
  const keys = adminCredentials(sandbox.state, account)!;
  const kubeconfig = path.join(dir, 'kubeconfig');
  const server = clusterOf(sandbox.state, account, 'prod-eks').endpoint;
  writeFileSync(
    kubeconfig,
    `apiVersion: v1\nkind: Config\nclusters:\n- name: prod-eks\n  cluster:\n    server: ${JSON.stringify(server)}\n    insecure-skip-tls-verify: true\n` +
      `users:\n- name: admin\n  user:\n    token: ${JSON.stringify(SANDBOX_ADMIN_TOKEN)}\n` +
      `contexts:\n- name: prod-eks\n  context:\n    cluster: prod-eks\n    user: admin\ncurrent-context: prod-eks\n`,
  );
  return {
    kubeconfig,
    env: {
      AWS_ENDPOINT_URL: sandbox.url,
      AWS_ACCESS_KEY_ID: keys.accessKeyId,
      AWS_SECRET_ACCESS_KEY: keys.secretAccessKey,
      AWS_REGION: 'eu-west-1',
    },
  };
}
