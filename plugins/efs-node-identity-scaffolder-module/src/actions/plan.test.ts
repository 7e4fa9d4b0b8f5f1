import { mockCredentials } from '@backstage/backend-test-utils';
import { InputError, NotAllowedError } from '@backstage/errors';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { DENIED_USER, permissionsDenying } from '../testing/permissions';
import {
  CLUSTER,
  FS,
  openSandboxWorld,
  PLATFORM_ACCOUNT,
  REGION,
  type SandboxWorld,
} from '../testing/sandbox-world';
import { createPlanAction } from './plan';

const input = { cluster: CLUSTER, region: REGION, accountId: PLATFORM_ACCOUNT, fileSystems: [{ id: FS }] };

describe('efs-node-identity:plan', () => {
  let w: SandboxWorld;
  afterEach(async () => w?.stop());

  it('on a Deny-only file system policy plans the merge of our Allow statement, and writes nothing', async () => {
    w = await openSandboxWorld('deny-only-policy');
    const action = createPlanAction({ aws: w.aws, permissions: permissionsDenying() });
    const ctx = createMockActionContext({ input });
    await action.handler(ctx);

    const steps = (ctx.output as jest.Mock).mock.calls.find(([name]) => name === 'steps')![1];
    const merge = steps.find((s: { kind: string }) => s.kind === 'merge-file-system-policy');
    expect(merge.resource).toBe(`arn:aws:elasticfilesystem:${REGION}:${PLATFORM_ACCOUNT}:file-system/${FS}`);
    // The existing Deny stays: the merge adds our statement beside it.
    expect(merge.before).toContain('Deny');
    expect(merge.after).toContain('Deny');
    expect(merge.after).toContain('elasticfilesystem:ClientMount');
    expect(ctx.output).toHaveBeenCalledWith('refusals', []);
    expect(ctx.output).toHaveBeenCalledWith('stepCount', steps.length);
    expect(w.sandbox.log.calls.length).toBeGreaterThan(0);
    expect(w.writes()).toEqual([]);
  });

  it('refuses a malformed input with an InputError naming the field, before any call', async () => {
    w = await openSandboxWorld('deny-only-policy');
    const action = createPlanAction({ aws: w.aws, permissions: permissionsDenying() });
    const bad = [
      [{ ...input, fileSystems: [{ id: 'fs-*' }] }, /fileSystems\.0\.id: a file system ID/],
      [{ ...input, cluster: 'prod"eks' }, /cluster: an EKS cluster name/],
      [{ ...input, roleName: 'node\nrole' }, /roleName: an IAM role name/],
      [{ ...input, targetRoleArn: 'arn:aws:iam::*:role/x' }, /targetRoleArn: an IAM role ARN/],
      [{ ...input, accountId: '1111' }, /accountId: "1111" is not a 12-digit AWS account ID/],
      [{ ...input, region: 'moon-1' }, /region: an AWS region/],
    ] as const;
    for (const [value, message] of bad) {
      const ctx = createMockActionContext({ input: value as never });
      const error = await action.handler(ctx).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InputError);
      expect((error as Error).message).toMatch(message);
    }
    expect(w.sandbox.log.calls).toEqual([]);
  });

  it('refuses a user without efs-node-identity.provision before any call', async () => {
    w = await openSandboxWorld('deny-only-policy');
    const action = createPlanAction({ aws: w.aws, permissions: permissionsDenying() });
    const ctx = createMockActionContext({ input });
    ctx.getInitiatorCredentials = async () => mockCredentials.user(DENIED_USER);
    await expect(action.handler(ctx)).rejects.toThrow(NotAllowedError);
    expect(w.sandbox.log.calls).toEqual([]);
  });
});
