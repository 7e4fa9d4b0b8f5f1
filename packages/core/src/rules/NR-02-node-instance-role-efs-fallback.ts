import { isKnown } from '../model/unknown';
import { mountContext } from '../policy/decisions';
import { evaluatePolicy } from '../policy/evaluate';
import type { Rule, RuleFinding } from './rule';
import {
  arnOf,
  at,
  CLIENT_MOUNT,
  fileSystemName,
  managedPolicyName,
  nodeInstanceRoles,
  principalsOf,
  roleLabel,
} from './support';

/** AWS managed policies that grant EFS client actions (their documents are not in static inputs). */
const CLIENT_MANAGED_POLICIES = [
  'AmazonElasticFileSystemClientFullAccess',
  'AmazonElasticFileSystemClientReadWriteAccess',
  'AmazonElasticFileSystemClientReadOnlyAccess',
  'AdministratorAccess',
  'PowerUserAccess',
];

/**
 * NR-02: a node instance role still grants EFS client actions while a dedicated node identity is configured.
 * efs-utils walks a credential chain and falls back to the instance role on every failure of Pod Identity / IRSA
 * (aws/efs-utils `aws_credentials.py`), so a broken dedicated identity goes unnoticed: mounts keep working on the
 * instance role until it loses the permission, and then fail everywhere at once. Grants counted: client managed
 * policies, identity policies, and file system policy Allows that name the instance role (docs/rules/NR-02.md).
 */
export const NR02: Rule = {
  id: 'NR-02',
  severity: 'warning',
  title: 'The node instance role still grants EFS client access next to a dedicated node identity',
  requires: ['S', 'A'],
  check({ view }) {
    const findings: RuleFinding[] = [];
    if (view.nodeRoles.length === 0) return findings;
    const dedicated = view.nodeRoles[0];
    const fsArns = view.snapshot.fileSystems
      .filter((f) => f.type === 'efs')
      .map(arnOf)
      .filter((a): a is string => !!a);
    for (const role of nodeInstanceRoles(view)) {
      const label = roleLabel(role);
      const grants: string[] = [];
      const trace: NonNullable<RuleFinding['trace']> = [];
      for (const policy of role.managedPolicies) {
        const name = managedPolicyName(policy);
        if (isKnown(name) && CLIENT_MANAGED_POLICIES.includes(name) && !policy.document)
          grants.push(`managed policy ${name}`);
      }
      const principal = {
        kind: 'aws' as const,
        arn: isKnown(role.arn) ? role.arn : `arn:aws:iam::000000000000:role/${String(role.name)}`,
      };
      for (const policy of [...role.inlinePolicies, ...role.managedPolicies]) {
        if (!policy.document) continue;
        const name = `identity policy ${isKnown(policy.name) ? policy.name : isKnown(policy.arn) ? policy.arn : '(unnamed)'}`;
        // Without file system ARNs in the inputs, any resource counts: the role grants ClientMount on something.
        for (const resource of fsArns.length > 0 ? fsArns : [undefined]) {
          const outcome = evaluatePolicy(
            policy.document,
            {
              principal,
              action: CLIENT_MOUNT,
              ...(resource ? { resource } : {}),
              context: mountContext({ tls: true, iam: true }, principal),
            },
            { name, hasPrincipals: false },
          );
          if (outcome.allows !== true || outcome.denies === true) continue;
          grants.push(`${name}${resource ? ` (on ${resource})` : ''}`);
          trace.push(...outcome.trace);
          break;
        }
      }
      // A file system policy Allow that names the instance role (docs/rules/NR-02.md; "*" Allows are FS-05's).
      for (const { fileSystem, policy } of view.fileSystemPolicies()) {
        const names = policy.statements.some(
          (s) => s.effect === 'Allow' && principalsOf(s).includes(principal.arn),
        );
        if (fileSystem.type !== 'efs' || !isKnown(role.arn) || !names) continue;
        const resource = arnOf(fileSystem);
        const outcome = evaluatePolicy(
          policy,
          {
            principal,
            action: CLIENT_MOUNT,
            ...(resource ? { resource } : {}),
            context: mountContext({ tls: true, iam: true }, principal),
          },
          { name: 'file system policy', hasPrincipals: true },
        );
        if (outcome.allows !== true || outcome.denies === true) continue;
        grants.push(`the file system policy of ${fileSystemName(fileSystem)} (${at(policy.origin)})`);
        trace.push(...outcome.trace);
      }
      if (grants.length === 0) continue;
      findings.push({
        message:
          `the node instance role ${label} grants ${CLIENT_MOUNT} through ${grants.join(', ')} while the node SA has a dedicated identity (${dedicated.via}, ${String(isKnown(dedicated.arn) ? dedicated.arn : 'role')}): ` +
          `efs-utils falls back to the instance role whenever the dedicated identity fails, so a broken Pod Identity/IRSA setup is masked and mounts run as the instance role`,
        origin: role.origin,
        resource: label,
        ...(trace.length > 0 ? { trace } : {}),
        fix: `Remove the EFS client permissions (elasticfilesystem:Client*) from ${label}, and its Allow statements from file system policies; the node SA's role carries them.`,
      });
    }
    return findings;
  },
};
