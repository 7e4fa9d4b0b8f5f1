import type { PermissionsService } from '@backstage/backend-plugin-api';
import type { JsonObject } from '@backstage/types';
import { ConflictError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  clusterAccountOf,
  collectAndPlan,
  liveExecutorPorts,
  planNeedsKube,
  verifyLive,
} from '@efs-node-identity/aws';
import { ExecutionError, executePlan, type ExecuteOptions, type LockFn } from '@efs-node-identity/core';
import type { AwsAccess } from '../live/aws-access';
import { requireProvisionPermission, specFromInput, specInputSchema, type SpecInput } from './inputs';
import { findingOutput, planOutput } from './plan-output';

/** What the apply checkpoint stores: the result of one whole plan-execute-verify, as JSON. */
interface ApplyResult {
  applied: string[];
  journal: JsonObject;
  verifyErrors: Array<ReturnType<typeof findingOutput>>;
}

/**
 * `efs-node-identity:apply`: plans as `efs-node-identity:plan` does, then runs the steps with the core executor (the
 * same one `efs-node-identity apply` runs) and verifies the result.
 */
export function createApplyAction(options: {
  aws: AwsAccess;
  permissions: PermissionsService;
  /** Serialises the writers of one shared policy across replicas (PostgreSQL advisory locks). */
  lock: () => Promise<LockFn>;
  /** Executor tuning (waits, retries); tests move the sandbox clock with it. */
  executeOptions?: Pick<ExecuteOptions, 'sleep' | 'now' | 'pollMs' | 'retry' | 'associationSettleMs'>;
}) {
  return createTemplateAction({
    id: 'efs-node-identity:apply',
    description:
      'Plans the EFS CSI node identity over the live state, then applies the steps (IAM role and policies, Pod ' +
      'Identity association or IRSA annotation, file system policy merged by Sid, node DaemonSet restart) and ' +
      'verifies. Needs the efs-node-identity.provision permission. In a dry run it outputs the plan and changes nothing.',
    supportsDryRun: true,
    examples: [
      {
        description: 'Give the EFS CSI node component of prod-eks its own role through EKS Pod Identity',
        example: `steps:
  - id: apply
    action: efs-node-identity:apply
    name: Apply the EFS node identity
    input:
      cluster: prod-eks
      region: eu-west-1
      accountId: "111122223333"
      fileSystems:
        - id: fs-0a1b2c3d4e5f60718
          access: write`,
      },
      {
        description: 'IRSA with a chosen role name, read-only access to two file systems',
        example: `steps:
  - id: apply
    action: efs-node-identity:apply
    input:
      cluster: prod-eks
      region: eu-west-1
      mode: irsa
      roleName: prod-eks-efs-node
      fileSystems:
        - id: fs-0a1b2c3d4e5f60718
          access: read
        - id: fs-0c7d8e9f0a1b2c3d4
          access: read`,
      },
    ],
    schema: {
      input: specInputSchema,
      output: {
        steps: (z) =>
          z
            .array(z.object({ kind: z.string(), title: z.string(), resource: z.string() }).passthrough())
            .describe('The planned steps (in a dry run: what would be applied)'),
        applied: (z) => z.array(z.string()).describe('Titles of the steps that were run'),
        journal: (z) =>
          z
            .record(z.unknown())
            .optional()
            .describe(
              'The executor journal: the value each step read right before it wrote (for a rollback)',
            ),
        verifyErrors: (z) =>
          z
            .array(z.object({ ruleId: z.string(), severity: z.string(), message: z.string() }).passthrough())
            .describe('Error findings of the verify after the apply (empty: converged)'),
        dryRun: (z) => z.boolean(),
      },
    },
    async handler(ctx) {
      const { spec, accountId } = specFromInput(ctx.input as SpecInput);
      // Before any AWS call, dry run included: a plan reads the account on the user's behalf.
      await requireProvisionPermission(
        options.permissions,
        await ctx.getInitiatorCredentials(),
        'efs-node-identity:apply',
      );

      if (ctx.isDryRun) {
        const access = await options.aws.open(spec, accountId);
        try {
          const { plan } = await collectAndPlan(spec, access);
          const out = planOutput(plan);
          for (const step of out.steps) ctx.logger.info(`dry run: would ${step.title}`);
          for (const r of out.refusals) ctx.logger.warn(`dry run: refused: ${r.resource}: ${r.reason}`);
          ctx.output('steps', out.steps);
          ctx.output('applied', []);
          ctx.output('verifyErrors', []);
          ctx.output('dryRun', true);
        } finally {
          access.destroy();
        }
        return;
      }

      // The whole read-plan-write-verify is one checkpoint: a task resumed after it finished (task recovery on)
      // returns the stored result without calling AWS again. A task that crashed inside it runs it again, which
      // plans from the live state: what the first run wrote reads as done and is not written twice.
      const lock = await options.lock();
      const result = (await ctx.checkpoint<JsonObject>({
        key: `efs-node-identity-apply-${spec.cluster}-${spec.region}`,
        fn: async (): Promise<JsonObject> => {
          const access = await options.aws.open(spec, accountId);
          try {
            const { plan, collected } = await collectAndPlan(spec, access);
            const out = planOutput(plan);
            ctx.output('steps', out.steps);
            if (plan.refusals.length > 0) {
              throw new ConflictError(
                `efs-node-identity:apply refused, nothing was changed: ${out.refusals
                  .map((r) => `${r.resource}: ${r.reason}`)
                  .join('; ')}`,
              );
            }
            if (plan.steps.length === 0) {
              ctx.logger.info('nothing to change: the live state already matches');
              return {
                applied: [],
                journal: {},
                verifyErrors: [],
              } satisfies ApplyResult as unknown as JsonObject;
            }
            const ports = liveExecutorPorts({
              ports: access.ports,
              others: access.others,
              otherAccountIds: access.otherAccountIds,
              account: clusterAccountOf(collected, spec.cluster),
              cluster: spec.cluster,
              ...(planNeedsKube(plan) ? { kube: await access.kubePort() } : {}),
            });
            const applied: string[] = [];
            let verifyErrors: ApplyResult['verifyErrors'] = [];
            try {
              const journal = await executePlan(plan.steps, ports, {
                ...options.executeOptions,
                meta: { cluster: spec.cluster, region: spec.region },
                lock,
                onProgress: (e) => {
                  const head = `[${e.index + 1}/${e.total}]`;
                  if (e.phase === 'start') ctx.logger.info(`${head} ${e.step.title}`);
                  else if (e.phase === 'done' || e.phase === 'unchanged') {
                    applied.push(e.step.title);
                    ctx.logger.info(
                      `${head} ${e.phase === 'done' ? 'done' : 'already as wanted'}${e.message ? `: ${e.message}` : ''}`,
                    );
                  } else ctx.logger.info(`${head} ${e.phase}${e.message ? `: ${e.message}` : ''}`);
                },
                verify: async () => {
                  const { findings } = await verifyLive(
                    {
                      cluster: spec.cluster,
                      region: spec.region,
                      fileSystemIds: spec.fileSystems.map((f) => f.id),
                    },
                    access,
                  );
                  verifyErrors = findings.filter((f) => f.severity === 'error').map(findingOutput);
                  for (const f of verifyErrors) ctx.logger.warn(`verify: ${f.ruleId}: ${f.message}`);
                  return `verify: ${verifyErrors.length} error(s), ${findings.length - verifyErrors.length} other finding(s)`;
                },
              });
              // The journal is plain data; through JSON it is a JsonObject as the checkpoint stores it.
              const stored: ApplyResult = {
                applied,
                journal: JSON.parse(JSON.stringify(journal)),
                verifyErrors,
              };
              return stored as unknown as JsonObject;
            } catch (error) {
              if (error instanceof ExecutionError) {
                ctx.logger.error(`journal of the failed apply: ${JSON.stringify(error.journal)}`);
                throw new Error(
                  `${error.message}; run the template again to converge (each step re-reads what it changes), or roll back with the journal in the task log`,
                  { cause: error },
                );
              }
              throw error;
            }
          } finally {
            access.destroy();
          }
        },
      })) as unknown as ApplyResult;
      ctx.output('applied', result.applied);
      ctx.output('journal', result.journal);
      ctx.output('verifyErrors', result.verifyErrors);
      ctx.output('dryRun', false);
      if (result.verifyErrors.length > 0) {
        throw new Error(
          `applied, but verify reports ${result.verifyErrors.length} error(s): ${result.verifyErrors
            .map((f) => f.ruleId)
            .join(', ')}`,
        );
      }
    },
  });
}
