import { executePlan, type Step } from '@efs-node-identity/core';
import { readScenario } from '@efs-node-identity/sandbox';
import {
  errorsAbout,
  executorPorts,
  fastOptions,
  FS,
  openWorld,
  planWorld,
  PLATFORM_ACCOUNT,
  STORAGE_ACCOUNT,
  STORAGE_FS,
  TARGET_ROLE,
  verifyWorld,
  type World,
} from './apply-harness';

/**
 * Fault injection across a full apply: for every step of a real plan, the sandbox answers that step's write with
 * throttling, a 500, or no answer at all (the socket hangs until the client's request timeout), twice; the executor
 * must get through, the live state must converge (verify has no error about the scenario's rules, a second plan is
 * empty) and nothing that was there before may be lost. Kills between steps are in apply.test.ts (in-process) and
 * packages/cli/test/apply-cli.test.ts (SIGKILL of the CLI process).
 */

jest.setTimeout(600_000);

/** The write call each step kind makes (service and operation as the sandbox's call log and faults name them). */
const WRITE_OF: Partial<Record<Step['kind'], [string, string]>> = {
  'create-role': ['iam', 'CreateRole'],
  'tag-role': ['iam', 'TagRole'],
  'update-trust': ['iam', 'UpdateAssumeRolePolicy'],
  'put-role-policy': ['iam', 'PutRolePolicy'],
  'create-pod-identity-association': ['eks', 'CreatePodIdentityAssociation'],
  'update-pod-identity-association': ['eks', 'UpdatePodIdentityAssociation'],
  'update-addon-associations': ['eks', 'UpdateAddon'],
  'merge-file-system-policy': ['elasticfilesystem', 'PutFileSystemPolicy'],
  'update-target-trust': ['iam', 'UpdateAssumeRolePolicy'],
  'restart-daemonset': ['kubernetes', 'patch daemonsets'],
  'annotate-service-account': ['kubernetes', 'patch serviceaccounts'],
};

interface Case {
  scenario: string;
  input: Parameters<typeof planWorld>[1];
  fileSystems: Array<[string, string]>;
}

const CASES: Case[] = [
  { scenario: 'deny-only-policy', input: {}, fileSystems: [[PLATFORM_ACCOUNT, FS]] },
  {
    scenario: 'cross-account',
    input: {
      fileSystems: [{ id: STORAGE_FS, accountId: STORAGE_ACCOUNT }],
      targetRoleArn: TARGET_ROLE,
      adopt: true,
    },
    fileSystems: [[STORAGE_ACCOUNT, STORAGE_FS]],
  },
  { scenario: 'wrong-irsa-sub', input: { mode: 'irsa', adopt: true }, fileSystems: [[PLATFORM_ACCOUNT, FS]] },
];

/** A statement someone else put in the file system policy before the apply: it must survive every fault. */
const OTHERS = {
  Sid: 'BackupService',
  Effect: 'Allow',
  Principal: { AWS: `arn:aws:iam::${PLATFORM_ACCOUNT}:role/backup-service` },
  Action: ['elasticfilesystem:ClientMount'],
};

function seedOthers(c: Case) {
  return (state: World['sandbox']['state']) => {
    for (const [account, id] of c.fileSystems) {
      const fs = state.accounts.get(account)!.efs.fileSystems.get(id)!;
      const policy = JSON.parse(fs.policy ?? '{"Version":"2012-10-17","Statement":[]}') as {
        Statement: unknown[];
      };
      policy.Statement.push({ ...OTHERS, Resource: fs.fileSystemArn });
      fs.policy = JSON.stringify(policy);
    }
  };
}

const FAULTS = (process.env.FAULTS?.split(',') ?? ['throttle', 'server', 'timeout']) as Array<
  'throttle' | 'server' | 'timeout'
>;

describe('faults on every step of a real plan', () => {
  let w: World | undefined;
  afterEach(async () => {
    await w?.stop();
    w = undefined;
  });

  it.each(CASES.map((c) => [c.scenario, c] as const))(
    '%s: throttling, a 500 and a hung socket on each step’s write; the apply converges and keeps what was there',
    async (_name, c) => {
      const rules = readScenario(c.scenario).rules ?? [];
      w = await openWorld(c.scenario, { seed: seedOthers(c) });
      const kinds = (await planWorld(w, c.input)).steps.map((s) => s.kind);
      await w.stop();
      w = undefined;
      const injected: string[] = [];
      for (const [index, kind] of kinds.entries()) {
        const write = WRITE_OF[kind];
        if (!write) continue;
        const [service, operation] = write;
        for (const fail of FAULTS) {
          // The Kubernetes client has no per-request timeout of ours to hit: hung sockets are an AWS-side case.
          if (fail === 'timeout' && service === 'kubernetes') continue;
          w = await openWorld(c.scenario, { seed: seedOthers(c) });
          const plan = await planWorld(w, c.input);
          expect(plan.steps[index]?.kind).toBe(kind);
          w.sandbox.faults.add({ service, operation, fail, times: 2 });
          const { ports, destroy } = executorPorts(w, 1, 500);
          let journal;
          try {
            journal = await executePlan(plan.steps, ports, {
              ...fastOptions(w),
              retry: { attempts: 10, baseMs: 5, maxMs: 50 },
            });
          } finally {
            destroy();
          }
          const label = `${c.scenario} step ${index + 1} ${kind} ${service}:${operation} ${fail}`;
          expect({ label, complete: journal.complete }).toEqual({ label, complete: true });
          // The fault really hit that call.
          const hit = w.sandbox.log.calls.filter(
            (call) => call.service === service && call.operation === operation && call.status !== 200,
          );
          expect({ label, hit: hit.length > 0 }).toEqual({ label, hit: true });
          w.sandbox.faults.clear();
          expect({
            label,
            errors: errorsAbout(
              await verifyWorld(
                w,
                c.fileSystems.map(([, id]) => id),
              ),
              rules,
            ),
          }).toEqual({
            label,
            errors: [],
          });
          expect({ label, steps: (await planWorld(w, c.input)).steps }).toEqual({ label, steps: [] });
          for (const [account, id] of c.fileSystems) {
            const text = w.sandbox.state.accounts.get(account)!.efs.fileSystems.get(id)!.policy ?? '';
            expect({ label, kept: text.includes('BackupService') }).toEqual({ label, kept: true });
          }
          injected.push(label);
          await w.stop();
          w = undefined;
        }
      }
      expect(injected.length).toBeGreaterThan(0);
    },
  );
});
