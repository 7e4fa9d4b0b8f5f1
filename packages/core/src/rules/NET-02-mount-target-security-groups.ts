import type { SecurityGroupFacts } from '../model/snapshot';
import { isKnown } from '../model/unknown';
import {
  accountOfCluster,
  cidrContains,
  cidrsOverlap,
  liveCluster,
  networkFileSystems,
  nodeZones,
  zoneLabel,
} from './network-support';
import type { Rule, RuleFinding } from './rule';

const NFS_PORT = 2049;

/**
 * NET-02: no security group of a mount target the nodes use admits TCP 2049 from them. NFS and efs-proxy (TLS) both
 * connect to 2049 (driver `docs/efs-create-filesystem.md`); a dropped connection shows as a timeout. Sources that count
 * (snapshot: `Cluster.clusterSecurityGroupId`, `nodeSecurityGroupIds`, `vpcCidrs`; `SecurityGroupFacts.ingress`):
 * the cluster security group, a node security group, or a CIDR that covers a cluster VPC CIDR. A CIDR that covers
 * only part of the VPC may or may not hold the node subnets (undecidable). Network ACLs are not read.
 */
export const NET02: Rule = {
  id: 'NET-02',
  severity: 'error',
  title: 'Mount target security groups do not admit NFS from the nodes',
  requires: ['A'],
  check({ view }) {
    const findings: RuleFinding[] = [];
    const cluster = liveCluster(view);
    if (!cluster) return findings;
    const groups = [cluster.clusterSecurityGroupId, ...(cluster.nodeSecurityGroupIds ?? [])].filter(
      (g): g is string => !!g,
    );
    const cidrs = cluster.vpcCidrs ?? [];
    if (groups.length === 0 && cidrs.length === 0) return findings;
    const region = isKnown(cluster.region) ? cluster.region : '<region>';
    const zones = nodeZones(view);
    const judge = (sg: SecurityGroupFacts): 'admits' | 'partial' | 'no' => {
      let partial = false;
      for (const rule of sg.ingress) {
        const tcp = ['tcp', '6', '-1', 'all'].includes(rule.protocol.toLowerCase());
        const port =
          rule.protocol === '-1' || ((rule.fromPort ?? 0) <= NFS_PORT && NFS_PORT <= (rule.toPort ?? 65535));
        if (!tcp || !port) continue;
        if (
          rule.sourceSecurityGroupId &&
          groups.includes(rule.sourceSecurityGroupId.split('/').pop() as string)
        )
          return 'admits';
        if (rule.cidr && cidrs.some((c) => cidrContains(rule.cidr as string, c))) return 'admits';
        if (rule.cidr && cidrs.some((c) => cidrsOverlap(rule.cidr as string, c))) partial = true;
      }
      return partial ? 'partial' : 'no';
    };
    for (const fs of networkFileSystems(view)) {
      const used = fs.mountTargets.filter(
        (t) =>
          t.state !== 'deleted' && (zones.length === 0 || zones.some((z) => z.azId === t.availabilityZoneId)),
      );
      for (const target of used) {
        const known = target.securityGroupIds.map((id) =>
          view.snapshot.network.securityGroups.find((g) => g.id === id),
        );
        const verdicts = known.map((g) => (g ? judge(g) : 'unread'));
        if (verdicts.includes('admits')) continue;
        const undecidable = verdicts.includes('partial') || verdicts.includes('unread');
        const zone = zones.find((z) => z.azId === target.availabilityZoneId);
        const sameVpc = target.vpcId !== undefined && target.vpcId === cluster.vpcId;
        const foreign = target.accountId !== undefined && target.accountId !== accountOfCluster(cluster);
        const sgList = target.securityGroupIds.join(', ') || 'none';
        const source =
          sameVpc && groups[0] ? `--source-group ${groups[0]}` : `--cidr ${cidrs[0] ?? '<node CIDR>'}`;
        const partialCidrs = known
          .flatMap((g) => g?.ingress ?? [])
          .filter((r) => r.cidr && cidrs.some((c) => cidrsOverlap(r.cidr as string, c)))
          .map((r) => r.cidr);
        const unread = target.securityGroupIds.filter((_, i) => !known[i]);
        findings.push({
          message:
            `${undecidable ? 'cannot tell whether a' : 'no'} security group of mount target ${target.id} of ${fs.id} ` +
            `(${target.ipAddress ?? 'IP unknown'}, AZ ${zone ? zoneLabel(zone) : target.availabilityZoneId}; security groups ${sgList}) ` +
            `admits inbound TCP ${NFS_PORT} from the cluster or node security groups (${groups.join(', ') || 'unknown'}) or the cluster VPC CIDRs (${cidrs.join(', ') || 'unknown'})` +
            (partialCidrs.length > 0
              ? `: ${[...new Set(partialCidrs)].join(', ')} covers only part of the VPC`
              : '') +
            (unread.length > 0 ? `: the rules of ${unread.join(', ')} are not in the inputs` : '') +
            (undecidable
              ? ''
              : `: mounts through it time out ("Connection timed out") and pods stay in ContainerCreating`),
          origin: known.find((g) => g)?.origin ?? target.origin,
          resource: target.id,
          ...(undecidable ? { undecidable: true } : {}),
          fix:
            `Allow NFS from the nodes${foreign ? ` (with credentials of account ${target.accountId})` : ''}:\n` +
            `aws ec2 authorize-security-group-ingress --region ${region} --group-id ${target.securityGroupIds[0] ?? '<mount target SG>'} --protocol tcp --port ${NFS_PORT} ${source}`,
        });
      }
    }
    return findings;
  },
};
