import { show } from '../model/unknown';
import type { Rule, RuleFinding } from './rule';
import { at } from './support';
import { IRSA_ANNOTATION, isNear } from './view';
import { describeAssociation } from './identity-support';

/**
 * PI-10: the node SA has both an IRSA annotation and a Pod Identity association. efs-utils (aws_credentials.py)
 * tries the Pod Identity container credentials before the web identity token, so Pod Identity wins and the IRSA
 * role is dead configuration that takes over silently once the association is removed.
 */
/** Associations named in one message; more are counted, so a message stays readable. */
const MAX_LISTED = 5;

export const PI10: Rule = {
  id: 'PI-10',
  severity: 'warning',
  title: 'The node ServiceAccount uses both IRSA and Pod Identity',
  requires: ['S', 'A', 'K'],
  check({ view }) {
    const findings: RuleFinding[] = [];
    if (view.nodeAssociations.length === 0) return findings;
    const sa = view.nodeServiceAccount;
    for (const annotation of view.irsaAnnotations) {
      // A repository of several clusters keeps each cluster's files together: an annotation and an association go
      // together only when their files are near each other (the same folder, or one below the other; live facts are
      // near everything). Another cluster's association says nothing about this ServiceAccount.
      const paired =
        view.nodeAssociations.length > 1
          ? view.nodeAssociations.filter((a) => isNear(a.origin, annotation.origin))
          : view.nodeAssociations;
      if (paired.length === 0) continue;
      const associations =
        paired.slice(0, MAX_LISTED).map(describeAssociation).join('; ') +
        (paired.length > MAX_LISTED ? `; and ${paired.length - MAX_LISTED} more` : '');
      findings.push({
        message:
          `${sa.namespace}/${sa.name} carries the IRSA annotation ${IRSA_ANNOTATION}: ${show(annotation.arn)} (${at(annotation.origin)}) and has a Pod Identity ` +
          `association (${associations}): Pod Identity wins, so the IRSA role is unused, and removing the association later silently switches the node to it. Keep one mechanism`,
        origin: annotation.origin,
        resource: `${sa.namespace}/${sa.name}`,
        fix:
          `To keep Pod Identity, remove the annotation (from the manifest, the Helm value node.serviceAccount.annotations or eksctl iam.serviceAccounts) and restart:\n` +
          `  kubectl annotate serviceaccount ${sa.name} -n ${sa.namespace} ${IRSA_ANNOTATION}-\n` +
          `  kubectl rollout restart daemonset efs-csi-node -n ${sa.namespace}\n` +
          `To keep IRSA instead, delete the association:\n` +
          `  aws eks delete-pod-identity-association --cluster-name <cluster> --association-id <id>`,
      });
    }
    return findings;
  },
};
