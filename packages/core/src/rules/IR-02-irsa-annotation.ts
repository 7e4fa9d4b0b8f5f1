import type { Role } from '../model/snapshot';
import { isUnknown } from '../model/unknown';
import { ROLE_ARN } from '../policy/arn';
import { decideTrust, webIdentityContext } from '../policy/decisions';
import type { Rule, RuleFinding } from './rule';
import { at, isWebIdentityStatement, nodeTrusts } from './support';
import { IRSA_ANNOTATION } from './view';
import { irsaInUse, roleName } from './identity-support';

/**
 * IR-02: with IRSA, the node SA must carry `eks.amazonaws.com/role-arn` naming the node role: the EKS Pod Identity
 * webhook injects AWS_ROLE_ARN and the token file only for annotated service accounts; without it (or with a wrong
 * ARN) efs-utils falls back to the node instance role.
 */
export const IR02: Rule = {
  id: 'IR-02',
  severity: 'error',
  title: 'The node ServiceAccount is not annotated with the IRSA node role',
  requires: ['S', 'K'],
  check({ view }) {
    if (!irsaInUse(view)) return [];
    const findings: RuleFinding[] = [];
    const sa = view.nodeServiceAccount;
    const subject = `${sa.namespace}/${sa.name}`;
    const fix = (arn: string) =>
      `Annotate the node ServiceAccount (or set the Helm value node.serviceAccount.annotations) and restart the pods:\n` +
      `metadata:\n  annotations:\n    ${IRSA_ANNOTATION}: ${arn}\n` +
      `  kubectl rollout restart daemonset efs-csi-node -n ${sa.namespace}`;
    // Roles of the files whose web identity trust lets the node SA's token in: the node role, as written.
    const trusting = (role: Role) =>
      (role.trustPolicy?.statements ?? []).some((s) => {
        if (s.effect !== 'Allow' || !isWebIdentityStatement(s)) return false;
        const provider = (s.principal?.Federated ?? []).find((p): p is string => typeof p === 'string');
        const issuer = provider?.split(':oidc-provider/')[1];
        if (!provider || !issuer || !role.trustPolicy) return false;
        const context = webIdentityContext(issuer, sa.namespace, sa.name);
        return (
          decideTrust({
            trustPolicy: role.trustPolicy,
            principal: { kind: 'federated', provider },
            actions: ['sts:AssumeRoleWithWebIdentity'],
            context,
          }).decision === 'allow'
        );
      });
    const nodeRoles = view.snapshot.roles.filter(trusting);
    const wanted = nodeRoles.map(roleName).join(', ') || '<node role ARN>';
    if (view.irsaAnnotations.length === 0) {
      // A manifest of the node SA without the annotation, while an IRSA trust is written for it (and no Pod Identity).
      if (view.nodeAssociations.length > 0) return findings;
      const trusts = nodeTrusts(view, 'irsa');
      for (const manifest of view.nodeServiceAccounts) {
        findings.push({
          message:
            `ServiceAccount ${subject} (${at(manifest.origin)}) has no ${IRSA_ANNOTATION} annotation, although an IRSA trust is written for it (${trusts.map((t) => t.label).join(', ')}): ` +
            `no web identity token is injected into the efs-csi-node pods, and efs-utils silently mounts with the node instance role`,
          origin: manifest.origin,
          resource: subject,
          fix: fix(nodeRoles[0] && !isUnknown(nodeRoles[0].arn) ? nodeRoles[0].arn : wanted),
        });
      }
      return findings;
    }
    for (const annotation of view.irsaAnnotations) {
      const arn = annotation.arn;
      const base = { origin: annotation.origin, resource: subject };
      if (isUnknown(arn)) {
        if (nodeRoles.length > 0) {
          findings.push({
            ...base,
            undecidable: true,
            message: `cannot tell whether the ${IRSA_ANNOTATION} annotation of ${subject} (${at(annotation.origin)}) names the node role ${wanted}: it is ${arn.expression}`,
          });
        }
        continue;
      }
      if (!ROLE_ARN.test(arn)) {
        findings.push({
          ...base,
          message: `the ${IRSA_ANNOTATION} annotation of ${subject} (${at(annotation.origin)}) is "${arn}", not an IAM role ARN: STS rejects AssumeRoleWithWebIdentity and efs-utils falls back to the node instance role`,
          fix: fix(wanted),
        });
        continue;
      }
      const role = view.findRole(undefined, arn);
      if (nodeRoles.length > 0 && !(role && nodeRoles.includes(role))) {
        findings.push({
          ...base,
          message:
            `the ${IRSA_ANNOTATION} annotation of ${subject} (${at(annotation.origin)}) names ${arn}, but the role whose IRSA trust is written for the node SA is ${wanted}` +
            `${role ? `; ${roleName(role)} does not trust the node SA's web identity token` : ''}: the efs-csi-node pods cannot assume it and efs-utils falls back to the node instance role`,
          fix: fix(wanted),
        });
      }
    }
    return findings;
  },
};
