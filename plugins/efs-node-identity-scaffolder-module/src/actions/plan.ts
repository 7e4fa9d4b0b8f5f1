import type { PermissionsService } from '@backstage/backend-plugin-api';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { collectAndPlan } from '@efs-node-identity/aws';
import type { AwsAccess } from '../live/aws-access';
import { requireProvisionPermission, specFromInput, specInputSchema, type SpecInput } from './inputs';
import { planOutput } from './plan-output';

/** `efs-node-identity:plan`: the steps that would converge the live cluster to the desired node identity. */
export function createPlanAction(options: { aws: AwsAccess; permissions: PermissionsService }) {
  return createTemplateAction({
    id: 'efs-node-identity:plan',
    description:
      'Reads the live state of an EKS cluster and its EFS file systems (read-only) and plans the steps that give ' +
      'the EFS CSI node component its own IAM identity; outputs the steps and what is refused. Changes nothing.',
    supportsDryRun: true,
    examples: [
      {
        description: 'Plan a Pod Identity node role that may write to one file system',
        example: `steps:
  - id: plan
    action: efs-node-identity:plan
    name: Plan the EFS node identity
    input:
      cluster: prod-eks
      region: eu-west-1
      mode: pod-identity
      fileSystems:
        - id: fs-0a1b2c3d4e5f60718
          access: write`,
      },
    ],
    schema: {
      input: specInputSchema,
      output: {
        steps: (z) =>
          z
            .array(
              z
                .object({ kind: z.string(), title: z.string(), resource: z.string(), reason: z.string() })
                .passthrough(),
            )
            .describe('The ordered steps, each with the resource, why, and the before/after text'),
        refusals: (z) =>
          z
            .array(z.object({ resource: z.string(), reason: z.string() }))
            .describe('What the planner refuses to do (apply would stop)'),
        notes: (z) => z.array(z.string()),
        stepCount: (z) => z.number(),
      },
    },
    async handler(ctx) {
      // Validation first: nothing is read for an input the spec parser refuses.
      const { spec, accountId } = specFromInput(ctx.input as SpecInput);
      await requireProvisionPermission(
        options.permissions,
        await ctx.getInitiatorCredentials(),
        'efs-node-identity:plan',
      );
      const access = await options.aws.open(spec, accountId);
      try {
        // Planning only reads, so a dry run plans exactly as a real run does.
        const { plan } = await collectAndPlan(spec, access);
        const out = planOutput(plan);
        for (const step of out.steps) ctx.logger.info(`step: ${step.title} (${step.reason})`);
        for (const r of out.refusals) ctx.logger.warn(`refused: ${r.resource}: ${r.reason}`);
        ctx.output('steps', out.steps);
        ctx.output('refusals', out.refusals);
        ctx.output('notes', out.notes);
        ctx.output('stepCount', out.steps.length);
      } finally {
        access.destroy();
      }
    },
  });
}
