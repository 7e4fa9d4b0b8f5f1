import type { Origin } from '../model/origin';
import type { PodIdentityAssociation } from '../model/snapshot';
import type { Rule, RuleFinding } from './rule';
import { at } from './support';
import {
  CONTROLLER_SA,
  describeAssociation,
  EFS_ADDON,
  looksLikePodIdentityNodeRole,
  roleName,
  sameCluster,
} from './identity-support';

/**
 * PI-02: exactly one Pod Identity association for (kube-system, node SA). EKS accepts one association per service
 * account: a second one (a manual association next to the add-on's) fails to create (ResourceInUseException) or
 * leaves it unclear which role the pods get. Statically, no association is a fault only when Pod Identity is
 * otherwise in use for the driver (rules.md intro): a node role trusting pods.eks.amazonaws.com, or an association
 * for the controller.
 */
export const PI02: Rule = {
  id: 'PI-02',
  severity: 'error',
  title: 'Not exactly one Pod Identity association for the node ServiceAccount',
  requires: ['S', 'A'],
  check({ view }) {
    const findings: RuleFinding[] = [];
    const sa = view.nodeServiceAccount;
    const subject = `${sa.namespace}/${sa.name}`;
    const associations = view.nodeAssociations;
    associations.forEach((association, i) => {
      // The first earlier association in the same cluster, else the first that may be (one pass, no list).
      let duplicate: { a: PodIdentityAssociation; same: true | 'unknown' } | undefined;
      for (let j = 0; j < i; j++) {
        const same = sameCluster(associations[j].cluster, association.cluster);
        if (same === true) {
          duplicate = { a: associations[j], same };
          break;
        }
        if (same === 'unknown') duplicate ??= { a: associations[j], same };
      }
      if (!duplicate) return;
      const undecidable = duplicate.same === 'unknown';
      findings.push({
        message:
          `${undecidable ? 'possibly a second' : 'a second'} Pod Identity association for ${subject}: the ${describeAssociation(association)} ` +
          `duplicates the ${describeAssociation(duplicate.a)}${undecidable ? ' (their cluster names are unknown)' : ''}. ` +
          `EKS allows one association per service account: creating the second fails with ResourceInUseException ` +
          `(an add-on update that owns it fails too), and the efs-csi-node pods keep whichever role was created first`,
        origin: association.origin,
        resource: subject,
        undecidable,
        fix:
          `Keep exactly one association for ${subject}. Either remove the ${sa.name} entry from the add-on's podIdentityAssociations, ` +
          `or delete the manual one:\n  aws eks list-pod-identity-associations --cluster-name <cluster> --namespace ${sa.namespace} --service-account ${sa.name}\n` +
          `  aws eks delete-pod-identity-association --cluster-name <cluster> --association-id <id of the one to drop>`,
      });
    });
    if (associations.length > 0 || view.usesIrsa) return findings;
    // None: only a fault where Pod Identity is otherwise in use for the driver.
    const hints: Array<{ why: string; origin: Origin }> = [];
    for (const a of view.snapshot.podIdentityAssociations) {
      if (a.serviceAccount !== CONTROLLER_SA) continue;
      hints.push({ why: `the controller's ${describeAssociation(a)}`, origin: a.origin });
    }
    for (const role of view.snapshot.roles) {
      if (!looksLikePodIdentityNodeRole(role)) continue;
      hints.push({
        why: `${roleName(role)} (${at(role.origin)}), which trusts pods.eks.amazonaws.com and looks like the node role`,
        origin: role.origin,
      });
    }
    if (hints.length === 0) return findings;
    findings.push({
      message:
        `no Pod Identity association for the node ServiceAccount ${subject}, although Pod Identity is in use for the driver (${hints.map((h) => h.why).join('; ')}): ` +
        `the efs-csi-node pods get no credentials of their own and efs-utils silently mounts with the node instance role`,
      origin: hints[0].origin,
      resource: subject,
      fix:
        `Create the association for the node SA (one of):\n` +
        `  aws eks create-pod-identity-association --cluster-name <cluster> --namespace ${sa.namespace} --service-account ${sa.name} --role-arn <node role ARN>\n` +
        `or in the add-on (keep the controller's entry, UpdateAddon replaces the whole list):\n` +
        `addons:\n  - name: ${EFS_ADDON}\n    podIdentityAssociations:\n      - serviceAccountName: ${CONTROLLER_SA}\n        roleARN: <controller role ARN>\n      - serviceAccountName: ${sa.name}\n        roleARN: <node role ARN>`,
    });
    return findings;
  },
};
