import type { Origin } from '../model/origin';
import type { Cluster, FileSystem, MountTarget } from '../model/snapshot';
import { isKnown } from '../model/unknown';
import { attributeOf, parseGoBool, provisionerSecretOf } from './support';
import { NODE_CONTAINER, NODE_DAEMONSET, type DriverVolume, type NodeIdentityView } from './view';

/** Helpers for the network rules that read live facts (XA-01, XA-02, NET-01, NET-02). */

// ---- IPv4 CIDR arithmetic ----

/** `10.0.1.2` → its 32-bit value, undefined for anything that is not a dotted-quad IPv4 address. */
export function parseIpv4(text: string): number | undefined {
  const parts = text.trim().split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return undefined;
    value = value * 256 + Number(part);
  }
  return value;
}

/** `10.0.0.0/16` (or a bare address, as /32) → first and last address, undefined when invalid. */
export function parseCidr(text: string): { first: number; last: number; prefix: number } | undefined {
  const [address, bits, extra] = text.trim().split('/');
  if (extra !== undefined) return undefined;
  const prefix = bits === undefined ? 32 : /^\d{1,2}$/.test(bits) ? Number(bits) : NaN;
  const base = parseIpv4(address);
  if (base === undefined || !(prefix >= 0 && prefix <= 32)) return undefined;
  const size = 2 ** (32 - prefix);
  const first = Math.floor(base / size) * size;
  return { first, last: first + size - 1, prefix };
}

/** Does `outer` contain every address of `inner` (a CIDR or an address)? False when either is not IPv4. */
export function cidrContains(outer: string, inner: string): boolean {
  const a = parseCidr(outer);
  const b = parseCidr(inner);
  return !!a && !!b && a.first <= b.first && b.last <= a.last;
}

/** Do two CIDR blocks share at least one address? */
export function cidrsOverlap(x: string, y: string): boolean {
  const a = parseCidr(x);
  const b = parseCidr(y);
  return !!a && !!b && a.first <= b.last && b.first <= a.last;
}

// ---- Live facts joined for the network rules ----

/** The cluster whose VPC the nodes are in (live): the first with a known VPC. */
export function liveCluster(view: NodeIdentityView): Cluster | undefined {
  return view.snapshot.clusters.find((c) => c.vpcId !== undefined);
}

/** An Availability Zone that runs the node component: its AZ ID, its name when known, and the nodes in it. */
export interface NodeZone {
  azId: string;
  azName?: string;
  nodes: string[];
  origin: Origin;
}

/**
 * The AZ IDs that run `efs-csi-node`: those of its pods (their own AZ ID, else their node's), else, when no such
 * pod is in the inputs, those of every node. AZ IDs, not names: names map to different IDs in different accounts.
 */
export function nodeZones(view: NodeIdentityView): NodeZone[] {
  const { snapshot } = view;
  const driverNames = new Set([NODE_DAEMONSET, ...view.driverDaemonSets.map((d) => d.name).filter(isKnown)]);
  const pods = snapshot.pods.filter(
    (p) =>
      (p.ownerDaemonSet !== undefined && driverNames.has(p.ownerDaemonSet)) ||
      p.containers.some((c) => c.name === NODE_CONTAINER),
  );
  const zones = new Map<string, NodeZone>();
  const add = (azId: string | undefined, azName: string | undefined, node: string, origin: Origin) => {
    if (!azId) return;
    const zone = zones.get(azId) ?? { azId, nodes: [], origin };
    if (!zone.azName && azName) zone.azName = azName;
    if (!zone.nodes.includes(node)) zone.nodes.push(node);
    zones.set(azId, zone);
  };
  for (const pod of pods) {
    const node = snapshot.nodes.find((n) => n.name === pod.nodeName);
    add(
      pod.availabilityZoneId ?? node?.availabilityZoneId,
      node?.availabilityZone,
      pod.nodeName ?? pod.name,
      pod.origin,
    );
  }
  if (pods.length === 0)
    for (const n of snapshot.nodes) add(n.availabilityZoneId, n.availabilityZone, n.name, n.origin);
  return [...zones.values()].sort((a, b) => a.azId.localeCompare(b.azId));
}

/** `use1-az4 (us-east-1d)` for messages. */
export function zoneLabel(zone: NodeZone): string {
  return zone.azName ? `${zone.azId} (${zone.azName})` : zone.azId;
}

/** `node-a, node-b` or `node-a, node-b and 3 more`. */
export function nodeList(zone: NodeZone): string {
  const shown = zone.nodes.slice(0, 3).join(', ');
  return zone.nodes.length > 3 ? `${shown} and ${zone.nodes.length - 3} more` : shown;
}

/**
 * In-scope EFS file systems with mount target facts: those the driver's volumes reference, or every EFS file system
 * of the snapshot when it holds no volume (AWS input only).
 */
export function networkFileSystems(
  view: NodeIdentityView,
): Array<FileSystem & { id: string; mountTargets: MountTarget[] }> {
  const referenced = new Set(view.volumes.map((v) => v.fileSystemId).filter(isKnown));
  return view.snapshot.fileSystems.filter(
    (f): f is FileSystem & { id: string; mountTargets: MountTarget[] } =>
      f.type === 'efs' &&
      isKnown(f.id) &&
      f.mountTargets !== undefined &&
      (referenced.size === 0 || referenced.has(f.id)),
  );
}

/** The cluster's account, when a live fact says it. */
export function accountOfCluster(cluster: Cluster): string | undefined {
  if (isKnown(cluster.accountId)) return cluster.accountId;
  return isKnown(cluster.arn) ? cluster.arn.split(':')[4] || undefined : undefined;
}

/**
 * A volume mounts in efs-utils' cross-account DNS mode: `crossaccount` true in its PV volumeAttributes (the
 * controller copies it there from the provisioner Secret), or, for a StorageClass, in its provisioner Secret.
 */
export function usesCrossAccountDns(view: NodeIdentityView, volume: DriverVolume): boolean {
  const attribute = attributeOf(volume, 'crossaccount');
  if (attribute && isKnown(attribute.value) && parseGoBool(attribute.value) === true) return true;
  const secretValue = provisionerSecretOf(view, volume)?.secret?.data.crossaccount;
  return isKnown(secretValue) && parseGoBool(secretValue) === true;
}

/** Where a mount target is, for messages: `fsmt-… (10.0.1.5, subnet-…)`. */
export function mountTargetLabel(target: MountTarget): string {
  const details = [
    target.ipAddress,
    target.subnetId,
    target.state !== 'available' ? target.state : undefined,
  ].filter(Boolean);
  return details.length > 0 ? `${target.id} (${details.join(', ')})` : target.id;
}
