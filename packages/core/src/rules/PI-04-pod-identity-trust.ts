import { isKnown } from '../model/unknown';
import { parseRoleArn } from '../policy/arn';
import type { Rule, RuleFinding } from './rule';
import { at, namesService, nodeTrusts, PODS_SERVICE } from './support';
import { globMatch } from '../policy/match';

const TRUST_FIX = `The trust policy of the node role must allow the EKS Pod Identity service both actions:
{
  "Effect": "Allow",
  "Principal": { "Service": "pods.eks.amazonaws.com" },
  "Action": ["sts:AssumeRole", "sts:TagSession"]
}`;

/**
 * PI-04: the node role's trust allows Service pods.eks.amazonaws.com both sts:AssumeRole and sts:TagSession
 * (the Pod Identity agent tags every session), and the role is in the cluster's account.
 */
export const PI04: Rule = {
  id: 'PI-04',
  severity: 'error',
  title: 'The node role does not trust EKS Pod Identity correctly',
  requires: ['S', 'A'],
  check({ view }) {
    const findings: RuleFinding[] = [];
    for (const trust of nodeTrusts(view, 'pod-identity')) {
      const statements = trust.document.statements.filter(
        (s) => s.effect === 'Allow' && namesService(s, PODS_SERVICE),
      );
      const covers = (action: string) =>
        statements.some((s) =>
          (s.action ?? []).some((a) => typeof a === 'string' && globMatch(a, action, true)),
        );
      const missing = ['sts:AssumeRole', 'sts:TagSession'].filter((a) => !covers(a));
      if (statements.length === 0) {
        findings.push({
          message: `${trust.label} is bound to the node SA through a Pod Identity association, but its trust policy does not allow Service ${PODS_SERVICE}: the Pod Identity agent cannot get credentials, and efs-utils falls back to the node instance role`,
          origin: trust.document.origin,
          resource: trust.label,
          fix: TRUST_FIX,
        });
        continue;
      }
      if (missing.length > 0) {
        findings.push({
          message: `${trust.label}: its trust policy allows ${PODS_SERVICE} but not ${missing.join(' and ')}: EKS Pod Identity needs both sts:AssumeRole and sts:TagSession, so credentials are never issued`,
          origin: statements[0].origin,
          resource: trust.label,
          fix: TRUST_FIX,
        });
      }
    }
    // The role must live in the cluster's account: Pod Identity does not assume roles in other accounts directly.
    for (const binding of view.nodeRoles) {
      if (binding.via !== 'pod-identity' || !isKnown(binding.arn)) continue;
      const roleAccount = parseRoleArn(binding.arn)?.accountId;
      const cluster = view.snapshot.clusters.find((c) => isKnown(c.accountId));
      const clusterAccount = cluster && isKnown(cluster.accountId) ? cluster.accountId : undefined;
      if (roleAccount && clusterAccount && roleAccount !== clusterAccount) {
        findings.push({
          message: `the Pod Identity association at ${at(binding.origin)} names ${binding.arn} in account ${roleAccount}, but the cluster is in account ${clusterAccount}: the association role must be in the cluster's account (use targetRoleArn for a role in another account)`,
          origin: binding.origin,
          resource: binding.arn,
          fix: 'Create the node role in the cluster account, and set targetRoleArn on the association to reach a role in the file system account.',
        });
      }
    }
    return findings;
  },
};
