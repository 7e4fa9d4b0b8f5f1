import { evaluatePolicy } from '../policy/evaluate';
import { mountContext } from '../policy/decisions';
import type { Rule, RuleFinding } from './rule';
import {
  arnOf,
  CLIENT_ROOT,
  fileSystemName,
  isStarPrincipal,
  nodePrincipalsFor,
  statementName,
  statementsFor,
} from './support';

/**
 * FS-08: ClientRootAccess granted to the node role where no volume needs root. Volumes through access points run
 * as the access point's POSIX user, so root access only widens what a compromised node can do.
 */
export const FS08: Rule = {
  id: 'FS-08',
  severity: 'warning',
  title: 'The node role has root access it does not need',
  requires: ['S', 'A'],
  check({ view }) {
    const findings: RuleFinding[] = [];
    for (const { fileSystem, policy } of view.fileSystemPolicies()) {
      if (fileSystem.type !== 'efs') continue;
      const principals = nodePrincipalsFor(view, { fileSystem });
      const volumes = view.volumesOn(fileSystem);
      if (volumes.some((v) => !v.usesAccessPoint)) continue;
      const name = fileSystemName(fileSystem);
      const why =
        volumes.length === 0
          ? 'no volume in these files needs it'
          : `every volume on it (${volumes.map((v) => v.resource).join(', ')}) uses an access point`;
      if (principals.length > 0) {
        for (const { principal } of principals) {
          const fsArn = arnOf(fileSystem);
          const outcome = evaluatePolicy(
            policy,
            {
              principal,
              action: CLIENT_ROOT,
              ...(fsArn ? { resource: fsArn } : {}),
              context: mountContext({ tls: true, iam: true }, principal),
            },
            { name: 'file system policy', hasPrincipals: true },
          );
          if (outcome.allows !== true) continue;
          findings.push({
            message: `the file system policy of ${name} grants ClientRootAccess to the node role ${principal.arn}, but ${why}`,
            origin: policy.origin,
            resource: name,
            trace: outcome.trace,
            fix: 'Remove elasticfilesystem:ClientRootAccess from the Allow statement for the node role.',
          });
        }
        continue;
      }
      for (const statement of statementsFor(policy, 'Allow', CLIENT_ROOT)) {
        if (!(statement.action ?? []).some((a) => typeof a === 'string' && /ClientRootAccess/i.test(a)))
          continue;
        findings.push({
          message:
            `statement ${statementName(policy, statement)} of the file system policy of ${name} grants ClientRootAccess` +
            `${isStarPrincipal(statement) ? ' (Principal "*")' : ''}, but ${why}`,
          origin: statement.origin,
          resource: name,
          fix: 'Remove elasticfilesystem:ClientRootAccess unless a volume mounts without an access point and needs root.',
        });
      }
    }
    return findings;
  },
};
