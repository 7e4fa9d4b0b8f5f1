import type { LiveMountSummary, NodePodInspection } from '@efs-node-identity/core';
import {
  REMOUNTS_LISTED,
  type LiveMountsStatus,
  type LiveMountToRemount,
} from '@efs-node-identity/backstage-plugin-common';

const CREDENTIALS = {
  instanceRole: 'instance-role',
  older: 'older-identity',
  other: 'other',
} as const;

/** The answer when the opt-in `efsNodeIdentity.inspectMounts` is off. */
export const INSPECTION_DISABLED: LiveMountsStatus = {
  inspected: false,
  reason: 'disabled',
  message:
    'efsNodeIdentity.inspectMounts is off in the backend configuration; with it on, each verification reads the ' +
    'mount state files of the efs-csi-node pods (pods/exec) to see which identity every live mount uses',
};

/**
 * The live mounts as the status API reports them, from the core summary NR-03 reports from (`undefined`: the
 * inspection was on but no efs-csi-node pod was running, so there was nothing to read).
 */
export function liveMountsStatus(summary: LiveMountSummary | undefined): LiveMountsStatus {
  if (!summary) {
    return {
      inspected: false,
      reason: 'no-node-pods',
      message: 'no efs-csi-node pod was running, so there were no mount state files to read',
    };
  }
  if (summary.inspected.length === 0) return notInspected(summary.skipped);
  const toRemount = summary.mounts.filter((m) => m.needsRemount);
  const remount = toRemount
    .slice(0, REMOUNTS_LISTED)
    .map(({ mount, inspection, bucket }): LiveMountToRemount => {
      const credentials = CREDENTIALS[bucket as keyof typeof CREDENTIALS] ?? 'other';
      return {
        credentials,
        ...(mount.credentialsMethod !== undefined ? { credentialsMethod: mount.credentialsMethod } : {}),
        nodePod: `${inspection.namespace}/${inspection.pod}`,
        ...(inspection.nodeName ? { node: inspection.nodeName } : {}),
        ...(mount.applicationPodUid ? { applicationPodUid: mount.applicationPodUid } : {}),
        ...(mount.persistentVolume ? { persistentVolume: mount.persistentVolume } : {}),
        ...(mount.fileSystemId ? { fileSystemId: mount.fileSystemId } : {}),
        ...(mount.accessPointId ? { accessPointId: mount.accessPointId } : {}),
        mount: mount.mountpoint ?? mount.stateFile,
        ...(mount.mountedAt ? { mountedAt: mount.mountedAt } : {}),
      };
    });
  const { tally } = summary;
  return {
    inspected: true,
    ...(summary.expected ? { identity: summary.expected.label } : {}),
    counts: {
      dedicated: tally.dedicated,
      instanceRole: tally.instanceRole,
      olderIdentity: tally.older,
      other: tally.other,
      withoutIam: tally.withoutIam,
    },
    nodePods: summary.inspected.length,
    remount,
    remountCount: toRemount.length,
    ...(summary.skipped.length > 0
      ? {
          notInspected: {
            pods: summary.skipped.map((i) => `${i.namespace}/${i.pod}`),
            reason: reasonOf(summary.skipped),
          },
        }
      : {}),
  };
}

function notInspected(skipped: NodePodInspection[]): LiveMountsStatus {
  const forbidden = skipped.every((i) => i.stateFiles.status === 'forbidden');
  return {
    inspected: false,
    reason: forbidden ? 'forbidden' : 'failed',
    message: `the mount state files of ${skipped.length} efs-csi-node pod(s) could not be read: ${reasonOf(skipped)}`,
  };
}

/** The same words NR-03's "not inspected" finding uses: a 403 names the permission, anything else its message. */
function reasonOf(skipped: NodePodInspection[]): string {
  if (skipped.every((i) => i.stateFiles.status === 'forbidden')) {
    return "the backend's identity may not use pods/exec on them (grant the node-inspector Role as docs/permissions.md shows)";
  }
  const first = skipped.find((i) => i.stateFiles.status === 'failed')?.stateFiles;
  return first && 'message' in first ? first.message : 'unknown error';
}
