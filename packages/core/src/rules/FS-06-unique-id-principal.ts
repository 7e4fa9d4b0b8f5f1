import { isKnown } from '../model/unknown';
import type { Rule, RuleFinding } from './rule';
import { fileSystemName, knownNodePrincipals, statementName } from './support';

/** Unique IDs of IAM roles (AROA…) and users (AIDA…), as a resource policy shows a deleted principal. */
const UNIQUE_ID = /^(AROA|AIDA)[A-Z0-9]{12,}$/;

/**
 * FS-06: a principal of a live file system policy shows as a unique ID. IAM stores resource policy principals by
 * unique ID and shows the bare ID once the role or user is deleted; a role re-created under the same name gets a
 * new ID, so it is locked out while the policy in the repository still reads correctly.
 */
export const FS06: Rule = {
  id: 'FS-06',
  severity: 'warning',
  title: 'The file system policy names a deleted role (unique ID principal)',
  requires: ['A'],
  check({ view }) {
    const findings: RuleFinding[] = [];
    const nodeRole = knownNodePrincipals(view)[0]?.principal.arn;
    for (const { fileSystem, policy } of view.fileSystemPolicies()) {
      const name = fileSystemName(fileSystem);
      if (fileSystem.type !== 'efs') continue;
      for (const statement of policy.statements) {
        const ids = [...(statement.principal?.AWS ?? []), ...(statement.notPrincipal?.AWS ?? [])].filter(
          (p): p is string => isKnown(p) && UNIQUE_ID.test(p),
        );
        for (const id of ids) {
          const kind = id.startsWith('AROA') ? 'role' : 'user';
          const effect = isKnown(statement.effect) ? statement.effect : 'unknown-effect';
          const mentionsNode = nodeRole !== undefined && (statement.principal?.AWS ?? []).includes(nodeRole);
          findings.push({
            message:
              `the file system policy of ${name}: ${effect} statement ${statementName(policy, statement)} names the ${kind} unique ID ${id} instead of an ARN: ` +
              `that ${kind} was deleted, and one re-created under the same name is a different principal, so it is locked out` +
              (effect === 'Allow' && !mentionsNode && nodeRole
                ? ` (if it was the node role, ${nodeRole} now gets "access denied by server")`
                : '') +
              (effect === 'Deny'
                ? ' (a Deny on a deleted principal no longer applies to its successor)'
                : ''),
            origin: statement.origin,
            resource: name,
            fix:
              `Write the statement again with the ARN (IAM resolves it to the current ${kind}):\n` +
              `  aws efs describe-file-system-policy --file-system-id ${name} --query Policy --output text > current.json\n` +
              `  # replace "${id}" with ${kind === 'role' && nodeRole ? `"${nodeRole}" (or the intended role's ARN)` : `the ${kind}'s ARN`}, then\n` +
              `  aws efs put-file-system-policy --file-system-id ${name} --policy file://current.json\n` +
              `Make infrastructure code re-apply the policy whenever the role is replaced (reference the role's arn attribute).`,
          });
        }
      }
    }
    return findings;
  },
};
