import Ajv2020 from 'ajv/dist/2020';
import { spawn } from 'node:child_process';
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
import schema from '../../core/schema/check-output.schema.json';

/**
 * `verify` as a process against a sandbox started here. The process must not block this test's event loop (the
 * sandbox answers from it), hence an asynchronous spawn rather than run-cli's spawnSync.
 */
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
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('efs-node-identity verify against the sandbox', () => {
  const validate = new Ajv2020({ allErrors: true, strict: false }).compile(schema);
  let sandbox: Sandbox;
  let dir: string;
  let env: Record<string, string>;

  async function start(scenario: string) {
    sandbox = await startSandbox({ scenario });
    const keys = adminCredentials(sandbox.state, '111122223333')!;
    dir = mkdtempSync(path.join(tmpdir(), 'verify-cli-'));
    const kubeconfig = path.join(dir, 'kubeconfig');
    const server = clusterOf(sandbox.state, '111122223333', 'prod-eks').endpoint;
    writeFileSync(
      kubeconfig,
      `apiVersion: v1\nkind: Config\nclusters:\n- name: prod-eks\n  cluster:\n    server: ${JSON.stringify(server)}\n    insecure-skip-tls-verify: true\n` +
        `users:\n- name: admin\n  user:\n    token: ${JSON.stringify(SANDBOX_ADMIN_TOKEN)}\n` +
        `contexts:\n- name: prod-eks\n  context:\n    cluster: prod-eks\n    user: admin\ncurrent-context: prod-eks\n`,
    );
    env = {
      AWS_ENDPOINT_URL: sandbox.url,
      AWS_ACCESS_KEY_ID: keys.accessKeyId,
      AWS_SECRET_ACCESS_KEY: keys.secretAccessKey,
      AWS_REGION: 'eu-west-1',
    };
    return kubeconfig;
  }
  afterEach(async () => {
    rmSync(dir, { recursive: true, force: true });
    await sandbox.stop();
  });

  it('prints JSON in the check schema, exit 0 on healthy, and the call count on stderr', async () => {
    const kubeconfig = await start('healthy');
    const result = await runAsync(
      [
        'verify',
        '--cluster',
        'prod-eks',
        '--region',
        'eu-west-1',
        '--kubeconfig',
        kubeconfig,
        '--format',
        'json',
      ],
      env,
    );
    expect(result.stderr).toMatch(/^verify: \d+ AWS calls, \d+ Kubernetes calls\n$/);
    const output = JSON.parse(result.stdout);
    expect(validate(output)).toBe(true);
    expect(validate.errors ?? []).toEqual([]);
    expect(output.summary.errors).toBe(0);
    expect(result.code).toBe(0);
    // Credentials never appear in what verify prints.
    expect(result.stdout + result.stderr).not.toContain(env.AWS_SECRET_ACCESS_KEY);
    const aws = sandbox.log.calls.filter((c) => c.service !== 'kubernetes').length;
    expect(result.stderr).toContain(`verify: ${aws} AWS calls`);
  });

  it('exits 1 with FS-02 on deny-only-policy', async () => {
    const kubeconfig = await start('deny-only-policy');
    const result = await runAsync(
      [
        'verify',
        '--cluster',
        'prod-eks',
        '--region',
        'eu-west-1',
        '--kubeconfig',
        kubeconfig,
        '--format',
        'json',
      ],
      env,
    );
    const output = JSON.parse(result.stdout);
    expect(validate(output)).toBe(true);
    expect(output.findings.map((f: { ruleId: string }) => f.ruleId)).toContain('FS-02');
    expect(result.code).toBe(1);
  });

  it('exits 2 with a one-line message for an unknown cluster and for rejected credentials', async () => {
    const kubeconfig = await start('healthy');
    const missing = await runAsync(
      ['verify', '--cluster', 'nope', '--region', 'eu-west-1', '--kubeconfig', kubeconfig],
      env,
    );
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(
      'efs-node-identity verify: cluster "nope" not found in eu-west-1 (DescribeCluster: ResourceNotFoundException)\n',
    );
    const rejected = await runAsync(['verify', '--cluster', 'prod-eks', '--kubeconfig', kubeconfig], {
      ...env,
      AWS_SECRET_ACCESS_KEY: 'not-the-secret',
    });
    expect(rejected.code).toBe(2);
    expect(rejected.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(rejected.stderr).not.toContain('not-the-secret');
    expect(rejected.stderr).not.toMatch(/\n\s+at /);
  });

  it('refuses malformed input before any call', async () => {
    await start('healthy');
    const result = await runAsync(['verify', '--cluster', 'prod"eks', '--region', 'eu-west-1'], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('is not an EKS cluster name');
    expect(sandbox.log.calls).toHaveLength(0);
  });
});
