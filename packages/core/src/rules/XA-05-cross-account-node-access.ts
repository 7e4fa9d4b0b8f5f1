import { isKnown } from '../model/unknown';
import { decideClientAccess, mountContext } from '../policy/decisions';
import { evaluatePolicy } from '../policy/evaluate';
import { fileSystemAllowStatement, nodePermissionsPolicy } from '../policy/generate';
import { managedWithoutDocument } from './identity-support';
import type { Rule, RuleFinding } from './rule';
import {
  arnOf,
  at,
  CLIENT_MOUNT,
  fileSystemName,
  knownNodePrincipals,
  mountOf,
  nodePrincipalsFor,
} from './support';

/**
 * XA-05: the node role mounts a file system in another account. Cross-account EFS access needs an Allow in the
 * node role's identity policy AND an explicit Allow for the role in the file system policy (rules.md, Semantics 1;
 * AWS Storage Blog "Simplifying multi-account storage with Amazon EFS and Amazon EKS"). Halves the inputs do not
 * contain are not judged: a static repository may hold only one account's side.
 */
export const XA05: Rule = {
  id: 'XA-05',
  severity: 'error',
  title: 'Cross-account node access lacks an identity Allow or a file system policy Allow',
  requires: ['S', 'A'],
  check({ view, config }) {
    const findings: RuleFinding[] = [];
    for (const { binding, principal } of knownNodePrincipals(view)) {
      // With targetRoleArn, EKS Pod Identity chains into the target role and the pods mount with ITS credentials
      // (EKS user guide, "Access AWS resources in another account with a target IAM role"): a target role in the file
      // system's account makes the access same-account; the chain itself is PI-11's question.
      const target = binding.association?.targetRoleArn;
      const effectiveAccount =
        target !== undefined && isKnown(target) ? target.split(':')[4] : principal.accountId;
      // Managed policies attached by ARN without a document (live input): the AWS client policies are read as
      // their known grants; any other one might grant access, so a missing identity Allow becomes undecidable.
      const managed = managedWithoutDocument(binding.role);
      const identity = [...view.identityPoliciesOf(binding.role, binding), ...managed.documents];
      for (const fileSystem of view.snapshot.fileSystems) {
        const fsArn = arnOf(fileSystem);
        if (
          fileSystem.type !== 'efs' ||
          !fsArn ||
          !isKnown(fileSystem.accountId) ||
          fileSystem.accountId === principal.accountId ||
          fileSystem.accountId === effectiveAccount ||
          // Several clusters in one repository: only the roles something connects to this file system.
          !nodePrincipalsFor(view, { fileSystem }).some((p) => p.principal === principal)
        )
          continue;
        const volumes = view.volumesOn(fileSystem);
        const mount = volumes.length > 0 ? mountOf(volumes[0], fileSystem) : { tls: true, iam: true };
        const context = mountContext({ ...mount, iam: true }, principal);
        const request = { principal, action: CLIENT_MOUNT, resource: fsArn, context };
        const missing: string[] = [];
        let undecidable = false;
        if (identity.length > 0) {
          const allows = identity.map(
            (p) => evaluatePolicy(p.document, request, { name: p.name, hasPrincipals: false }).allows,
          );
          if ((allows.includes('unknown') || managed.opaque.length > 0) && !allows.includes(true))
            undecidable = true;
          else if (!allows.includes(true))
            missing.push(`no identity policy of the role allows ${CLIENT_MOUNT} on ${fsArn}`);
        }
        if (fileSystem.policy) {
          const allows = evaluatePolicy(fileSystem.policy, request, {
            name: 'file system policy',
            hasPrincipals: true,
          }).allows;
          if (allows === 'unknown') undecidable = true;
          else if (!allows)
            missing.push(
              `the file system policy (${at(fileSystem.policy.origin)}) has no Allow for the role`,
            );
        }
        if (missing.length === 0 && !undecidable) continue;
        const decision = decideClientAccess({
          principal,
          action: CLIENT_MOUNT,
          fileSystemArn: fsArn,
          identityPolicies: identity,
          fileSystemPolicy: fileSystem.policy ?? null,
          context,
          semantics: config.efsPolicySemantics,
        });
        const fixes = [
          ...(missing.some((m) => m.startsWith('no identity'))
            ? [
                `Identity policy of the node role:\n${JSON.stringify(nodePermissionsPolicy({ fileSystemArns: [fsArn], access: 'write' }), null, 2)}`,
              ]
            : []),
          ...(missing.some((m) => m.startsWith('the file system'))
            ? [
                `Statement for the file system policy (account ${fileSystem.accountId}):\n${JSON.stringify(fileSystemAllowStatement({ cluster: 'cluster', roleArn: principal.arn, fileSystemArn: fsArn, access: 'write' }), null, 2).replace('EfsCsiNode-cluster', 'EfsCsiNode-<cluster>')}`,
              ]
            : []),
        ];
        findings.push({
          message:
            missing.length === 0
              ? `cannot tell whether the node role ${principal.arn} (account ${principal.accountId}) may mount ${fileSystemName(fileSystem)} in account ${fileSystem.accountId}: ` +
                (managed.opaque.length > 0
                  ? `the documents of ${managed.opaque.join(', ')} are not in the inputs`
                  : 'a value in the policies is unknown')
              : `the node role ${principal.arn} (account ${principal.accountId}, bound at ${at(binding.origin)}) mounts ${fileSystemName(fileSystem)} in account ${fileSystem.accountId}, ` +
                `and cross-account access needs an Allow on both sides, but ${missing.join(' and ')}: every mount fails with "access denied by server"`,
          origin:
            fileSystem.policy && missing.some((m) => m.startsWith('the file system'))
              ? fileSystem.policy.origin
              : (binding.role?.origin ?? binding.origin),
          resource: fileSystemName(fileSystem),
          trace: decision.trace,
          ...(missing.length === 0 ? { undecidable: true } : {}),
          ...(fixes.length > 0 ? { fix: fixes.join('\n\n') } : {}),
        });
      }
    }
    return findings;
  },
};
