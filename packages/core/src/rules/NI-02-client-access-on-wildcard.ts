import type { PolicyDocument } from '../model/policy';
import { isKnown, isUnknown } from '../model/unknown';
import { nodePermissionsPolicy } from '../policy/generate';
import type { Rule, RuleFinding } from './rule';
import {
  at,
  CLIENT_MOUNT,
  CLIENT_ROOT,
  CLIENT_WRITE,
  knownNodePrincipals,
  nodeTrusts,
  statementName,
  statementsFor,
} from './support';
import { fileSystemArnFor } from './identity-support';

/**
 * NI-02: EFS client actions granted on `Resource: "*"` or a wildcard ARN. The node role then mounts every file
 * system the account's policies let it reach, not the in-scope ones; scope the grant to the file system ARNs.
 */
export const NI02: Rule = {
  id: 'NI-02',
  severity: 'warning',
  title: 'EFS client permissions of the node role on a wildcard resource',
  requires: ['S', 'A'],
  check({ view }) {
    const findings: RuleFinding[] = [];
    const policies = new Map<PolicyDocument, string>();
    for (const binding of view.nodeRoles) {
      const label = isKnown(binding.arn) ? binding.arn : 'the node role';
      for (const p of view.identityPoliciesOf(binding.role, binding))
        if (!policies.has(p.document)) policies.set(p.document, label);
    }
    // No node role binding in the files, but a node trust: the loose client policies are the node role's.
    if (
      view.nodeRoles.length === 0 &&
      (nodeTrusts(view, 'pod-identity').length > 0 || nodeTrusts(view, 'irsa').length > 0)
    ) {
      for (const p of view.looseClientPolicies()) policies.set(p.document, 'the node role');
    }
    const account = knownNodePrincipals(view)[0]?.principal.accountId;
    const inScope = [...new Set(view.volumes.map((v) => v.fileSystemId).filter(isKnown))]
      .map((id) => fileSystemArnFor(view, id, account))
      .filter((arn): arn is string => !!arn && arn.includes(':elasticfilesystem:'));
    const fix =
      inScope.length > 0
        ? `Scope the client actions to the in-scope file systems:\n${JSON.stringify(nodePermissionsPolicy({ fileSystemArns: inScope, access: 'write' }), null, 2)}`
        : 'Replace the wildcard with the ARNs of the file systems the driver mounts: arn:aws:elasticfilesystem:<region>:<account>:file-system/fs-…';
    for (const [document, label] of policies) {
      const statements = new Set(
        [CLIENT_MOUNT, CLIENT_WRITE, CLIENT_ROOT].flatMap((a) => statementsFor(document, 'Allow', a)),
      );
      for (const statement of statements) {
        const resources = statement.resource ?? [];
        const wildcard = resources.find((r): r is string => typeof r === 'string' && /[*?]/.test(r));
        // An unknown ARN that is the `arn` attribute of one resource (`aws_efs_file_system.shared.arn`,
        // `!GetAtt FileSystem.Arn`) names one file system: it cannot be a wildcard.
        const unknownResource = resources.find((r) => isUnknown(r) && !isSingleResourceArn(r.expression));
        const notResource = statement.notResource !== undefined;
        if (!wildcard && !notResource && !unknownResource) continue;
        const name = `statement ${statementName(document, statement)} (${at(statement.origin)})`;
        findings.push({
          message:
            wildcard || notResource
              ? `${name} grants ${label} EFS client actions on ${wildcard ? `"${wildcard}"` : 'NotResource'}: the node can mount every file system the account's file system policies let it reach, not only the in-scope ones`
              : `cannot tell whether ${name} grants ${label} EFS client actions on a wildcard: its Resource is ${isUnknown(unknownResource) ? unknownResource.expression : 'unknown'}`,
          undecidable: !wildcard && !notResource,
          origin: statement.origin,
          resource: label,
          fix,
        });
      }
    }
    return findings;
  },
};

/** `aws_efs_file_system.shared.arn`, `module.x.aws_efs_file_system.y.arn (known after apply)`, `!GetAtt Fs.Arn`. */
export function isSingleResourceArn(expression: string): boolean {
  const e = expression.replace(/ \(known after apply\)$/, '');
  return (
    /^(module\.[\w-]+\.)*[a-z][\w]*\.[\w-]+(\[[^\]*]+\])?\.arn$/.test(e) || /^!GetAtt [\w]+\.Arn$/.test(e)
  );
}
