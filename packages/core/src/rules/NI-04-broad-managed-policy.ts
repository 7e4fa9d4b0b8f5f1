import { isKnown, isUnknown } from '../model/unknown';
import { nodePermissionsPolicy } from '../policy/generate';
import type { Rule, RuleFinding } from './rule';
import { at, knownNodePrincipals } from './support';
import { fileSystemArnFor, MANAGED_CLIENT_GRANTS, managedName } from './identity-support';

/**
 * NI-04: an AWS managed EFS client policy on the node role grants its client actions on `Resource: "*"`: every
 * file system in the account. AmazonElasticFileSystemsUtils (CloudWatch logs for efs-utils, which the driver's docs
 * recommend) grants no client action and is not flagged.
 */
export const NI04: Rule = {
  id: 'NI-04',
  severity: 'warning',
  title: 'A broad managed EFS client policy is attached to the node role',
  requires: ['S', 'A'],
  check({ view }) {
    const findings: RuleFinding[] = [];
    const seen = new Set<string>();
    const account = knownNodePrincipals(view)[0]?.principal.accountId;
    const inScope = [...new Set(view.volumes.map((v) => v.fileSystemId).filter(isKnown))]
      .map((id) => fileSystemArnFor(view, id, account))
      .filter((arn): arn is string => !!arn && arn.includes(':elasticfilesystem:'));
    for (const binding of view.nodeRoles) {
      const role = binding.role;
      if (!role || seen.has(role.id)) continue;
      seen.add(role.id);
      const roleLabel = isKnown(role.arn)
        ? role.arn
        : isKnown(binding.arn)
          ? binding.arn
          : isKnown(role.name)
            ? role.name
            : role.id;
      const roleName = isKnown(role.name) ? role.name : '<node role name>';
      for (const policy of role.managedPolicies) {
        const name = managedName(policy);
        const origin = policy.document?.origin ?? role.origin;
        if (isUnknown(name)) {
          findings.push({
            message: `cannot tell which managed policy is attached to the node role ${roleLabel} (${at(origin)}): it is ${name.expression}`,
            origin,
            resource: roleLabel,
            undecidable: true,
          });
          continue;
        }
        const grants = name ? MANAGED_CLIENT_GRANTS[name] : undefined;
        if (!name || !grants || grants.length === 0) continue;
        findings.push({
          message:
            `the node role ${roleLabel} (${at(origin)}) has the AWS managed policy ${name}, which allows ${grants.join(', ')} on every file system in the account ` +
            `(Resource "*"): any pod scheduled with the node identity reaches all of them; grant the in-scope file systems only`,
          origin,
          resource: roleLabel,
          fix:
            `Detach it and attach a scoped policy instead:\n  aws iam detach-role-policy --role-name ${roleName} --policy-arn arn:aws:iam::aws:policy/${name}\n` +
            (inScope.length > 0
              ? `  aws iam put-role-policy --role-name ${roleName} --policy-name efs-csi-node --policy-document '${JSON.stringify(nodePermissionsPolicy({ fileSystemArns: inScope, access: 'write' }))}'`
              : `  with an inline policy allowing elasticfilesystem:ClientMount and ClientWrite on arn:aws:elasticfilesystem:<region>:<account>:file-system/fs-…`),
        });
      }
    }
    return findings;
  },
};
