import { isKnown, isUnknown, show } from '../model/unknown';
import type { Rule, RuleFinding } from './rule';
import { managedPolicyName, nodeInstanceRoles, roleLabel } from './support';

/**
 * NR-01: a node instance role carries more than the worker node policies. Every pod on the node can use the
 * instance role through IMDS, and efs-utils falls back to it when the dedicated identity fails (aws/efs-utils
 * `aws_credentials.py` credential chain), so extra permissions there widen what every pod can do. The baseline is
 * config.allowlists.nodeInstanceRolePolicies (AmazonEKSWorkerNodePolicy or …MinimalPolicy, AmazonEKS_CNI_Policy,
 * AmazonEC2ContainerRegistryReadOnly or …PullOnly by default), matched by name or ARN.
 */
export const NR01: Rule = {
  id: 'NR-01',
  severity: 'warning',
  title: 'A node instance role carries more than the worker node policies',
  requires: ['S', 'A'],
  check({ view, config }) {
    const findings: RuleFinding[] = [];
    const allowed = config.allowlists.nodeInstanceRolePolicies;
    const isAllowed = (arn: string | undefined, name: string | undefined) =>
      allowed.some((entry) => entry === arn || entry === name);
    for (const role of nodeInstanceRoles(view)) {
      const extra: string[] = [];
      const unknownNames: string[] = [];
      for (const policy of role.managedPolicies) {
        const name = managedPolicyName(policy);
        if (name === undefined || isUnknown(name)) {
          unknownNames.push(show(name ?? policy.arn));
          continue;
        }
        if (!isAllowed(isKnown(policy.arn) ? policy.arn : undefined, name))
          extra.push(`managed policy ${name}`);
      }
      for (const policy of role.inlinePolicies)
        extra.push(`inline policy ${show(policy.name ?? '(unnamed)')}`);
      const label = roleLabel(role);
      if (extra.length > 0) {
        findings.push({
          message:
            `the node instance role ${label} carries ${extra.join(', ')} beyond the worker node baseline (${allowed.join(', ')}): every pod on these nodes ` +
            `can use those permissions through the instance metadata service, and efs-utils silently falls back to them when the dedicated node identity fails`,
          origin: role.origin,
          resource: label,
          fix:
            `Detach the extra policies from ${label} and grant what workloads need through their own Pod Identity or IRSA roles ` +
            `(or add a policy to allowlists.nodeInstanceRolePolicies in .efs-node-identity.yaml if it must stay).`,
        });
      }
      if (unknownNames.length > 0) {
        findings.push({
          message: `the node instance role ${label} has managed policies that are unknown (${unknownNames.join(', ')}): cannot tell whether they exceed the worker node baseline`,
          origin: role.origin,
          resource: label,
          undecidable: true,
        });
      }
    }
    return findings;
  },
};
