import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { evaluatePolicy, normalizePolicy, type Journal } from '@efs-node-identity/core';
import { startSandbox, type Sandbox } from '@efs-node-identity/sandbox';
import { runCli, runCliAsync, sandboxCliEnv } from './run-cli';

/**
 * Amazon S3 Files through the CLI as a user runs it: `verify`, `plan`, `apply` and `rollback` processes against the
 * sandbox's S3 Files and S3 APIs (the real @aws-sdk/client-s3files and @aws-sdk/client-s3 inside the CLI).
 */

jest.setTimeout(180_000);

const PLATFORM = '111122223333';
const S3FS = 'fs-0c1d2e3f4a5b6c7d8e9f';
const S3FS_ARN = `arn:aws:s3files:eu-west-1:${PLATFORM}:file-system/${S3FS}`;
const NODE_ROLE = 'prod-eks-efs-csi-node';
const NODE_ROLE_ARN = `arn:aws:iam::${PLATFORM}:role/${NODE_ROLE}`;
const BUCKET = 'prod-eks-media-archive';

interface JsonFinding {
  ruleId: string;
  severity: string;
  message: string;
}

describe('efs-node-identity with S3 Files file systems against the sandbox', () => {
  let sandbox: Sandbox;
  let dir: string;
  let env: Record<string, string>;
  let kubeconfig: string;

  async function start(scenario: string) {
    sandbox = await startSandbox({ scenario });
    dir = mkdtempSync(path.join(tmpdir(), 's3files-cli-'));
    ({ kubeconfig, env } = sandboxCliEnv(sandbox, dir, PLATFORM));
  }
  afterEach(async () => {
    rmSync(dir, { recursive: true, force: true });
    await sandbox.stop();
  });

  const base = () => ['--cluster', 'prod-eks', '--region', 'eu-west-1', '--kubeconfig', kubeconfig];
  const verify = async (...extra: string[]) => {
    const r = await runCliAsync(['verify', ...base(), '--format', 'json', ...extra], env);
    const findings = (JSON.parse(r.stdout) as { findings: JsonFinding[] }).findings;
    return { ...r, findings, ids: [...new Set(findings.map((f) => f.ruleId))] };
  };
  /** The sandbox's own record of what apply changes and rollback must restore. */
  const world = () => {
    const account = sandbox.state.accounts.get(PLATFORM)!;
    const role = account.iam.roles.get(NODE_ROLE)!;
    return {
      inline: Object.fromEntries([...role.inlinePolicies].sort()),
      managed: [...role.attachedPolicyArns].sort(),
      tags: Object.fromEntries([...role.tags].sort()),
      fileSystemPolicy: account.s3files.fileSystems.get(S3FS)!.policy ?? null,
      bucketPolicy: account.s3.buckets.get(BUCKET)!.policy ?? null,
    };
  };

  it('verify reports S3F-04 on s3files-bucket-deny (exit 1), from the s3files: volume alone', async () => {
    await start('s3files-bucket-deny');
    const r = await verify();
    expect(r.code).toBe(1);
    expect(r.ids).toContain('S3F-04');
    const s3f04 = r.findings.find((f) => f.ruleId === 'S3F-04')!;
    expect(s3f04).toMatchObject({ severity: 'error' });
    expect(s3f04.message).toContain(`denies the node role ${NODE_ROLE_ARN}`);
    expect(r.stderr).toMatch(/^verify: \d+ AWS calls, \d+ Kubernetes calls\n$/);
  });

  it('verify reports S3F-02 on s3files-broad-managed-policies (a warning: exit 0, or 1 with --fail-on warning)', async () => {
    await start('s3files-broad-managed-policies');
    const r = await verify('--file-system', `s3files:${S3FS}`);
    expect(r.code).toBe(0);
    expect(r.ids.filter((id) => id.startsWith('S3F-'))).toEqual(['S3F-02']);
    expect(r.findings.filter((f) => f.ruleId === 'S3F-02').map((f) => f.severity)).toEqual([
      'warning',
      'warning',
    ]);
    expect((await verify('--fail-on', 'warning')).code).toBe(1);
  });

  it('plan → apply → verify is clean; the node policy grants nothing outside the file system and bucket; rollback restores', async () => {
    await start('s3files-broad-managed-policies');
    const before = world();
    const fsFlag = ['--file-system', `s3files:${S3FS}`, '--adopt'];

    const plan = await runCliAsync(['plan', ...base(), ...fsFlag, '--format', 'json'], env);
    expect(plan.code).toBe(0);
    const steps = (JSON.parse(plan.stdout) as { steps: Array<{ kind: string; policyArn?: string }> }).steps;
    expect(steps.map((st) => st.kind)).toEqual([
      'tag-role',
      'put-role-policy',
      'detach-role-policy',
      'detach-role-policy',
      'merge-file-system-policy',
      'verify',
    ]);

    const journalFile = path.join(dir, 'journal.json');
    const apply = await runCliAsync(['apply', ...base(), ...fsFlag, '--yes', '--journal', journalFile], env);
    expect(apply.stderr).toMatch(/Detach the AWS managed policy AmazonS3FilesClientFullAccess from role/);
    expect(apply.stderr).toMatch(/Detach the AWS managed policy AmazonS3ReadOnlyAccess from role/);
    expect(apply.stderr).toMatch(/verify: 0 error\(s\), 0 other finding\(s\)/);
    expect(apply.stderr).not.toMatch(/already as wanted/);
    expect(apply.code).toBe(0);

    const after = await verify('--file-system', `s3files:${S3FS}`, '--fail-on', 'warning');
    expect(after.ids.filter((id) => id.startsWith('S3F-'))).toEqual([]);
    expect(after.findings.filter((f) => f.severity === 'error')).toEqual([]);
    const again = await runCliAsync(['plan', ...base(), ...fsFlag, '--format', 'json'], env);
    expect(JSON.parse(again.stdout)).toEqual({ steps: [], refusals: [], notes: [] });

    // What apply wrote: the scoped policy instead of the managed ones, and our Allow in the file system policy.
    const applied = world();
    expect(applied.managed).toEqual([]);
    expect(applied.bucketPolicy).toBe(before.bucketPolicy);
    const text = applied.inline[`efs-node-identity-${S3FS}`]!;
    expect(text).not.toMatch(/"\*"/);
    const node = normalizePolicy(JSON.parse(text), { kind: 'aws', arn: NODE_ROLE_ARN });
    const allows = (action: string, resource: string) =>
      evaluatePolicy(
        node,
        {
          principal: { kind: 'aws', arn: NODE_ROLE_ARN },
          action,
          resource,
          context: { 'aws:securetransport': 'true' },
        },
        { name: 'node policy', hasPrincipals: false },
      ).allows === true;
    expect(allows('s3files:ClientMount', S3FS_ARN)).toBe(true);
    expect(allows('s3:GetObject', `arn:aws:s3:::${BUCKET}/media/a.mp4`)).toBe(true);
    expect(
      allows(
        's3files:ClientMount',
        `arn:aws:s3files:eu-west-1:${PLATFORM}:file-system/fs-0bbbbbbbbbbbbbbbbbbb`,
      ),
    ).toBe(false);
    expect(allows('s3:GetObject', 'arn:aws:s3:::another-teams-bucket/media/a.mp4')).toBe(false);
    expect(allows('s3:ListBucket', 'arn:aws:s3:::another-teams-bucket')).toBe(false);
    expect(JSON.parse(applied.fileSystemPolicy!)).toMatchObject({
      Statement: [{ Sid: 'EfsCsiNode-prod-eks', Principal: { AWS: NODE_ROLE_ARN }, Resource: S3FS_ARN }],
    });

    const journal = JSON.parse(readFileSync(journalFile, 'utf8')) as Journal;
    expect(journal.entries.map((e) => e.undo.kind)).toContain('reattach-role-policy');
    const rollback = await runCliAsync(['rollback', '--journal', journalFile, '--yes'], env);
    expect(rollback.stderr).toMatch(/rollback: done/);
    expect(rollback.code).toBe(0);
    expect(world()).toEqual(before);
    expect((await verify()).ids).toContain('S3F-02');
  });

  it('refuses malformed S3 Files IDs before any call, with a usage error naming the flag', async () => {
    await start('s3files-healthy');
    for (const [command, value] of [
      ['verify', 's3files:fs-0123'],
      ['verify', 's3files:fs-0C1D2E3F4A5B6C7D8E9F'],
      ['verify', 's3:fs-0c1d2e3f4a5b6c7d8e9f'],
      ['plan', 's3files:fs-0123abcd'],
      ['plan', 's3files:fs-0c1d2e3f4a5b6c7d8e9f:admin'],
      ['apply', 's3files:"*"'],
    ] as const) {
      sandbox.log.clear();
      const r = await runCliAsync([command, ...base(), '--file-system', value], env);
      expect(`${command} ${value}: ${r.code}`).toBe(`${command} ${value}: 2`);
      // The usage error and the pointer to --help: no stack trace.
      expect(r.stderr).toMatch(
        new RegExp(
          `^efs-node-identity ${command}: .*(--file-system|fileSystems\\.0\\.id).*\\nRun efs-node-identity ${command} --help for usage\\.\\n$`,
        ),
      );
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(sandbox.log.calls).toEqual([]);
    }
  });

  it('documents the s3files: form in the help of verify and plan', () => {
    expect(runCli(['verify', '--help']).stdout).toContain('--file-system s3files:fs-…');
    expect(runCli(['plan', '--help']).stdout).toContain('--file-system s3files:fs-…[:read|write|root]');
  });
});
