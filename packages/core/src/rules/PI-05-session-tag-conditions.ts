import type { PodIdentityAssociation } from '../model/snapshot';
import { isUnknown, unknown } from '../model/unknown';
import { podIdentityContext } from '../policy/decisions';
import { evaluateCondition } from '../policy/evaluate';
import type { Rule, RuleFinding } from './rule';
import { at, namesService, nodeTrusts, PODS_SERVICE, statementName } from './support';
import { clusterNameOf, conditionStep, describeAssociation, sessionTagConditions } from './identity-support';

/**
 * PI-05: conditions on the session tags EKS Pod Identity attaches (eks-cluster-name, kubernetes-namespace,
 * kubernetes-service-account, …; EKS user guide pod-id-abac) must match the node SA and cluster. With
 * `disableSessionTags` the agent sends no tags at all, so any such condition fails the assume (E).
 */
export const PI05: Rule = {
  id: 'PI-05',
  severity: 'warning',
  title: 'Session-tag conditions in the node role trust do not match the node ServiceAccount',
  requires: ['S', 'A'],
  check({ view }) {
    const findings: RuleFinding[] = [];
    const sa = view.nodeServiceAccount;
    for (const trust of nodeTrusts(view, 'pod-identity')) {
      const associations: PodIdentityAssociation[] = trust.binding?.association
        ? [trust.binding.association]
        : view.nodeAssociations;
      for (const statement of trust.document.statements.filter(
        (s) => s.effect === 'Allow' && namesService(s, PODS_SERVICE),
      )) {
        const conditions = sessionTagConditions(statement);
        if (conditions.length === 0) continue;
        const keys = conditions.map((c) => `${c.operator} ${c.key}`).join(', ');
        const where = `statement ${statementName(trust.document, statement)} of ${trust.label} (${at(statement.origin)})`;
        const disabled = associations.find((a) => a.disableSessionTags === true);
        const maybeDisabled = associations.find((a) => isUnknown(a.disableSessionTags));
        if (disabled || maybeDisabled) {
          const context = podIdentityContext({
            namespace: sa.namespace,
            serviceAccount: sa.name,
            sessionTags: false,
          });
          findings.push({
            message: disabled
              ? `${where} has conditions on Pod Identity session tags (${keys}), but the ${describeAssociation(disabled)} sets disableSessionTags: true: EKS Pod Identity sends no tags, the conditions never match and the node gets no credentials (efs-utils falls back to the node instance role)`
              : `${where} has conditions on Pod Identity session tags (${keys}) and the disableSessionTags of the ${describeAssociation(maybeDisabled as PodIdentityAssociation)} is unknown: if it is true, the role cannot be assumed`,
            severity: 'error',
            undecidable: !disabled,
            origin: (disabled ?? maybeDisabled)?.origin,
            resource: trust.label,
            trace: conditions.map((c) =>
              conditionStep(evaluateCondition(c, context), statement, 'trust policy'),
            ),
            fix: 'Either remove disableSessionTags from the association (session tags are on by default), or drop the session-tag conditions from the trust policy and scope it with aws:SourceAccount / aws:SourceArn instead.',
          });
          continue;
        }
        const cluster = clusterNameOf(view, associations[0]);
        const context = podIdentityContext({
          clusterName: cluster,
          namespace: sa.namespace,
          serviceAccount: sa.name,
          sessionTags: true,
        });
        for (const key of ['eks-cluster-name', 'eks-cluster-arn']) {
          if (key === 'eks-cluster-name' && cluster) continue;
          const value = unknown(key === 'eks-cluster-name' ? 'the cluster name' : 'the cluster ARN');
          context[`aws:requesttag/${key}`] = value;
          context[`aws:principaltag/${key}`] = value;
        }
        const results = conditions.map((c) => ({ c, r: evaluateCondition(c, context) }));
        const failing = results.filter((x) => x.r.match === false);
        const open = results.filter((x) => x.r.match === 'unknown');
        if (failing.length === 0 && open.length === 0) continue;
        const shown = (failing.length > 0 ? failing : open).map((x) => x.r.reason).join('; ');
        findings.push({
          message:
            failing.length > 0
              ? `${where}: a session-tag condition does not match the node ServiceAccount ${sa.namespace}/${sa.name}${cluster ? ` in cluster ${cluster}` : ''} (${shown}): EKS Pod Identity cannot assume the role for the efs-csi-node pods, and efs-utils falls back to the node instance role`
              : `${where}: cannot tell whether the session-tag conditions match (${shown})`,
          undecidable: failing.length === 0,
          origin: statement.origin,
          resource: trust.label,
          trace: results.map((x) => conditionStep(x.r, statement, 'trust policy')),
          fix: `Match the tags EKS Pod Identity sets for the node pods:\n"Condition": {\n  "StringEquals": {\n    "aws:RequestTag/kubernetes-namespace": "${sa.namespace}",\n    "aws:RequestTag/kubernetes-service-account": "${sa.name}"${cluster ? `,\n    "aws:RequestTag/eks-cluster-name": "${cluster}"` : ''}\n  }\n}`,
        });
      }
    }
    return findings;
  },
};
