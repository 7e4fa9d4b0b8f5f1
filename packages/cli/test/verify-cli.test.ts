import Ajv2020 from 'ajv/dist/2020';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runCliAsync, sandboxCliEnv } from './run-cli';
import { newRole, startSandbox, type Sandbox, type SandboxOptions } from '@efs-node-identity/sandbox';
import schema from '../../core/schema/check-output.schema.json';

describe('efs-node-identity verify against the sandbox', () => {
  const validate = new Ajv2020({ allErrors: true, strict: false }).compile(schema);
  let sandbox: Sandbox;
  let dir: string;
  let env: Record<string, string>;

  async function start(scenario: string, options: Omit<SandboxOptions, 'scenario'> = {}) {
    sandbox = await startSandbox({ scenario, ...options });
    dir = mkdtempSync(path.join(tmpdir(), 'verify-cli-'));
    const cli = sandboxCliEnv(sandbox, dir, '111122223333');
    const kubeconfig = cli.kubeconfig;
    env = cli.env;
    return kubeconfig;
  }
  afterEach(async () => {
    rmSync(dir, { recursive: true, force: true });
    await sandbox.stop();
  });

  it('prints JSON in the check schema, exit 0 on healthy, and the call count on stderr', async () => {
    const kubeconfig = await start('healthy');
    const result = await runCliAsync(
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
    const result = await runCliAsync(
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
    const missing = await runCliAsync(
      ['verify', '--cluster', 'nope', '--region', 'eu-west-1', '--kubeconfig', kubeconfig],
      env,
    );
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(
      'efs-node-identity verify: cluster "nope" not found in eu-west-1 (DescribeCluster: ResourceNotFoundException)\n',
    );
    const rejected = await runCliAsync(['verify', '--cluster', 'prod-eks', '--kubeconfig', kubeconfig], {
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
    const result = await runCliAsync(['verify', '--cluster', 'prod"eks', '--region', 'eu-west-1'], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('is not an EKS cluster name');
    expect(sandbox.log.calls).toHaveLength(0);
  });

  describe('cross-account: --efs-role-arn', () => {
    const STORAGE = '444455556666';
    const FS = 'fs-0c7d8e9f0a1b2c3d4';
    const ROLE_ARN = `arn:aws:iam::${STORAGE}:role/efs-node-identity-verifier`;
    const PROVISIONER = `arn:aws:iam::${STORAGE}:role/prod-eks-efs-provisioner`;
    const EXTERNAL_ID = 'verify-prod-eks';
    const verifierPolicy = readFileSync(
      path.join(__dirname, '..', '..', '..', 'docs', 'policies', 'verifier-policy.json'),
      'utf8',
    );
    /** The storage account's verifier role (docs/permissions.md), trusting the platform account with an ExternalId. */
    async function startCrossAccount(change?: (state: Sandbox['state']) => void) {
      return start('cross-account', {
        enforcePermissions: true,
        seed: (state) => {
          change?.(state);
          const role = newRole(
            STORAGE,
            'efs-node-identity-verifier',
            JSON.stringify({
              Version: '2012-10-17',
              Statement: [
                {
                  Effect: 'Allow',
                  Principal: { AWS: 'arn:aws:iam::111122223333:root' },
                  Action: 'sts:AssumeRole',
                  Condition: { StringEquals: { 'sts:ExternalId': EXTERNAL_ID } },
                },
              ],
            }),
          );
          role.inlinePolicies.set('efs-node-identity-verifier', verifierPolicy);
          state.accounts.get(STORAGE)!.iam.roles.set(role.roleName, role);
        },
      });
    }
    const args = (kubeconfig: string, ...more: string[]) => [
      'verify',
      '--cluster',
      'prod-eks',
      '--region',
      'eu-west-1',
      '--kubeconfig',
      kubeconfig,
      '--format',
      'json',
      ...more,
    ];

    it("with the role, reads the storage account's file system policy and mount targets", async () => {
      const kubeconfig = await startCrossAccount();
      const result = await runCliAsync(
        args(kubeconfig, '--efs-role-arn', ROLE_ARN, '--efs-external-id', EXTERNAL_ID),
        env,
      );
      expect(result.stderr).toMatch(/^verify: \d+ AWS calls, \d+ Kubernetes calls\n$/);
      expect(result.code).toBe(0);
      const output = JSON.parse(result.stdout);
      expect(validate(output)).toBe(true);
      expect(output.summary.errors).toBe(0);
      const inStorage = sandbox.log.calls.filter(
        (c) =>
          c.accountId === STORAGE && c.principalArn?.includes(':assumed-role/efs-node-identity-verifier/'),
      );
      const operations = new Set(inStorage.map((c) => `${c.service}:${c.operation}`));
      for (const op of [
        'elasticfilesystem:DescribeFileSystems',
        'elasticfilesystem:DescribeFileSystemPolicy',
        'elasticfilesystem:DescribeMountTargets',
        'elasticfilesystem:DescribeMountTargetSecurityGroups',
        'ec2:DescribeSecurityGroups',
        'ec2:DescribeRouteTables',
        'iam:GetRole',
      ]) {
        expect(operations).toContain(op);
      }
      expect(inStorage.every((c) => c.status === 200)).toBe(true);
      // The AssumeRole itself, made by the platform account's default credentials with the ExternalId.
      expect(
        sandbox.log.calls
          .filter((c) => c.operation === 'AssumeRole' && c.status === 200)
          .map((c) => c.accountId),
      ).toHaveLength(1);
      // The printed count covers both accounts.
      const aws = sandbox.log.calls.filter((c) => c.service !== 'kubernetes').length;
      expect(result.stderr).toContain(`verify: ${aws} AWS calls`);
      expect(result.stdout + result.stderr).not.toContain(env.AWS_SECRET_ACCESS_KEY);
    });

    it('without it, says on stderr which facts of the storage account were not read', async () => {
      const kubeconfig = await startCrossAccount();
      const result = await runCliAsync(args(kubeconfig), env);
      expect(validate(JSON.parse(result.stdout))).toBe(true);
      const lines = result.stderr.split('\n').filter(Boolean);
      expect(lines[0]).toMatch(/^verify: \d+ AWS calls, \d+ Kubernetes calls$/);
      expect(lines).toContain(
        `verify: not read: file system ${FS}: not found in account 111122223333; if it is in another account, pass --efs-role-arn with a role in that account`,
      );
      expect(lines).toContain(
        `verify: not read: role ${PROVISIONER}: account ${STORAGE} is not readable with these credentials; pass --efs-role-arn with a role in account ${STORAGE}`,
      );
      expect(sandbox.log.calls.some((c) => c.accountId === STORAGE)).toBe(false);
    });

    it('rules see the storage side: a policy that no longer allows the node role is reported only with the role', async () => {
      const kubeconfig = await startCrossAccount((state) => {
        // The storage account's policy keeps only its Deny statement: the node role may no longer mount.
        const fs = state.accounts.get(STORAGE)!.efs.fileSystems.get(FS)!;
        const policy = JSON.parse(fs.policy!) as { Statement: Array<{ Effect: string }> };
        policy.Statement = policy.Statement.filter((st) => st.Effect === 'Deny');
        fs.policy = JSON.stringify(policy);
      });
      const ids = (stdout: string) =>
        (JSON.parse(stdout) as { findings: Array<{ ruleId: string; severity: string }> }).findings
          .filter((f) => f.severity === 'error')
          .map((f) => f.ruleId);
      const withRole = await runCliAsync(
        args(kubeconfig, '--efs-role-arn', ROLE_ARN, '--efs-external-id', EXTERNAL_ID),
        env,
      );
      const without = await runCliAsync(args(kubeconfig), env);
      expect(withRole.code).toBe(1);
      // FS-02 (the policy only denies) and XA-05 (the cross-account file system policy does not allow the node role).
      expect(ids(withRole.stdout).sort()).toEqual(['FS-02', 'XA-05']);
      expect(ids(without.stdout)).toEqual([]);
      expect(without.stderr).toContain(`verify: not read: file system ${FS}`);
    });

    it('a wrong ExternalId fails with the AssumeRole refusal, exit 2', async () => {
      const kubeconfig = await startCrossAccount();
      const result = await runCliAsync(
        args(kubeconfig, '--efs-role-arn', ROLE_ARN, '--efs-external-id', 'not-the-id'),
        env,
      );
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/^efs-node-identity verify: access denied: .*sts:AssumeRole/);
      expect(result.stdout).toBe('');
    });

    it.each([
      ['arn:aws:iam::4444:role/x', 'is not an IAM role ARN'],
      ['arn:aws:iam::444455556666:user/x', 'is not an IAM role ARN'],
      ['arn:aws:iam::444455556666:role/x"y', 'is not an IAM role ARN'],
      ['arn:aws:iam::444455556666:role/*', 'is not an IAM role ARN'],
    ])('refuses --efs-role-arn %s before any call', async (arn, message) => {
      await start('cross-account');
      const result = await runCliAsync(['verify', '--cluster', 'prod-eks', '--efs-role-arn', arn], env);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(message);
      expect(sandbox.log.calls).toHaveLength(0);
    });

    it('refuses a malformed external ID, or one without a role, before any call', async () => {
      await start('cross-account');
      const bad = await runCliAsync(
        ['verify', '--cluster', 'prod-eks', '--efs-role-arn', ROLE_ARN, '--efs-external-id', 'a b'],
        env,
      );
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain('--efs-external-id must be');
      const alone = await runCliAsync(['verify', '--cluster', 'prod-eks', '--efs-external-id', 'abc'], env);
      expect(alone.code).toBe(2);
      expect(alone.stderr).toContain('--efs-external-id needs --efs-role-arn');
      expect(sandbox.log.calls).toHaveLength(0);
    });
  });
});
