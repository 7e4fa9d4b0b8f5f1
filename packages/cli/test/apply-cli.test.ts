import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runCliAsync, sandboxCliEnv } from './run-cli';
import { canonicalJson, type Journal } from '@efs-node-identity/core';
import { newRole, startSandbox, type Sandbox } from '@efs-node-identity/sandbox';

/**
 * `apply` and `rollback` as processes against a sandbox started here (asynchronous spawn: the sandbox answers from
 * this event loop), including 20 apply processes at once.
 */

jest.setTimeout(180_000);

const PLATFORM = '111122223333';
const STORAGE = '444455556666';
const FS = 'fs-0a1b2c3d4e5f60718';
const STORAGE_FS = 'fs-0c7d8e9f0a1b2c3d4';
const READER = `arn:aws:iam::${STORAGE}:role/efs-node-identity-writer`;

describe('efs-node-identity apply / rollback against the sandbox', () => {
  let sandbox: Sandbox;
  let dir: string;
  let env: Record<string, string>;
  let kubeconfig: string;

  async function start(scenario: string, seed?: (state: Sandbox['state']) => void) {
    sandbox = await startSandbox({ scenario, ...(seed ? { seed } : {}) });
    dir = mkdtempSync(path.join(tmpdir(), 'apply-cli-'));
    ({ kubeconfig, env } = sandboxCliEnv(sandbox, dir, PLATFORM));
  }
  afterEach(async () => {
    rmSync(dir, { recursive: true, force: true });
    await sandbox.stop();
  });

  const base = () => ['--cluster', 'prod-eks', '--region', 'eu-west-1', '--kubeconfig', kubeconfig];
  const fsPolicy = (account: string, id: string) =>
    canonicalJson(sandbox.state.accounts.get(account)!.efs.fileSystems.get(id)!.policy ?? null);

  it('without --yes and without a terminal: refused with exit 2 and a pointer to --yes; nothing changed', async () => {
    await start('deny-only-policy');
    const before = fsPolicy(PLATFORM, FS);
    const r = await runCliAsync(['apply', ...base(), '--file-system', FS], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/pass --yes/);
    expect(fsPolicy(PLATFORM, FS)).toBe(before);
  });

  it('deny-only-policy: apply --yes (progress per step, journal), a second plan is empty, rollback restores the policy text', async () => {
    await start('deny-only-policy');
    const before = fsPolicy(PLATFORM, FS);
    const journal = path.join(dir, 'journal.json');
    const r = await runCliAsync(
      ['apply', ...base(), '--file-system', FS, '--yes', '--journal', journal],
      env,
    );
    expect(r.stderr).toMatch(/\[1\/2\] Merge the policy of fs-0a1b2c3d4e5f60718/);
    expect(r.stderr).toMatch(/verify: 0 error\(s\)/);
    expect(r.code).toBe(0);
    // Credentials never appear in what the command prints.
    expect(`${r.stdout}${r.stderr}`).not.toContain(env.AWS_SECRET_ACCESS_KEY);
    const j = JSON.parse(readFileSync(journal, 'utf8')) as Journal;
    expect(j.complete).toBe(true);
    expect(j.entries[0]).toMatchObject({
      step: 'merge-file-system-policy',
      undo: { kind: 'unmerge-file-system-policy' },
    });
    expect(canonicalJson(j.entries[0]!.previous as string)).toBe(before);
    const plan = await runCliAsync(['plan', ...base(), '--file-system', FS, '--format', 'json'], env);
    expect(JSON.parse(plan.stdout).steps).toEqual([]);

    const noTty = await runCliAsync(['rollback', '--journal', journal], env);
    expect(noTty.code).toBe(2);
    expect(noTty.stderr).toMatch(/pass --yes/);
    const rb = await runCliAsync(
      ['rollback', '--journal', journal, '--yes', '--kubeconfig', kubeconfig],
      env,
    );
    expect(rb.stderr).toMatch(/rollback: done/);
    expect(rb.code).toBe(0);
    expect(fsPolicy(PLATFORM, FS)).toBe(before);
  });

  it('wrong-irsa-sub --mode irsa --adopt: apply fixes the trust, verify is clean, rollback restores it', async () => {
    await start('wrong-irsa-sub');
    const trust = () =>
      canonicalJson(
        sandbox.state.accounts.get(PLATFORM)!.iam.roles.get('prod-eks-efs-csi-node')!
          .assumeRolePolicyDocument,
      );
    const before = trust();
    expect(before).toContain('efs-csi-controller-sa');
    const journal = path.join(dir, 'j.json');
    const args = [...base(), '--file-system', FS, '--mode', 'irsa', '--adopt'];
    const r = await runCliAsync(['apply', ...args, '--yes', '--journal', journal], env);
    expect(r.stderr).toMatch(/verify: 0 error\(s\)/);
    expect(r.code).toBe(0);
    // The trust now names the node SA, not the controller's.
    expect(trust()).toContain('system:serviceaccount:kube-system:efs-csi-node-sa');
    expect(trust()).not.toBe(before);
    expect(JSON.parse((await runCliAsync(['plan', ...args, '--format', 'json'], env)).stdout).steps).toEqual(
      [],
    );
    const rb = await runCliAsync(
      ['rollback', '--journal', journal, '--yes', '--kubeconfig', kubeconfig],
      env,
    );
    expect(rb.code).toBe(0);
    expect(trust()).toBe(before);
  });

  it('cross-account with a target role: a kill after 2 steps, then apply again converges; rollback of both runs restores', async () => {
    await start('cross-account', (state) => {
      const role = newRole(
        STORAGE,
        'efs-node-identity-writer',
        JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { AWS: `arn:aws:iam::${PLATFORM}:root` },
              Action: 'sts:AssumeRole',
            },
          ],
        }),
      );
      state.accounts.get(STORAGE)!.iam.roles.set(role.roleName, role);
    });
    const before = fsPolicy(STORAGE, STORAGE_FS);
    const args = [
      ...base(),
      '--file-system',
      STORAGE_FS,
      '--target-role-arn',
      `arn:aws:iam::${STORAGE}:role/prod-eks-efs-provisioner`,
      '--adopt',
      '--efs-role-arn',
      READER,
    ];
    const j1 = path.join(dir, 'j1.json');
    const j2 = path.join(dir, 'j2.json');
    const killed = await runCliAsync(
      ['apply', ...args, '--yes', '--journal', j1, '--stop-after-steps', '2'],
      env,
    );
    expect(killed.code).toBe(2);
    expect((JSON.parse(readFileSync(j1, 'utf8')) as Journal).entries).toHaveLength(2);
    const r = await runCliAsync(['apply', ...args, '--yes', '--journal', j2], env);
    expect(r.stderr).toMatch(/verify: 0 error\(s\)/);
    expect(r.code).toBe(0);
    expect(JSON.parse((await runCliAsync(['plan', ...args, '--format', 'json'], env)).stdout).steps).toEqual(
      [],
    );
    for (const j of [j2, j1]) {
      const rb = await runCliAsync(
        ['rollback', '--journal', j, '--yes', '--kubeconfig', kubeconfig, '--efs-role-arn', READER],
        env,
      );
      expect(rb.stderr).toMatch(/rollback: done/);
    }
    expect(fsPolicy(STORAGE, STORAGE_FS)).toBe(before);
  });

  it('hostile input is refused before any call', async () => {
    await start('healthy');
    const calls = () => sandbox.log.calls.length;
    const before = calls();
    for (const bad of [
      ['--cluster', 'prod"eks'],
      ['--cluster', 'prod-eks', '--role-name', 'a*b'],
      ['--cluster', 'prod-eks', '--target-role-arn', 'arn:aws:iam::1:role/x'],
      ['--cluster', 'prod-eks', '--file-system', 'fs-XYZ'],
      ['--cluster', 'prod-eks\nother'],
    ]) {
      const r = await runCliAsync(
        ['apply', '--region', 'eu-west-1', '--file-system', FS, ...bad, '--yes'],
        env,
      );
      expect(r.code).toBe(2);
    }
    expect(calls()).toBe(before);
  });

  it('SIGKILL in the middle of an apply (at the start of the file system merge, maybe holding its lock): the journal on disk is whole, and apply again converges without waiting for a stale lock', async () => {
    await start('wrong-irsa-sub');
    const journal = path.join(dir, 'k.json');
    const args = [...base(), '--file-system', FS, '--mode', 'irsa', '--role-name', 'prod-eks-efs-node-irsa'];
    const killed = await runCliAsync(
      ['apply', ...args, '--yes', '--journal', journal],
      env,
      /\[3\/\d+\] Merge/,
    );
    expect(killed.code).toBeNull();
    const j = JSON.parse(readFileSync(journal, 'utf8')) as Journal;
    expect(j.complete).toBe(false);
    expect(j.entries.length).toBeGreaterThanOrEqual(2);
    // The killed holder's lock file (if any) names a dead pid and is taken over at once (lock.test.ts proves that
    // without timing anything); here the re-run must simply converge.
    const r = await runCliAsync(['apply', ...args, '--yes', '--journal', path.join(dir, 'k2.json')], env);
    expect(r.stderr).toMatch(/verify: 0 error\(s\)/);
    expect(r.code).toBe(0);
    expect(JSON.parse((await runCliAsync(['plan', ...args, '--format', 'json'], env)).stdout).steps).toEqual(
      [],
    );
  });

  it('20 apply processes at once, 20 file systems on one shared role: all 20 inline policies and statements present', async () => {
    const ids = Array.from({ length: 20 }, (_, i) => `fs-0e00000000000${String(i).padStart(4, '0')}`);
    await start('healthy', (state) => {
      const efs = state.accounts.get(PLATFORM)!.efs;
      const model = efs.fileSystems.get(FS)!;
      for (const id of ids) {
        efs.fileSystems.set(id, {
          ...model,
          fileSystemId: id,
          fileSystemArn: model.fileSystemArn.replace(FS, id),
          creationToken: id,
          name: id,
          tags: {},
          policy: undefined,
        } as typeof model);
      }
    });
    const results = await Promise.all(
      ids.map((id) =>
        runCliAsync(
          [
            'apply',
            ...base(),
            '--file-system',
            id,
            '--adopt',
            '--yes',
            '--journal',
            path.join(dir, `${id}.json`),
          ],
          env,
        ),
      ),
    );
    for (const r of results) expect(r.code).toBe(0);
    const role = sandbox.state.accounts.get(PLATFORM)!.iam.roles.get('prod-eks-efs-csi-node')!;
    for (const id of ids) {
      expect([...role.inlinePolicies.keys()]).toContain(`efs-node-identity-${id}`);
      expect(sandbox.state.accounts.get(PLATFORM)!.efs.fileSystems.get(id)!.policy).toMatch(
        /EfsCsiNode-prod-eks/,
      );
    }
  });
});
