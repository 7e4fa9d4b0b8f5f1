import { decideTrust, webIdentityContext } from '../policy/decisions';
import { globMatch } from '../policy/match';
import type { Rule, RuleFinding } from './rule';
import { isWebIdentityStatement, nodeTrusts } from './support';

/**
 * IR-03: the IRSA trust of the node role: Federated = the cluster's OIDC provider, sts:AssumeRoleWithWebIdentity,
 * a `sub` that matches the node SA, and `aud` = sts.amazonaws.com. STS compares condition keys literally, so an
 * `https://` prefix or a wildcard under StringEquals never matches.
 */
export const IR03: Rule = {
  id: 'IR-03',
  severity: 'error',
  title: 'The IRSA trust policy does not match the node ServiceAccount',
  requires: ['S', 'A'],
  check({ view }) {
    const findings: RuleFinding[] = [];
    const sa = view.nodeServiceAccount;
    const subject = `system:serviceaccount:${sa.namespace}:${sa.name}`;
    for (const trust of nodeTrusts(view, 'irsa')) {
      for (const statement of trust.document.statements.filter(
        (s) => s.effect === 'Allow' && isWebIdentityStatement(s),
      )) {
        const provider = (statement.principal?.Federated ?? []).find(
          (p): p is string => typeof p === 'string',
        );
        const issuer = provider?.split(':oidc-provider/')[1];
        const before = findings.length;
        const report = (message: string, severity?: 'warning') =>
          findings.push({
            message: `${trust.label}: ${message}`,
            ...(severity ? { severity } : {}),
            origin: statement.origin,
            resource: trust.label,
            fix: fixFor(issuer, subject),
          });
        const prefixed = statement.conditions.filter((c) => /^https?:\/\//i.test(c.key));
        for (const c of prefixed) {
          report(
            `the condition key "${c.key}" keeps the https:// prefix; STS compares keys without it, so the condition never matches and the role cannot be assumed`,
          );
        }
        const subs = statement.conditions.filter((c) => /:sub$/i.test(c.key) && !/^https?:\/\//i.test(c.key));
        for (const c of subs) {
          const equals = /^StringEquals(IgnoreCase)?(IfExists)?$/i.test(c.operator);
          const wildcards = c.values.filter((v): v is string => typeof v === 'string' && /[*?]/.test(v));
          if (equals && wildcards.length > 0) {
            report(
              `${c.operator} on ${c.key} holds the wildcard "${wildcards[0]}", which StringEquals compares literally: it never matches; use StringLike or the exact subject ${subject}`,
            );
            continue;
          }
          const like = /^StringLike/i.test(c.operator);
          const matches = c.values.some(
            (v) => typeof v === 'string' && (like ? globMatch(v, subject) : v === subject),
          );
          if (!matches && c.values.every((v) => typeof v === 'string')) {
            report(
              `the \`sub\` condition (${c.values.join(', ')}) does not match the node ServiceAccount ${subject}: the efs-csi-node pods cannot assume the role`,
            );
          }
        }
        if (subs.length === 0 && prefixed.length === 0) {
          report(
            `no \`sub\` condition: every service account of the cluster can assume this role; restrict it to ${subject}`,
            'warning',
          );
        }
        const auds = statement.conditions.filter((c) => /:aud$/i.test(c.key) && !/^https?:\/\//i.test(c.key));
        if (auds.length === 0) {
          report(
            'no `aud` condition (sts.amazonaws.com): a hardening gap; the assume still works',
            'warning',
          );
        } else if (!auds.some((c) => c.values.includes('sts.amazonaws.com'))) {
          report(
            `the \`aud\` condition does not allow sts.amazonaws.com (the audience of EKS service account tokens)`,
          );
        }
        // Cross-check with the evaluator when nothing above explains a failure.
        if (provider && issuer && findings.length === before) {
          const decision = decideTrust({
            trustPolicy: trust.document,
            principal: { kind: 'federated', provider },
            actions: ['sts:AssumeRoleWithWebIdentity'],
            context: webIdentityContext(issuer, sa.namespace, sa.name),
          });
          if (decision.decision === 'implicitDeny' || decision.decision === 'explicitDeny') {
            findings.push({
              message: `${trust.label}: a web identity token of ${subject} cannot assume the role`,
              origin: statement.origin,
              resource: trust.label,
              trace: decision.trace,
              fix: fixFor(issuer, subject),
            });
          }
        }
      }
    }
    return findings;
  },
};

function fixFor(issuer: string | undefined, subject: string): string {
  const key = issuer ?? 'oidc.eks.<region>.amazonaws.com/id/<id>';
  return `Use this condition (no https:// in the keys):\n"Condition": {\n  "StringEquals": {\n    "${key}:sub": "${subject}",\n    "${key}:aud": "sts.amazonaws.com"\n  }\n}`;
}
