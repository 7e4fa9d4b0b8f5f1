import { isKnown } from '../model/unknown';
import { evaluatePolicy } from '../policy/evaluate';
import { fileSystemAllowStatement } from '../policy/generate';
import { mountContext } from '../policy/decisions';
import type { Rule, RuleFinding } from './rule';
import {
  arnOf,
  at,
  CLIENT_MOUNT,
  fileSystemName,
  mountOf,
  nodePrincipalsFor,
  statementsFor,
} from './support';

/**
 * FS-02: a file system policy exists and does not explicitly Allow the node role ClientMount. With a policy in
 * place, EFS needs an Allow for the mounting principal (rules.md, Semantics 1): a Deny-only policy fails every mount.
 */
export const FS02: Rule = {
  id: 'FS-02',
  severity: 'error',
  title: 'The file system policy does not allow the node role to mount',
  requires: ['S', 'A'],
  check({ view, config }) {
    const findings: RuleFinding[] = [];
    for (const { fileSystem, policy } of view.fileSystemPolicies()) {
      if (fileSystem.type !== 'efs') continue;
      const principals = nodePrincipalsFor(view, { fileSystem });
      const name = fileSystemName(fileSystem);
      const fsArn = arnOf(fileSystem);
      if (principals.length === 0) {
        // No node role in the files is paired with it: flag only a policy that allows ClientMount to nobody at all.
        if (statementsFor(policy, 'Allow', CLIENT_MOUNT).length > 0) continue;
        const denies = statementsFor(policy, 'Deny', CLIENT_MOUNT).length;
        findings.push({
          message:
            `the file system policy of ${name} has no Allow for elasticfilesystem:ClientMount` +
            (denies > 0 ? ` (only ${denies} Deny statement${denies > 1 ? 's' : ''})` : '') +
            `: with a policy in place EFS denies every principal it does not explicitly allow, so every mount with \`iam\` fails with "access denied by server"`,
          origin: policy.origin,
          resource: name,
          fix: fixText(config.nodeServiceAccount.name, undefined, fsArn),
        });
        continue;
      }
      const volumes = view.volumesOn(fileSystem);
      // The mounts do not depend on the principal: worked out once per file system.
      const mounts = dedupe(
        volumes.length > 0 ? volumes.map((v) => mountOf(v, fileSystem)) : [{ tls: true, iam: true }],
      );
      for (const { binding, principal: nodePrincipal } of principals) {
        // With targetRoleArn, EKS Pod Identity chains into the target role and the pods mount with its credentials
        // (EKS user guide, "Access AWS resources in another account with a target IAM role"): the file system policy
        // must allow the target role, not the association role.
        const target = binding.association?.targetRoleArn;
        const principal =
          target !== undefined && isKnown(target)
            ? { kind: 'aws' as const, arn: target, accountId: target.split(':')[4] }
            : nodePrincipal;
        for (const mount of mounts) {
          const outcome = evaluatePolicy(
            policy,
            {
              principal,
              action: CLIENT_MOUNT,
              ...(fsArn ? { resource: fsArn } : {}),
              context: mountContext({ ...mount, iam: true }, principal),
            },
            { name: 'file system policy', hasPrincipals: true },
          );
          if (outcome.allows === true) continue;
          findings.push({
            message:
              outcome.allows === 'unknown'
                ? `cannot tell whether the file system policy of ${name} allows the node role ${principal.arn} (bound at ${at(binding.origin)}) to mount: a value in it is unknown`
                : `the file system policy of ${name} does not allow the node role ${principal.arn} (bound at ${at(binding.origin)}) elasticfilesystem:ClientMount: every mount by the efs-csi-node pods fails with "access denied by server"`,
            origin: policy.origin,
            resource: name,
            trace: outcome.trace,
            undecidable: outcome.allows === 'unknown',
            fix: fixText('<cluster>', principal.arn, fsArn),
          });
          break;
        }
      }
    }
    return findings;
  },
};

function dedupe<T>(items: T[]): T[] {
  const seen = new Set<string>();
  return items.filter((i) => {
    const key = JSON.stringify(i);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function fixText(cluster: string, roleArn: string | undefined, fsArn: string | undefined): string {
  const statement =
    roleArn && fsArn && /^[0-9A-Za-z][A-Za-z0-9_-]*$/.test(cluster)
      ? fileSystemAllowStatement({ cluster, roleArn, fileSystemArn: fsArn, access: 'write' })
      : {
          Sid: 'EfsCsiNode-<cluster>',
          Effect: 'Allow',
          Principal: { AWS: roleArn ?? '<node role ARN>' },
          Action: ['elasticfilesystem:ClientMount', 'elasticfilesystem:ClientWrite'],
          Resource: fsArn ?? '<file system ARN>',
          Condition: { Bool: { 'elasticfilesystem:AccessedViaMountTarget': 'true' } },
        };
  return `Add an Allow statement for the node role to the file system policy (keep the existing statements):\n${JSON.stringify(statement, null, 2)}`;
}
