import type { Pod, PodIdentityAssociation } from '../model/snapshot';
import type { Rule, RuleFinding } from './rule';
import {
  describeAssociation,
  describePod,
  epochSeconds,
  podIdentityInUse,
  podResource,
  rolloutRestart,
  runningNodePods,
} from './identity-support';

/**
 * PI-07: every running efs-csi-node pod was created after the node association was created and last modified
 * (Pod.createdAt vs PodIdentityAssociation.createdAt/modifiedAt, live). EKS injects the Pod Identity variables only
 * at admission, and pods that predate a modification may still be served the previous role.
 */
export const PI07: Rule = {
  id: 'PI-07',
  severity: 'error',
  title: 'Node pods are older than the Pod Identity association',
  requires: ['A', 'K'],
  check({ view }) {
    if (!podIdentityInUse(view)) return [];
    // The newest creation or modification of any association for the node SA: pods must be younger than it.
    let latest:
      { association: PodIdentityAssociation; time: string; what: string; seconds: number } | undefined;
    for (const association of view.nodeAssociations) {
      for (const [what, time] of [
        ['created', association.createdAt],
        ['modified', association.modifiedAt],
      ] as const) {
        const seconds = epochSeconds(time);
        if (time === undefined || seconds === undefined) continue;
        if (!latest || seconds > latest.seconds) latest = { association, time, what, seconds };
      }
    }
    if (!latest) return [];
    const findings: RuleFinding[] = [];
    const older: Pod[] = runningNodePods(view).filter((pod) => {
      const created = epochSeconds(pod.createdAt);
      return created !== undefined && created < (latest as { seconds: number }).seconds;
    });
    for (const pod of older) {
      findings.push({
        message:
          `${describePod(pod)} was created before the ${describeAssociation(latest.association)} was ${latest.what === 'created' ? 'created' : 'last modified'} at ${latest.time}: ` +
          `EKS injects the Pod Identity variables only when a pod is admitted, so this pod ${latest.what === 'created' ? 'has no Pod Identity credentials' : 'may still get the previous role'} ` +
          `and mounts with the node instance role until it is recreated` +
          (older.length > 1 ? ` (${older.length} node pods are older: ${names(older)})` : ''),
        origin: pod.origin,
        resource: podResource(pod),
        fix: `${rolloutRestart([pod])}\nExisting mounts keep the credentials they were made with (NR-03): re-create the application pods that use them.`,
      });
    }
    return findings;
  },
};

/** Pod names for a message, at most five. */
function names(pods: Pod[]): string {
  const shown = pods.slice(0, 5).map((p) => p.name);
  return pods.length > 5 ? `${shown.join(', ')} and ${pods.length - 5} more` : shown.join(', ');
}
