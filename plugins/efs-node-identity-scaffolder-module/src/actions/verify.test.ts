import { InputError } from '@backstage/errors';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { permissionsDenying } from '../testing/permissions';
import { CLUSTER, FS, openSandboxWorld, REGION, type SandboxWorld } from '../testing/sandbox-world';
import { createVerifyAction } from './verify';

const outputOf = (ctx: { output: unknown }, name: string) =>
  (ctx.output as jest.Mock).mock.calls.find(([n]) => n === name)?.[1];

describe('efs-node-identity:verify', () => {
  let w: SandboxWorld;
  afterEach(async () => w?.stop());

  it('reports the rule the CLI reports for a Deny-only file system policy (FS-02), and fails when asked to', async () => {
    w = await openSandboxWorld('deny-only-policy');
    const verify = createVerifyAction({ aws: w.aws, permissions: permissionsDenying() });
    const ctx = createMockActionContext({ input: { cluster: CLUSTER, region: REGION, fileSystemIds: [FS] } });
    await verify.handler(ctx);
    const fs02 = outputOf(ctx, 'findings').find((f: { ruleId: string }) => f.ruleId === 'FS-02');
    expect(fs02).toMatchObject({ severity: 'error' });
    expect(fs02.message).toContain(FS);
    expect(outputOf(ctx, 'errorCount')).toBeGreaterThan(0);

    const failing = createMockActionContext({
      input: { cluster: CLUSTER, region: REGION, fileSystemIds: [FS], failOnError: true },
    });
    await expect(verify.handler(failing)).rejects.toThrow(/FS-02/);
    expect(w.writes()).toEqual([]);
  });

  it('finds no error on the healthy scenario', async () => {
    w = await openSandboxWorld('healthy');
    const verify = createVerifyAction({ aws: w.aws, permissions: permissionsDenying() });
    const ctx = createMockActionContext({ input: { cluster: CLUSTER, region: REGION, fileSystemIds: [FS] } });
    await verify.handler(ctx);
    expect(outputOf(ctx, 'errorCount')).toBe(0);
  });

  it('refuses a file system ID that is not one before any call', async () => {
    w = await openSandboxWorld('healthy');
    const verify = createVerifyAction({ aws: w.aws, permissions: permissionsDenying() });
    const ctx = createMockActionContext({
      input: { cluster: CLUSTER, region: REGION, fileSystemIds: ['fs-0a1b2c3d"}'] },
    });
    await expect(verify.handler(ctx)).rejects.toThrow(InputError);
    expect(w.sandbox.log.calls).toEqual([]);
  });
});
