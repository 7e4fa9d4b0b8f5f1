import type { TraceStep } from '../model/finding';
import { isKnown, show } from '../model/unknown';
import { parseRoleArn } from '../policy/arn';
import { decideTrust } from '../policy/decisions';
import { evaluatePolicy, type ContextValue } from '../policy/evaluate';
import type { Rule, RuleFinding } from './rule';
import {
  at,
  clusterAccountOf,
  controllerRoles,
  isS3FilesVolume,
  principalsOf,
  provisionerSecretOf,
} from './support';

/**
 * XA-03: the controller cannot assume the provisioner secret's `awsRoleArn`. Driver v3 getCloud
 * (`pkg/driver/controller.go`) assumes that role with the secret's `externalId` (cloud.NewCloudWithRole); the
 * controller role's identity policy must allow sts:AssumeRole on it (examples/kubernetes/efs/cross_account_mount,
 * cross-account-assume-policy-example.json) and the role's trust must allow the cluster account
 * (trust-relationship-example.json), with the ExternalId when one is set.
 */
export const XA03: Rule = {
  id: 'XA-03',
  severity: 'error',
  title: 'The controller cannot assume the cross-account role',
  requires: ['S', 'A'],
  check({ view }) {
    const findings: RuleFinding[] = [];
    const controllers = controllerRoles(view).filter((c) => isKnown(c.arn) && parseRoleArn(c.arn));
    for (const volume of view.volumes) {
      if (isS3FilesVolume(volume)) continue;
      const clusterAccount =
        clusterAccountOf(view, volume.origin) ??
        (controllers[0] ? parseRoleArn(controllers[0].arn as string)?.accountId : undefined);
      const secret = provisionerSecretOf(view, volume)?.secret;
      const target = secret?.data.awsRoleArn;
      if (!secret || !isKnown(target) || !parseRoleArn(target)) continue;
      const externalId = secret.data.externalId;
      const where = `${volume.resource} (Secret ${show(secret.namespace)}/${show(secret.name)}, ${at(secret.origin)})`;
      const report = (
        message: string,
        origin: RuleFinding['origin'],
        trace: TraceStep[],
        undecidable: boolean,
        fix: string,
      ) =>
        findings.push({
          message,
          origin,
          resource: target,
          trace,
          fix,
          ...(undecidable ? { undecidable: true } : {}),
        });
      for (const controller of controllers) {
        const arn = controller.arn as string;
        const policies = controller.role
          ? [...controller.role.inlinePolicies, ...controller.role.managedPolicies]
          : [];
        const documents = policies.flatMap((p) => (p.document ? [{ ...p, document: p.document }] : []));
        // An AWS managed policy grants sts:AssumeRole only if it grants everything; a customer one we cannot read might.
        const unread = policies.filter(
          (p) =>
            !p.document &&
            !(
              isKnown(p.arn) &&
              /:iam::aws:policy\//.test(p.arn) &&
              !/\/(AdministratorAccess|PowerUserAccess)$/.test(p.arn)
            ),
        );
        // The controller's permissions are not in these inputs (a live role with only AWS managed policies is judged).
        if (documents.length === 0 && (policies.length === 0 || unread.length > 0)) continue;
        const outcomes = documents.map((p) =>
          evaluatePolicy(
            p.document,
            { principal: { kind: 'aws', arn }, action: 'sts:AssumeRole', resource: target, context: {} },
            { name: `identity policy ${show(p.name ?? p.arn)}`, hasPrincipals: false },
          ),
        );
        const denied = outcomes.some((o) => o.denies === true);
        const allowed = outcomes.some((o) => o.allows === true);
        if (allowed && !denied) continue;
        const undecidable = !denied && (outcomes.some((o) => o.allows === 'unknown') || unread.length > 0);
        report(
          `the controller role ${arn} (bound at ${at(controller.origin)}) ${undecidable ? 'may not be allowed' : 'is not allowed'} sts:AssumeRole on ${target}, named by ${where}: ` +
            `CreateVolume fails and every PVC of the StorageClass stays Pending` +
            (undecidable ? ' (some of its policies are not in these inputs)' : ''),
          controller.role?.origin ?? controller.origin,
          outcomes.flatMap((o) => o.trace),
          undecidable,
          `Add to the controller role's policy:\n${JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: target }] }, null, 2)}`,
        );
      }
      const targetRole = view.findRole(undefined, target);
      const caller = controllers[0]?.arn as string | undefined;
      if (!targetRole?.trustPolicy || (!caller && !clusterAccount)) continue;
      const principal = caller
        ? { kind: 'aws' as const, arn: caller }
        : { kind: 'aws' as const, arn: `arn:aws:iam::${clusterAccount}:root`, accountId: clusterAccount };
      const context: Record<string, ContextValue> = isKnown(externalId)
        ? { 'sts:externalid': externalId }
        : {};
      const trust = decideTrust({
        trustPolicy: targetRole.trustPolicy,
        principal,
        actions: ['sts:AssumeRole'],
        context,
      });
      if (trust.decision === 'allow') continue;
      // Without the controller role in the inputs, a trust naming one role of the cluster account may be that role.
      const namesClusterRole =
        !caller &&
        targetRole.trustPolicy.statements.some((st) =>
          principalsOf(st).some((p) => p.includes(`::${clusterAccount}:role/`)),
        );
      const undecidable =
        trust.decision === 'unknown' ||
        (externalId !== undefined && !isKnown(externalId)) ||
        namesClusterRole;
      report(
        `the trust policy of ${target} ${undecidable ? 'may not allow' : 'does not allow'} ${caller ? `the controller role ${caller}` : `account ${clusterAccount}`} to assume it` +
          `${externalId === undefined ? ' (the Secret sets no externalId)' : " with the Secret's externalId"}, named by ${where}: CreateVolume fails with "Unable to initialize aws cloud" / AccessDenied`,
        targetRole.trustPolicy.origin,
        trust.trace,
        undecidable,
        `Trust the cluster account in ${target}:\n${JSON.stringify({ Effect: 'Allow', Principal: { AWS: caller ?? `arn:aws:iam::${clusterAccount}:root` }, Action: 'sts:AssumeRole', ...(isKnown(externalId) ? { Condition: { StringEquals: { 'sts:ExternalId': '<externalId from the Secret>' } } } : {}) }, null, 2)}`,
      );
    }
    return findings;
  },
};
