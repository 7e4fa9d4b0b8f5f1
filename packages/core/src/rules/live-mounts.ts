import type { LiveMount, NodePodInspection } from '../model/node-inspection';
import type { Snapshot } from '../model/snapshot';
import { isKnown } from '../model/unknown';
import type { NodeIdentityView } from './view';

/**
 * Which identity each live mount really uses, from the node pods' mount state files (`Snapshot.nodeInspections`).
 * NR-03 reports from it, and front ends (the Backstage status API) show the same counts without parsing messages.
 */

/** The identity efs-utils should use today: Pod Identity wins over IRSA (PI-10), as in the credential chain. */
export interface ExpectedNodeIdentity {
  via: 'pod-identity' | 'irsa';
  roleArn?: string;
  /** `Pod Identity, role arn:…` or `IRSA, role arn:…`. */
  label: string;
}

/**
 * `dedicated`: the configured identity; `instanceRole`: the node instance role (`metadata:`); `older`: Pod Identity
 * or IRSA, but not what is configured now; `withoutIam`: mounted without `iam`; `other`: any other source (a profile,
 * ECS credentials, an unrecognised method, or the web identity/Pod Identity when no dedicated identity is configured).
 */
export type LiveMountBucket = 'dedicated' | 'instanceRole' | 'older' | 'withoutIam' | 'other';

export interface JudgedLiveMount {
  mount: LiveMount;
  inspection: NodePodInspection;
  bucket: LiveMountBucket;
  /**
   * The mount must be mounted again to get the configured identity: every mount in `instanceRole`, `older` or
   * `other` while a dedicated identity is configured (without one there is nothing better to move to).
   */
  needsRemount: boolean;
}

export interface LiveMountSummary {
  /** Undefined when the node service account has no dedicated identity (no association, no IRSA annotation). */
  expected?: ExpectedNodeIdentity;
  /** Node pods whose state files were read. */
  inspected: NodePodInspection[];
  /** Node pods whose state files could not be read (`forbidden` or `failed`). */
  skipped: NodePodInspection[];
  tally: Record<LiveMountBucket, number>;
  /** Every mount of the inspected pods, in pod order then state file order. */
  mounts: JudgedLiveMount[];
}

/** The identity the node service account is configured with (Pod Identity first, as efs-utils' credential chain). */
export function expectedNodeIdentity(view: NodeIdentityView): ExpectedNodeIdentity | undefined {
  const binding =
    view.nodeRoles.find((b) => b.via === 'pod-identity') ?? view.nodeRoles.find((b) => b.via === 'irsa');
  if (!binding) return undefined;
  const roleArn = isKnown(binding.arn) ? binding.arn : undefined;
  const how = binding.via === 'pod-identity' ? 'Pod Identity' : 'IRSA';
  return {
    via: binding.via,
    ...(roleArn ? { roleArn } : {}),
    label: `${how}${roleArn ? `, role ${roleArn}` : ''}`,
  };
}

/** Which bucket a mount's credentials source falls in, against the configured identity. */
export function bucketOf(mount: LiveMount, expected: ExpectedNodeIdentity | undefined): LiveMountBucket {
  const source = mount.credentials;
  if (source.kind === 'none') return 'withoutIam';
  if (source.kind === 'instance-role') return 'instanceRole';
  if (!expected) return 'other';
  const matches =
    (source.kind === 'pod-identity' && expected.via === 'pod-identity') ||
    (source.kind === 'web-identity' &&
      expected.via === 'irsa' &&
      (expected.roleArn === undefined || source.roleArn === expected.roleArn));
  if (matches) return 'dedicated';
  return source.kind === 'pod-identity' || source.kind === 'web-identity' ? 'older' : 'other';
}

/** The live mounts of the snapshot by identity; undefined when the node pods were not inspected (the opt-in is off). */
export function summarizeLiveMounts(
  snapshot: Snapshot,
  view: NodeIdentityView,
): LiveMountSummary | undefined {
  const inspections = snapshot.nodeInspections;
  if (inspections.length === 0) return undefined;
  const expected = expectedNodeIdentity(view);
  const tally: Record<LiveMountBucket, number> = {
    dedicated: 0,
    instanceRole: 0,
    older: 0,
    withoutIam: 0,
    other: 0,
  };
  const mounts: JudgedLiveMount[] = [];
  for (const inspection of inspections) {
    for (const mount of inspection.mounts) {
      const bucket = bucketOf(mount, expected);
      tally[bucket]++;
      const needsRemount = expected !== undefined && bucket !== 'dedicated' && bucket !== 'withoutIam';
      mounts.push({ mount, inspection, bucket, needsRemount });
    }
  }
  return {
    ...(expected ? { expected } : {}),
    inspected: inspections.filter((i) => i.stateFiles.status === 'read'),
    skipped: inspections.filter((i) => i.stateFiles.status !== 'read'),
    tally,
    mounts,
  };
}
