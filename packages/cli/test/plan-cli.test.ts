import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runCliAsync, sandboxCliEnv } from './run-cli';
import {
  adminCredentials,
  clusterOf,
  newRole,
  SANDBOX_ADMIN_TOKEN,
  startSandbox,
  type Sandbox,
} from '@efs-node-identity/sandbox';

const FS = 'fs-0a1b2c3d4e5f60718';
const NODE_ROLE = 'arn:aws:iam::111122223333:role/prod-eks-efs-csi-node';

describe('efs-node-identity plan against the sandbox', () => {
  let sandbox: Sandbox;
  let dir: string;
  let env: Record<string, string>;
  let kubeconfig: string;

  async function start(scenario: string) {
    sandbox = await startSandbox({ scenario });
    dir = mkdtempSync(path.join(tmpdir(), 'plan-cli-'));
    ({ kubeconfig, env } = sandboxCliEnv(sandbox, dir, '111122223333'));
  }
  afterEach(async () => {
    rmSync(dir, { recursive: true, force: true });
    await sandbox.stop();
  });

  const base = () => ['plan', '--cluster', 'prod-eks', '--region', 'eu-west-1', '--kubeconfig', kubeconfig];

  it('healthy: exit 0 and { "steps": [] }', async () => {
    await start('healthy');
    const r = await runCliAsync([...base(), '--file-system', FS, '--format', 'json'], env);
    expect(r.stderr).toMatch(/plan: 0 step\(s\), 0 refused; \d+ AWS calls/);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ steps: [], refusals: [], notes: [] });
  });

  it('deny-only-policy: one merge step with the Allow for the node role (json), numbered with its diff (text)', async () => {
    await start('deny-only-policy');
    const json = await runCliAsync([...base(), '--file-system', `${FS}:write`, '--format', 'json'], env);
    expect(json.code).toBe(0);
    const out = JSON.parse(json.stdout);
    expect(out.refusals).toEqual([]);
    expect(out.steps.map((s: { kind: string }) => s.kind)).toEqual(['merge-file-system-policy', 'verify']);
    expect(out.steps[0].statement.Principal).toEqual({ AWS: NODE_ROLE });
    const text = await runCliAsync([...base(), '--file-system', FS, '--format', 'text'], env);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^1\. Merge the policy of fs-0a1b2c3d4e5f60718/m);
    expect(text.stdout).toMatch(/^ {3}\+ +"Sid": "EfsCsiNode-prod-eks",$/m);
    expect(text.stdout).toMatch(/^2\. Verify prod-eks/m);
  });

  it('wrong-irsa-sub from a spec file: refused without --adopt (exit 1), planned with it', async () => {
    await start('wrong-irsa-sub');
    const spec = path.join(dir, 'spec.yaml');
    writeFileSync(
      spec,
      [
        'cluster: prod-eks',
        'region: eu-west-1',
        'mode: irsa',
        'fileSystems:',
        `  - id: ${FS}`,
        '    access: write',
        '',
      ].join('\n'),
    );
    const refused = await runCliAsync(
      ['plan', '--spec', spec, '--kubeconfig', kubeconfig, '--format', 'json'],
      env,
    );
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.stdout).refusals[0].reason).toMatch(/ownership tag/);
    const adopted = await runCliAsync(
      ['plan', '--spec', spec, '--kubeconfig', kubeconfig, '--format', 'json', '--adopt'],
      env,
    );
    expect(adopted.code).toBe(0);
    expect(JSON.parse(adopted.stdout).steps.map((s: { kind: string }) => s.kind)).toEqual([
      'tag-role',
      'update-trust',
      'verify',
    ]);
  });

  it('refuses hostile input before any call (exit 2)', async () => {
    await start('healthy');
    for (const args of [
      ['plan', '--cluster', 'prod"eks', '--region', 'eu-west-1', '--file-system', FS],
      ['plan', '--cluster', 'prod-eks', '--region', 'eu-west-1', '--file-system', 'fs-*'],
      ['plan', '--cluster', 'prod-eks', '--region', 'eu-west-1', '--file-system', `${FS}:admin`],
      ['plan', '--cluster', 'prod-eks', '--region', 'eu-west-1', '--file-system', FS, '--role-name', 'a\nb'],
      [
        'plan',
        '--cluster',
        'prod-eks',
        '--region',
        'eu-west-1',
        '--file-system',
        FS,
        '--target-role-arn',
        'arn:aws:iam::1:role/*',
      ],
      ['plan', '--cluster', 'prod-eks', '--region', 'eu-west-1'],
    ]) {
      const r = await runCliAsync(args, env);
      expect({ args, code: r.code }).toEqual({ args, code: 2 });
      expect(r.stdout).toBe('');
    }
    expect(sandbox.log.calls).toHaveLength(0);
  });
});

describe('efs-node-identity plan: cross-account with --efs-role-arn', () => {
  const STORAGE = '444455556666';
  const FS = 'fs-0c7d8e9f0a1b2c3d4';
  const READER = `arn:aws:iam::${STORAGE}:role/efs-node-identity-reader`;
  let sandbox: Sandbox;
  let dir: string;

  it('reads the storage account file system through the assumed role: nothing to change; without it, refused', async () => {
    sandbox = await startSandbox({
      scenario: 'cross-account',
      seed: (state) => {
        const role = newRole(
          STORAGE,
          'efs-node-identity-reader',
          JSON.stringify({
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Principal: { AWS: 'arn:aws:iam::111122223333:root' },
                Action: 'sts:AssumeRole',
                Condition: { StringEquals: { 'sts:ExternalId': 'plan-prod-eks' } },
              },
            ],
          }),
        );
        state.accounts.get(STORAGE)!.iam.roles.set(role.roleName, role);
      },
    });
    try {
      const keys = adminCredentials(sandbox.state, '111122223333')!;
      dir = mkdtempSync(path.join(tmpdir(), 'plan-cli-xa-'));
      const kubeconfig = path.join(dir, 'kubeconfig');
      const server = clusterOf(sandbox.state, '111122223333', 'prod-eks').endpoint;
      writeFileSync(
        kubeconfig,
        `apiVersion: v1\nkind: Config\nclusters:\n- name: prod-eks\n  cluster:\n    server: ${JSON.stringify(server)}\n    insecure-skip-tls-verify: true\n` +
          `users:\n- name: admin\n  user:\n    token: ${JSON.stringify(SANDBOX_ADMIN_TOKEN)}\n` +
          `contexts:\n- name: prod-eks\n  context:\n    cluster: prod-eks\n    user: admin\ncurrent-context: prod-eks\n`,
      );
      const env = {
        AWS_ENDPOINT_URL: sandbox.url,
        AWS_ACCESS_KEY_ID: keys.accessKeyId,
        AWS_SECRET_ACCESS_KEY: keys.secretAccessKey,
        AWS_REGION: 'eu-west-1',
      };
      const args = [
        'plan',
        '--cluster',
        'prod-eks',
        '--kubeconfig',
        kubeconfig,
        '--file-system',
        FS,
        '--format',
        'json',
      ];
      const withRole = await runCliAsync(
        [...args, '--efs-role-arn', READER, '--efs-external-id', 'plan-prod-eks'],
        env,
      );
      expect(withRole.stderr).toMatch(/plan: 0 step\(s\), 0 refused/);
      expect(withRole.code).toBe(0);
      expect(JSON.parse(withRole.stdout).steps).toEqual([]);
      const without = await runCliAsync(args, env);
      expect(without.code).toBe(1);
      expect(JSON.parse(without.stdout).refusals[0].reason).toMatch(/not found/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await sandbox.stop();
    }
  });
});
