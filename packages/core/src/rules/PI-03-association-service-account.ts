import type { Origin } from '../model/origin';
import type { PodIdentityAssociation } from '../model/snapshot';
import { isKnown, isUnknown, show } from '../model/unknown';
import type { Rule, RuleFinding } from './rule';
import { at } from './support';
import { describeAssociation } from './identity-support';
import { areNearDirectories, directoryOf } from './view';

/** An association meant for the node component: its SA name says efs + node, or it is the default node SA. */
function meantForNode(association: PodIdentityAssociation, defaultName: string): boolean {
  const name = association.serviceAccount;
  return isKnown(name) && (name === defaultName || (/efs/i.test(name) && /node/i.test(name)));
}

/**
 * PI-03: the association's SA must be the one the DaemonSet runs as (`serviceAccountName`, Helm
 * `node.serviceAccount.name`): EKS injects Pod Identity credentials only into pods of the associated
 * (namespace, service account), so an association for another name gives the efs-csi-node pods nothing.
 */
export const PI03: Rule = {
  id: 'PI-03',
  severity: 'error',
  title: "The Pod Identity association names another ServiceAccount than the node DaemonSet's",
  requires: ['S', 'A', 'K'],
  check({ view, config }) {
    const findings: RuleFinding[] = [];
    const defaultName = config.nodeServiceAccount.name;
    // A repository with several driver installations (clusters) pairs an association only with the DaemonSets near
    // it (same directory, or one above the other), and reports each association once.
    const several = view.driverDaemonSets.length > 1;
    const reported = new Set<PodIdentityAssociation>();
    const forNode = view.snapshot.podIdentityAssociations.filter((x) => meantForNode(x, defaultName));
    // With several installations, the associations near a DaemonSet are collected once per directory (installations
    // keep their manifests in a folder per cluster), in their original order.
    const all = view.snapshot.podIdentityAssociations;
    const nearby = new Map<string, { all: PodIdentityAssociation[]; forNode: PodIdentityAssociation[] }>();
    const nearTo = (origin: Origin) => {
      if (!several || origin.kind !== 'file') return { all, forNode };
      const dsDir = directoryOf(origin);
      let found = nearby.get(dsDir);
      if (!found) {
        const near = (a: PodIdentityAssociation) =>
          a.origin.kind !== 'file' || areNearDirectories(directoryOf(a.origin), dsDir);
        found = { all: all.filter(near), forNode: forNode.filter(near) };
        nearby.set(dsDir, found);
      }
      return found;
    };
    for (const ds of view.driverDaemonSets) {
      const near = nearTo(ds.origin);
      const paired = (a: PodIdentityAssociation) => !reported.has(a);
      const dsName = () =>
        `DaemonSet ${show(ds.namespace)}/${show(ds.name)} (${at(ds.serviceAccountOrigin ?? ds.origin)})`;
      const sameNamespace = (a: PodIdentityAssociation) =>
        !isKnown(ds.namespace) || !isKnown(a.namespace) || a.namespace === ds.namespace;
      if (isUnknown(ds.serviceAccountName)) {
        for (const a of near.forNode.filter(paired)) {
          reported.add(a);
          findings.push({
            message: `cannot tell whether the ${describeAssociation(a)} is for the service account of ${dsName()}: its serviceAccountName is ${show(ds.serviceAccountName)}`,
            origin: a.origin,
            resource: `${show(a.namespace)}/${show(a.serviceAccount)}`,
            undecidable: true,
          });
        }
        continue;
      }
      const saName = ds.serviceAccountName;
      const matched = near.all.some((a) => a.serviceAccount === saName && sameNamespace(a));
      if (matched) continue;
      const misnamed = near.forNode.filter(
        (a) => paired(a) && !(a.serviceAccount === saName && sameNamespace(a)),
      );
      for (const a of misnamed) {
        reported.add(a);
        const wrongNamespace = a.serviceAccount === saName;
        findings.push({
          message:
            `the ${describeAssociation(a)} is for ${show(a.namespace)}/${show(a.serviceAccount)}, but ${dsName()} runs as ` +
            `${show(ds.namespace)}/${saName}: EKS injects Pod Identity credentials only into pods of the associated ` +
            `${wrongNamespace ? 'namespace' : 'service account'}, so the efs-csi-node pods get none and efs-utils silently mounts with the node instance role`,
          origin: a.origin,
          resource: `${show(a.namespace)}/${show(a.serviceAccount)}`,
          fix:
            `Make the two names agree. Either point the association at the DaemonSet's service account ` +
            `(namespace: ${show(ds.namespace)}, serviceAccountName: ${saName}; an association cannot be renamed, so create the new one and delete the old:\n` +
            `  aws eks create-pod-identity-association --cluster-name <cluster> --namespace ${show(ds.namespace)} --service-account ${saName} --role-arn ${show(a.roleArn)}\n` +
            `  aws eks delete-pod-identity-association --cluster-name <cluster> --association-id <old association id>)\n` +
            `or set the Helm value node.serviceAccount.name: ${show(a.serviceAccount)} and restart the DaemonSet:\n` +
            `  kubectl rollout restart daemonset efs-csi-node -n ${show(ds.namespace)}`,
        });
      }
    }
    return findings;
  },
};
