import { mockCredentials } from '@backstage/backend-test-utils';
import { NotAllowedError } from '@backstage/errors';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { inProcessLock } from '../lock/advisory-lock';
import { DENIED_USER, permissionsDenying } from '../testing/permissions';
import {
  CLUSTER,
  FS,
  openSandboxWorld,
  PLATFORM_ACCOUNT,
  REGION,
  type SandboxWorld,
} from '../testing/sandbox-world';
import { createApplyAction } from './apply';
import { createPlanAction } from './plan';
import { createVerifyAction } from './verify';

const input = { cluster: CLUSTER, region: REGION, accountId: PLATFORM_ACCOUNT, fileSystems: [{ id: FS }] };
const outputOf = (ctx: { output: unknown }, name: string) =>
  (ctx.output as jest.Mock).mock.calls.find(([n]) => n === name)?.[1];

describe('efs-node-identity:apply', () => {
  let w: SandboxWorld;
  afterEach(async () => w?.stop());

  const actions = (world: SandboxWorld) => {
    const permissions = permissionsDenying();
    const lock = inProcessLock();
    return {
      apply: createApplyAction({
        aws: world.aws,
        permissions,
        lock: async () => lock,
        executeOptions: world.executeOptions,
      }),
      plan: createPlanAction({ aws: world.aws, permissions }),
      verify: createVerifyAction({ aws: world.aws, permissions }),
    };
  };

  it('converges a Deny-only file system policy: verify is clean and a new plan is empty', async () => {
    w = await openSandboxWorld('deny-only-policy');
    const { apply, plan, verify } = actions(w);
    const before = createMockActionContext({
      input: { cluster: CLUSTER, region: REGION, fileSystemIds: [FS] },
    });
    await verify.handler(before);
    expect(outputOf(before, 'findings').map((f: { ruleId: string }) => f.ruleId)).toContain('FS-02');

    const ctx = createMockActionContext({ input });
    await apply.handler(ctx);
    expect(outputOf(ctx, 'dryRun')).toBe(false);
    expect(outputOf(ctx, 'verifyErrors')).toEqual([]);
    const kinds = outputOf(ctx, 'steps').map((s: { kind: string }) => s.kind);
    expect(kinds).toContain('merge-file-system-policy');
    expect(outputOf(ctx, 'applied').length).toBe(kinds.length);
    // The journal holds what each write replaced: the Deny-only policy text before our merge.
    const journal = outputOf(ctx, 'journal');
    expect(journal.complete).toBe(true);
    const mergeEntry = journal.entries.find((e: { step: string }) => e.step === 'merge-file-system-policy');
    expect(mergeEntry.previous).toContain('Deny');
    expect(w.writes().map((c) => c.operation)).toContain('PutFileSystemPolicy');

    const after = createMockActionContext({
      input: { cluster: CLUSTER, region: REGION, fileSystemIds: [FS] },
    });
    await verify.handler(after);
    expect(outputOf(after, 'errorCount')).toBe(0);
    const again = createMockActionContext({ input });
    await plan.handler(again);
    expect(outputOf(again, 'steps')).toEqual([]);
  });

  it('in a dry run outputs the plan and changes nothing', async () => {
    w = await openSandboxWorld('deny-only-policy');
    const { apply } = actions(w);
    const ctx = createMockActionContext({ input });
    // createMockActionContext does not carry isDryRun over from its options: set on the context it returns.
    ctx.isDryRun = true;
    await apply.handler(ctx);
    expect(outputOf(ctx, 'dryRun')).toBe(true);
    expect(outputOf(ctx, 'steps').map((s: { kind: string }) => s.kind)).toContain('merge-file-system-policy');
    expect(outputOf(ctx, 'applied')).toEqual([]);
    expect(w.sandbox.log.calls.length).toBeGreaterThan(0);
    expect(w.writes()).toEqual([]);
  });

  it('refuses a user without efs-node-identity.provision: NotAllowedError and no call at all', async () => {
    w = await openSandboxWorld('deny-only-policy');
    const { apply } = actions(w);
    const ctx = createMockActionContext({ input });
    ctx.getInitiatorCredentials = async () => mockCredentials.user(DENIED_USER);
    const error = await apply.handler(ctx).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotAllowedError);
    expect((error as Error).message).toMatch(/efs-node-identity\.provision/);
    expect(w.writes()).toEqual([]);
    expect(w.sandbox.log.calls).toEqual([]);
    expect(ctx.output).not.toHaveBeenCalled();
  });

  it('runs the writes inside one checkpoint: a resumed task gets the stored result and calls nothing', async () => {
    w = await openSandboxWorld('deny-only-policy');
    const { apply } = actions(w);
    const stored = new Map<string, unknown>();
    // What the scaffolder does with task recovery on: a checkpoint that succeeded is not run again.
    const checkpoint = async ({ key, fn }: { key: string; fn: () => Promise<unknown> }) => {
      if (!stored.has(key)) stored.set(key, await fn());
      return stored.get(key);
    };
    const first = createMockActionContext({ input });
    first.checkpoint = checkpoint as typeof first.checkpoint;
    await apply.handler(first);
    const calls = w.sandbox.log.calls.length;
    expect(w.writes().length).toBeGreaterThan(0);

    const resumed = createMockActionContext({ input });
    resumed.checkpoint = checkpoint as typeof resumed.checkpoint;
    await apply.handler(resumed);
    expect(w.sandbox.log.calls.length).toBe(calls);
    expect(outputOf(resumed, 'applied')).toEqual(outputOf(first, 'applied'));
  });
});
