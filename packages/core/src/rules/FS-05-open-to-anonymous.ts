import type { Rule, RuleFinding } from './rule';
import { fileSystemName, isStarPrincipal, statementName } from './support';

/**
 * FS-05: an Allow to Principal "*" for client actions with no principal restriction EFS enforces. EFS enforces no
 * principal key for NFS clients, so such an Allow also admits anonymous mounts (no `iam`).
 */
export const FS05: Rule = {
  id: 'FS-05',
  severity: 'warning',
  title: 'The file system policy allows every client, anonymous ones included',
  requires: ['S', 'A'],
  check({ view }) {
    const findings: RuleFinding[] = [];
    for (const { fileSystem, policy } of view.fileSystemPolicies()) {
      if (fileSystem.type !== 'efs') continue;
      for (const statement of policy.statements) {
        if (statement.effect !== 'Allow' || !isStarPrincipal(statement)) continue;
        const client = (statement.action ?? []).filter(
          (a) => typeof a === 'string' && /^elasticfilesystem:(Client|\*)|^\*$/i.test(a),
        );
        if (client.length === 0) continue;
        const unenforced = statement.conditions.map((c) => c.key).filter((k) => /^aws:Principal/i.test(k));
        findings.push({
          message:
            `statement ${statementName(policy, statement)} of the file system policy of ${fileSystemName(fileSystem)} allows ${client.join(', ')} to Principal "*"` +
            (unenforced.length > 0
              ? `; its only principal restriction (${unenforced.join(', ')}) is a key EFS does not enforce for NFS clients`
              : ' with no principal restriction') +
            ': clients that mount without `iam` may still get access',
          origin: statement.origin,
          resource: fileSystemName(fileSystem),
          fix: 'Replace Principal "*" with the node role: "Principal": {"AWS": "<node role ARN>"}, and keep the Deny statements for insecure transport.',
        });
      }
    }
    return findings;
  },
};
