import { isKnown } from '../model/unknown';
import {
  accountOfCluster,
  liveCluster,
  networkFileSystems,
  nodeList,
  nodeZones,
  usesCrossAccountDns,
  zoneLabel,
} from './network-support';
import type { Rule, RuleFinding } from './rule';

const bare = (name: string) => name.replace(/\.$/, '').toLowerCase();

/**
 * XA-02: a cross-account file system lacks, for an AZ ID that runs efs-csi-node, a mount target in that AZ ID or —
 * for volumes with `crossaccount: "true"` — the private DNS record efs-utils resolves. In that mode efs-utils asks
 * the instance metadata for the node's AZ ID and resolves exactly `<az-id>.<fs-id>.efs.<region>.amazonaws.com`,
 * without fallback (aws/efs-utils `README.md` "crossaccount option prerequisites", `src/mount_efs/dns_resolver.py`).
 * Facts: `MountTarget.availabilityZoneId`, `network.hostedZones` (private, VPC associations, A records). Without
 * volumes in the inputs, a hosted zone of that form for the file system says the DNS mode is in use.
 */
export const XA02: Rule = {
  id: 'XA-02',
  severity: 'error',
  title: "Missing mount target or DNS record for a node's AZ ID",
  requires: ['A'],
  check({ view }) {
    const findings: RuleFinding[] = [];
    const cluster = liveCluster(view);
    const clusterAccount = cluster ? accountOfCluster(cluster) : undefined;
    const zones = nodeZones(view);
    const hostedZones = view.snapshot.network.hostedZones;
    for (const fs of networkFileSystems(view)) {
      if (!cluster || !clusterAccount || !isKnown(fs.accountId) || fs.accountId === clusterAccount) continue;
      const region = isKnown(fs.region) ? fs.region : isKnown(cluster.region) ? cluster.region : '<region>';
      const suffix = `.${fs.id}.efs.${region}.amazonaws.com`;
      const volumes = view.volumesOn(fs);
      const dnsVolumes = volumes.filter((v) => usesCrossAccountDns(view, v)).map((v) => v.resource);
      const dns =
        dnsVolumes.length > 0 ||
        (volumes.length === 0 && hostedZones.some((z) => bare(z.name).endsWith(suffix)));
      const why =
        dnsVolumes.length > 0
          ? `${dnsVolumes.join(', ')} mount${dnsVolumes.length > 1 ? '' : 's'} with crossaccount: "true"`
          : `a hosted zone *${suffix} exists`;
      for (const zone of zones) {
        const where = `AZ ID ${zoneLabel(zone)} (nodes ${nodeList(zone)})`;
        const inZone = fs.mountTargets.filter((t) => t.availabilityZoneId === zone.azId);
        const target = inZone.find((t) => t.state === 'available') ?? inZone[0];
        const name = `${zone.azId}${suffix}`;
        if (!target) {
          findings.push({
            message:
              `${fs.id} in account ${fs.accountId} has no mount target in ${where}: AZ names map to different AZ IDs in each account, so the mount target must be in a subnet of the EFS account whose AZ ID is ${zone.azId}` +
              (dns
                ? `; ${why}, and efs-utils resolves ${name} with no fallback, so those mounts fail`
                : `; mounts there cross AZs or fail`),
            origin: fs.origin,
            resource: fs.id,
            fix:
              `With credentials of account ${fs.accountId}:\naws efs create-mount-target --region ${region} --file-system-id ${fs.id} --subnet-id <subnet in AZ ID ${zone.azId}> --security-groups ${fs.mountTargets[0]?.securityGroupIds.join(' ') || '<mount target SG>'}` +
              (dns
                ? `\nthen the private hosted zone ${name} with an A record of its IP (see docs/rules/XA-02.md)`
                : ''),
          });
          continue;
        }
        if (!dns) continue;
        const named = hostedZones.filter((z) => bare(z.name) === name);
        const privateZones = named.filter((z) => z.privateZone);
        const associated = privateZones.filter((z) => z.vpcIds.includes(cluster.vpcId as string));
        const records = associated.flatMap((z) =>
          z.records.filter((r) => bare(r.name) === name && r.type === 'A'),
        );
        const ip = target.ipAddress ?? '<mount target IP>';
        const fail = `${why}, so mounts on nodes in ${zone.azId} fail with Failed to resolve "${name}"`;
        const recordFix = (zoneId: string) =>
          `aws route53 change-resource-record-sets --hosted-zone-id ${zoneId} --change-batch '{"Changes": [{"Action": "UPSERT", "ResourceRecordSet": {"Name": "${name}", "Type": "A", "TTL": 300, "ResourceRecords": [{"Value": "${ip}"}]}}]}'`;
        let problem: string | undefined;
        let fix = '';
        if (privateZones.length === 0) {
          problem =
            named.length > 0
              ? `the hosted zone ${named[0].id} named ${name} is public, not private`
              : `no private hosted zone ${name} exists`;
          fix =
            `In the cluster account:\naws route53 create-hosted-zone --name ${name} --vpc VPCRegion=${region},VPCId=${cluster.vpcId} --caller-reference "$(date +%s)"\n` +
            recordFix('<new zone id>');
        } else if (associated.length === 0) {
          problem = `the private hosted zone ${privateZones[0].id} (${name}) is not associated with the cluster VPC ${cluster.vpcId}`;
          fix = `aws route53 associate-vpc-with-hosted-zone --hosted-zone-id ${privateZones[0].id} --vpc VPCRegion=${region},VPCId=${cluster.vpcId}`;
        } else if (records.length === 0) {
          problem = `the private hosted zone ${associated[0].id} (${name}) has no A record for its apex`;
          fix = recordFix(associated[0].id);
        } else if (target.ipAddress && !records.some((r) => r.values.includes(target.ipAddress as string))) {
          problem = `the A record of ${name} in ${associated[0].id} is ${records.flatMap((r) => r.values).join(', ')}, not ${ip}, the IP of mount target ${target.id}`;
          fix = recordFix(associated[0].id);
        }
        if (!problem) continue;
        findings.push({
          message: `${fs.id} in account ${fs.accountId}, ${where}: ${problem}; ${fail}`,
          origin: (associated[0] ?? privateZones[0] ?? named[0])?.origin ?? target.origin,
          resource: fs.id,
          fix,
        });
      }
    }
    return findings;
  },
};
