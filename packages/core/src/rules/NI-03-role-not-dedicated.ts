import type { ServiceAccount } from '../model/snapshot';
import { isKnown, show } from '../model/unknown';
import { decideTrust, webIdentityContext } from '../policy/decisions';
import type { Rule, RuleFinding } from './rule';
import { at, isWebIdentityStatement, nodeTrusts, statementName } from './support';
import { IRSA_ANNOTATION } from './view';
import { CONTROLLER_SA } from './identity-support';

/**
 * NI-03: the node role is dedicated to the node SA. Bound to other service accounts too (the controller's, an
 * application's), or trusting a `sub` pattern such as `…:efs-csi-*`, it gives them the node's file system access
 * and mixes the controller's access point permissions into the node.
 */
export const NI03: Rule = {
  id: 'NI-03',
  severity: 'warning',
  title: 'The node role is not dedicated to the node ServiceAccount',
  requires: ['S', 'A'],
  check({ view }) {
    const findings: RuleFinding[] = [];
    const sa = view.nodeServiceAccount;
    const fix = `Give the node SA a role of its own, bound only to ${sa.namespace}/${sa.name} (and the controller its own role, bound to ${CONTROLLER_SA}).`;
    const nodeAssociations = new Set(view.nodeAssociations);
    const nodeServiceAccounts = new Set(view.nodeServiceAccounts);
    // The other bindings of a role are looked up by role ARN and role id, in their original order, instead of going
    // through every association and service account for every node role.
    const associations = view.snapshot.podIdentityAssociations;
    const associationsByArn = new Map<string, number[]>();
    const associationsByRoleId = new Map<string, number[]>();
    associations.forEach((a, i) => {
      if (nodeAssociations.has(a)) return;
      if (isKnown(a.roleArn)) listIn(associationsByArn, a.roleArn).push(i);
      if (a.roleId) listIn(associationsByRoleId, a.roleId).push(i);
    });
    const serviceAccountsByArn = new Map<string, ServiceAccount[]>();
    for (const s of view.snapshot.serviceAccounts) {
      const arn = s.annotations[IRSA_ANNOTATION];
      if (!nodeServiceAccounts.has(s) && isKnown(arn)) listIn(serviceAccountsByArn, arn).push(s);
    }
    const seen = new Set<string>();
    for (const binding of view.nodeRoles) {
      if (!isKnown(binding.arn) && !binding.role) continue;
      // One finding per role, however many places bind it.
      const roleKey = isKnown(binding.arn) ? binding.arn : (binding.role?.id as string);
      if (seen.has(roleKey)) continue;
      seen.add(roleKey);
      // Same role: the same known ARN, or the same role id.
      const byArn = isKnown(binding.arn) ? (associationsByArn.get(binding.arn) ?? []) : [];
      const byRoleId = binding.role ? (associationsByRoleId.get(binding.role.id) ?? []) : [];
      const positions = [...new Set([...byArn, ...byRoleId])].sort((x, y) => x - y);
      const others = [
        ...positions
          .map((i) => associations[i])
          .map((a) => ({
            who: `${show(a.namespace)}/${show(a.serviceAccount)}`,
            how: `Pod Identity association at ${at(a.origin)}`,
            name: a.serviceAccount,
          })),
        ...(isKnown(binding.arn) ? (serviceAccountsByArn.get(binding.arn) ?? []) : []).map((s) => ({
          who: `${show(s.namespace)}/${show(s.name)}`,
          how: `IRSA annotation at ${at(s.annotationOrigins?.[IRSA_ANNOTATION] ?? s.origin)}`,
          name: s.name,
        })),
      ];
      if (others.length === 0) continue;
      const controller = others.some((o) => o.name === CONTROLLER_SA);
      findings.push({
        message:
          `the node role ${show(binding.arn)} (bound at ${at(binding.origin)}) is also bound to ${others.map((o) => `${o.who} (${o.how})`).join(', ')}: ` +
          (controller
            ? `the controller and the node share one role, so each gets the other's permissions`
            : `those pods get the node's access to every in-scope file system`),
        origin: binding.origin,
        resource: show(binding.arn),
        fix,
      });
    }
    // IRSA trusts whose `sub` pattern lets other service accounts in (StringLike …:efs-csi-*).
    const controllerSubject = `system:serviceaccount:kube-system:${CONTROLLER_SA}`;
    for (const trust of nodeTrusts(view, 'irsa')) {
      for (const statement of trust.document.statements.filter(
        (s) => s.effect === 'Allow' && isWebIdentityStatement(s),
      )) {
        const patterns = statement.conditions
          .filter((c) => /:sub$/i.test(c.key) && /^StringLike/i.test(c.operator))
          .flatMap((c) => c.values.filter((v): v is string => typeof v === 'string' && /[*?]/.test(v)));
        if (patterns.length === 0) continue;
        const provider = (statement.principal?.Federated ?? []).find(
          (p): p is string => typeof p === 'string',
        );
        const issuer = provider?.split(':oidc-provider/')[1];
        const decision =
          provider && issuer
            ? decideTrust({
                trustPolicy: trust.document,
                principal: { kind: 'federated', provider },
                actions: ['sts:AssumeRoleWithWebIdentity'],
                context: webIdentityContext(issuer, 'kube-system', CONTROLLER_SA),
              })
            : undefined;
        const controller = decision?.decision === 'allow';
        findings.push({
          message:
            `statement ${statementName(trust.document, statement)} of ${trust.label} (${at(statement.origin)}) trusts the \`sub\` pattern ${patterns.map((p) => `"${p}"`).join(', ')}: ` +
            `${controller ? `the controller's ${controllerSubject} can assume the node role too` : 'service accounts other than the node SA can assume the node role'}; use the exact subject under StringEquals`,
          origin: statement.origin,
          resource: trust.label,
          ...(decision ? { trace: decision.trace } : {}),
          fix: `${fix}\n"Condition": { "StringEquals": { "${issuer ?? 'oidc.eks.<region>.amazonaws.com/id/<id>'}:sub": "system:serviceaccount:${sa.namespace}:${sa.name}" } }`,
        });
      }
    }
    return findings;
  },
};

function listIn<K, V>(map: Map<K, V[]>, key: K): V[] {
  let list = map.get(key);
  if (!list) map.set(key, (list = []));
  return list;
}
