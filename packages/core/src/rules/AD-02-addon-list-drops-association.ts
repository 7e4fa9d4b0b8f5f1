import { show } from '../model/unknown';
import type { Rule, RuleFinding } from './rule';
import { at } from './support';
import { describeAssociation, sameCluster } from './identity-support';

/**
 * AD-02: CreateAddon/UpdateAddon replace the whole set of add-on-owned Pod Identity associations with the list
 * given (EKS user guide, add-ons-iam): a configured list that contains the node SA but omits an association the
 * add-on owns (typically the controller's, efs-csi-controller-sa) deletes that association on the next update.
 */
export const AD02: Rule = {
  id: 'AD-02',
  severity: 'error',
  title: 'An add-on podIdentityAssociations list drops an association the add-on owns',
  requires: ['S', 'A'],
  check({ snapshot }) {
    const findings: RuleFinding[] = [];
    for (const addon of snapshot.addons) {
      const list = addon.podIdentityAssociations ?? [];
      if (addon.origin.kind !== 'file' || list.length === 0 || typeof addon.name !== 'string') continue;
      const listed = new Set(list.map((a) => show(a.serviceAccount)));
      const owned = snapshot.podIdentityAssociations.filter(
        (a) =>
          a.ownerAddon === addon.name &&
          sameCluster(a.cluster, addon.cluster) !== false &&
          !listed.has(show(a.serviceAccount)),
      );
      for (const dropped of owned) {
        const undecidable = sameCluster(dropped.cluster, addon.cluster) === 'unknown';
        findings.push({
          message:
            `the podIdentityAssociations of add-on ${addon.name} at ${at(addon.origin)} list ${[...listed].join(', ')} but not ${show(dropped.serviceAccount)}, ` +
            `whose ${describeAssociation(dropped)} the add-on owns: UpdateAddon replaces the whole list, so applying this deletes it and ` +
            `${show(dropped.serviceAccount)} loses its credentials${undecidable ? ' (if both name the same cluster: the cluster names are unknown)' : ''}`,
          origin: addon.origin,
          resource: `addon/${addon.name}`,
          undecidable,
          fix:
            `List every association the add-on owns, not only the node's:\npodIdentityAssociations:\n` +
            [
              ...list.map((a) => ({ sa: show(a.serviceAccount), role: show(a.roleArn) })),
              { sa: show(dropped.serviceAccount), role: show(dropped.roleArn) },
            ]
              .map((a) => `  - serviceAccountName: ${a.sa}\n    roleARN: ${a.role}`)
              .join('\n'),
        });
      }
    }
    return findings;
  },
};
