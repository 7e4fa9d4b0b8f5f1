import type {
  InspectionOutcome,
  InspectionProblem,
  LiveMount,
  NodePodInspection,
} from '../model/node-inspection';
import type { RuleFinding } from './rule';

/** Helpers shared by the ground-truth rules NR-03 and LG-01. */

/** At most this many problem findings per part; the rest are counted in one more finding. */
const MAX_PROBLEM_FINDINGS = 10;

export function podRef(inspection: NodePodInspection): string {
  return `Pod/${inspection.namespace}/${inspection.pod}`;
}

/** `pod kube-system/efs-csi-node-7xk2p (node ip-…)`. */
export function describeInspectedPod(inspection: NodePodInspection): string {
  return `pod ${inspection.namespace}/${inspection.pod}${inspection.nodeName ? ` (node ${inspection.nodeName})` : ''}`;
}

/** `mount /var/lib/kubelet/… (fs-…, access point fsap-…, PV x, since T) on pod … (node …)`. */
export function describeMount(mount: LiveMount, inspection: NodePodInspection): string {
  const facts = [
    mount.fileSystemId,
    mount.accessPointId ? `access point ${mount.accessPointId}` : undefined,
    mount.persistentVolume ? `PV ${mount.persistentVolume}` : undefined,
    mount.applicationPodUid ? `for pod UID ${mount.applicationPodUid}` : undefined,
    mount.mountedAt ? `mounted ${mount.mountedAt}` : undefined,
  ].filter(Boolean);
  return `mount ${mount.mountpoint ?? mount.stateFile}${facts.length > 0 ? ` (${facts.join(', ')})` : ''} on ${describeInspectedPod(inspection)}`;
}

/**
 * The info finding for pods whose state files or logs could not be read: "not inspected", with the reason (a 403
 * names the missing permission). Never a failure: without the opt-in permission the rule simply has no input.
 */
export function notInspected(
  what: string,
  permission: string,
  skipped: NodePodInspection[],
  outcome: (i: NodePodInspection) => InspectionOutcome,
): RuleFinding {
  const forbidden = skipped.filter((i) => outcome(i).status === 'forbidden');
  const first = outcome(skipped[0]!);
  const reason =
    forbidden.length === skipped.length
      ? `the caller may not use ${permission} on the efs-csi-node pods (grant it as docs/permissions.md shows)`
      : `${'message' in first ? first.message : 'unknown error'}`;
  const pods = skipped.map((i) => i.pod);
  return {
    severity: 'info',
    message: `not inspected: the ${what} of ${pods.length} node pod(s) (${pods.slice(0, 5).join(', ')}${pods.length > 5 ? ', …' : ''}) could not be read: ${reason}`,
    resource: 'DaemonSet/kube-system/efs-csi-node',
    origin: skipped[0]!.origin,
  };
}

/** Info findings for malformed, oversized or cut input of one part, bounded in number. */
export function problemFindings(
  inspections: NodePodInspection[],
  part: InspectionProblem['part'],
): RuleFinding[] {
  const all = inspections.flatMap((i) =>
    i.problems.filter((p) => p.part === part).map((problem) => ({ inspection: i, problem })),
  );
  const shown = all.slice(0, MAX_PROBLEM_FINDINGS).map(({ inspection, problem }): RuleFinding => ({
    severity: 'info',
    message: `${part === 'logs' ? 'efs-plugin log' : `state file ${problem.subject}`} on ${describeInspectedPod(inspection)}: ${problem.message}`,
    resource: podRef(inspection),
    origin: inspection.origin,
  }));
  if (all.length > shown.length)
    shown.push({
      severity: 'info',
      message: `${all.length - shown.length} more problem(s) with the ${part === 'logs' ? 'efs-plugin logs' : 'mount state files'} not listed`,
      resource: 'DaemonSet/kube-system/efs-csi-node',
      origin: all[0]!.inspection.origin,
    });
  return shown;
}
