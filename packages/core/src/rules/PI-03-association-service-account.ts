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
    // Directories are worked out once: with several installations every DaemonSet is compared with every association.
    const directoryOfFile = (origin: Origin) => (origin.kind === 'file' ? directoryOf(origin) : undefined);
    const associationDirs = new Map(
      view.snapshot.podIdentityAssociations.map((a) => [a, directoryOfFile(a.origin)] as const),
    );
    for (const ds of view.driverDaemonSets) {
      const dsDir = directoryOfFile(ds.origin);
      const near = (a: PodIdentityAssociation) => {
        if (!several || dsDir === undefined) return true;
        const dir = associationDirs.get(a);
        return dir === undefined || areNearDirectories(dir, dsDir);
      };
      const paired = (a: PodIdentityAssociation) => !reported.has(a) && near(a);
      const dsName = () =>
        `DaemonSet ${show(ds.namespace)}/${show(ds.name)} (${at(ds.serviceAccountOrigin ?? ds.origin)})`;
      const sameNamespace = (a: PodIdentityAssociation) =>
        !isKnown(ds.namespace) || !isKnown(a.namespace) || a.namespace === ds.namespace;
      if (isUnknown(ds.serviceAccountName)) {
        for (const a of forNode.filter(paired)) {
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
      const matched = view.snapshot.podIdentityAssociations.some(
        (a) => a.serviceAccount === saName && sameNamespace(a) && near(a),
      );
      if (matched) continue;
      const misnamed = forNode.filter((a) => paired(a) && !(a.serviceAccount === saName && sameNamespace(a)));
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
