import type { Rule, RuleFinding } from './rule';
import { fileSystemName, statementName } from './support';

/**
 * Condition keys EFS evaluates for NFS clients. Any other key in a file system policy has an undefined effect on
 * mounts (rules.md, Semantics 2).
 */
export const EFS_ENFORCED_KEYS = new Set([
  'aws:securetransport',
  'elasticfilesystem:accessedviamounttarget',
  'elasticfilesystem:accesspointarn',
  'aws:sourceip',
]);

/** FS-04: an Allow or Deny in a file system policy relies on a condition key EFS does not enforce for NFS clients. */
export const FS04: Rule = {
  id: 'FS-04',
  severity: 'warning',
  title: 'The file system policy relies on a condition key EFS does not enforce',
  requires: ['S', 'A'],
  check({ view }) {
    const findings: RuleFinding[] = [];
    for (const { fileSystem, policy } of view.fileSystemPolicies()) {
      if (fileSystem.type !== 'efs') continue;
      for (const statement of policy.statements) {
        const keys = [
          ...new Set(
            statement.conditions.map((c) => c.key).filter((k) => !EFS_ENFORCED_KEYS.has(k.toLowerCase())),
          ),
        ];
        if (keys.length === 0) continue;
        findings.push({
          message:
            `statement ${statementName(policy, statement)} (${String(statement.effect)}) of the file system policy of ${fileSystemName(fileSystem)} ` +
            `relies on ${keys.join(', ')}, which EFS does not enforce for NFS clients: the condition may not restrict mounts as intended`,
          origin: statement.origin,
          resource: fileSystemName(fileSystem),
          fix:
            'Name the node role in Principal ({"AWS": "<node role ARN>"}) instead of matching aws:PrincipalArn, and restrict ' +
            'with the keys EFS enforces: aws:SecureTransport, elasticfilesystem:AccessedViaMountTarget, elasticfilesystem:AccessPointArn, aws:SourceIp.',
        });
      }
    }
    return findings;
  },
};
