import { isUnknown, unknown } from '../model/unknown';
import { accountOfArn } from '../policy/arn';
import { decideTrust, podIdentityContext } from '../policy/decisions';
import { evaluatePolicy } from '../policy/evaluate';
import type { Rule, RuleFinding } from './rule';
import { at, knownNodePrincipals } from './support';
import { describeAssociation } from './identity-support';

/**
 * PI-11: with `targetRoleArn`, EKS Pod Identity assumes the association role, then the target role with it (role
 * chaining, session tags passed on, the association's external ID in `sts:ExternalId`). The target's trust must
 * allow the association role sts:AssumeRole and sts:TagSession, and, across accounts, the association role's
 * identity policy must allow sts:AssumeRole on the target.
 */
export const PI11: Rule = {
  id: 'PI-11',
  severity: 'error',
  title: 'The association role cannot assume the target role',
  requires: ['S', 'A'],
  check({ view }) {
    const findings: RuleFinding[] = [];
    const sa = view.nodeServiceAccount;
    for (const { binding, principal } of knownNodePrincipals(view)) {
      const association = binding.association;
      if (!association || association.targetRoleArn === undefined) continue;
      const target = association.targetRoleArn;
      const base = { origin: association.origin, resource: principal.arn };
      if (isUnknown(target)) {
        findings.push({
          ...base,
          undecidable: true,
          message: `cannot check the target role of the ${describeAssociation(association)}: targetRoleArn is ${target.expression}`,
        });
        continue;
      }
      const context = {
        ...podIdentityContext({
          namespace: sa.namespace,
          serviceAccount: sa.name,
          sessionTags: association.disableSessionTags !== true,
        }),
        // Live input carries the external ID EKS generated for the association; files never do.
        'sts:externalid':
          association.externalId ?? unknown('the external ID EKS generates for the association'),
      };
      const targetRole = view.findRole(undefined, target);
      if (targetRole?.trustPolicy) {
        const trust = decideTrust({
          trustPolicy: targetRole.trustPolicy,
          principal,
          actions: ['sts:AssumeRole', 'sts:TagSession'],
          context,
        });
        if (trust.decision !== 'allow') {
          const missing = Object.entries(trust.perAction)
            .filter(([, d]) => d !== 'allow')
            .map(([a]) => a);
          findings.push({
            ...base,
            origin: targetRole.trustPolicy.origin,
            undecidable: trust.decision === 'unknown',
            trace: trust.trace,
            message:
              trust.decision === 'unknown'
                ? `cannot tell whether the trust policy of the target role ${target} (${at(targetRole.trustPolicy.origin)}) lets ${principal.arn} assume it: a value is unknown (e.g. the association's external ID)`
                : `the trust policy of the target role ${target} (${at(targetRole.trustPolicy.origin)}) does not allow the association role ${principal.arn} ${missing.join(' and ')}: ` +
                  `EKS Pod Identity cannot chain into the target role, so the efs-csi-node pods get no credentials and efs-utils falls back to the node instance role`,
            fix: `Add to the trust policy of ${target}:\n${JSON.stringify({ Effect: 'Allow', Principal: { AWS: principal.arn }, Action: ['sts:AssumeRole', 'sts:TagSession'] }, null, 2)}`,
          });
        }
      }
      const crossAccount = accountOfArn(target) !== undefined && accountOfArn(target) !== principal.accountId;
      const policies = binding.role ? view.identityPoliciesOf(binding.role) : [];
      if (!crossAccount || policies.length === 0) continue;
      const outcomes = policies.map((p) =>
        evaluatePolicy(
          p.document,
          { principal, action: 'sts:AssumeRole', resource: target, context: {} },
          { name: p.name, hasPrincipals: false },
        ),
      );
      const allows = outcomes.some((o) => o.allows === true);
      const denies = outcomes.some((o) => o.denies === true);
      const open = outcomes.some((o) => o.allows === 'unknown' || o.denies === 'unknown');
      if (allows && !denies) continue;
      findings.push({
        ...base,
        origin: policies[0].document.origin,
        undecidable: !denies && open,
        trace: outcomes.flatMap((o) => o.trace),
        message:
          !denies && open
            ? `cannot tell whether the association role ${principal.arn} may sts:AssumeRole ${target}: a value in its policies is unknown`
            : `the association role ${principal.arn} (${at(binding.origin)}) may not sts:AssumeRole the target role ${target} in account ${accountOfArn(target)}: ` +
              `a cross-account assume needs an Allow in the caller's identity policy too, so the efs-csi-node pods get no credentials`,
        fix: `Add to an identity policy of ${principal.arn}:\n${JSON.stringify({ Effect: 'Allow', Action: ['sts:AssumeRole', 'sts:TagSession'], Resource: target }, null, 2)}`,
      });
    }
    return findings;
  },
};
