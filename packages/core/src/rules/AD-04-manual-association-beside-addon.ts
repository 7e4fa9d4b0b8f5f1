import { isKnown, show } from '../model/unknown';
import type { Rule, RuleFinding } from './rule';
import { awsResource, CONTROLLER_SA, EFS_ADDON, epochSeconds, sameCluster } from './identity-support';

/**
 * AD-04: the node SA's association has no owner (PodIdentityAssociation.ownerAddon unset: ListPodIdentityAssociations
 * shows no ownerArn) while aws-efs-csi-driver is installed as an EKS add-on. The add-on does not know it: an update
 * can overwrite the SA or roll the pods, and an add-on cannot take over an existing association (add-ons-iam).
 */
export const AD04: Rule = {
  id: 'AD-04',
  severity: 'warning',
  title: 'The node association is managed by hand beside a managed add-on',
  requires: ['A'],
  check({ view, snapshot }) {
    const findings: RuleFinding[] = [];
    const sa = view.nodeServiceAccount;
    for (const association of view.nodeAssociations) {
      if (association.ownerAddon) continue;
      const addon = snapshot.addons.find(
        (a) => a.name === EFS_ADDON && sameCluster(a.cluster, association.cluster) === true,
      );
      if (!addon) continue;
      const cluster = isKnown(association.cluster)
        ? association.cluster
        : isKnown(addon.cluster)
          ? addon.cluster
          : '<cluster>';
      const region =
        snapshot.clusters.map((c) => (c.name === cluster ? c.region : undefined)).find(isKnown) ?? '<region>';
      const id = association.associationId ?? '<association id>';
      const version = isKnown(addon.version) ? ` ${addon.version}` : '';
      const created = epochSeconds(association.createdAt);
      const updated = epochSeconds(addon.modifiedAt);
      const since =
        created !== undefined && updated !== undefined && updated > created
          ? ` The add-on was updated at ${addon.modifiedAt}, after the association was created at ${association.createdAt}: verify the node identity again now.`
          : '';
      const capable = addon.podIdentityCapableServiceAccounts;
      const canOwn = capable === undefined ? undefined : capable.includes(sa.name);
      const controller = snapshot.podIdentityAssociations.find(
        (a) => a.serviceAccount === CONTROLLER_SA && a.ownerAddon === EFS_ADDON,
      );
      findings.push({
        message:
          `the association ${id} of ${sa.namespace}/${sa.name} (role ${show(association.roleArn)}) was created outside the add-on ${EFS_ADDON}${version}, ` +
          `which the add-on does not know: an add-on update can overwrite the node ServiceAccount or DaemonSet and roll the node pods without checking it, ` +
          `and the add-on cannot take the association over later until it is deleted.${since}`,
        origin: association.origin,
        resource: awsResource(association.origin, `podidentityassociation/${cluster}/${id}`),
        fix:
          `Keep it and re-verify after every add-on update:\n  efs-node-identity verify --cluster ${cluster} --region ${region}\n` +
          (canOwn === false
            ? `(add-on${version} cannot own an association for ${sa.name} (DescribeAddonConfiguration), so moving it into the add-on needs a newer version first, AD-01)`
            : `or move it into the add-on (list the controller's association too, AD-02); new node pods get no credentials between the two commands:\n` +
              `  aws eks delete-pod-identity-association --cluster-name ${cluster} --association-id ${id}\n` +
              `  aws eks update-addon --cluster-name ${cluster} --addon-name ${EFS_ADDON} --pod-identity-associations ` +
              `'serviceAccount=${CONTROLLER_SA},roleArn=${controller ? show(controller.roleArn) : '<controller role ARN>'}' 'serviceAccount=${sa.name},roleArn=${show(association.roleArn)}'`),
      });
    }
    return findings;
  },
};
