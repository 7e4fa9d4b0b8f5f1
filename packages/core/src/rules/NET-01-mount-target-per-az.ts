import { isKnown } from '../model/unknown';
import {
  accountOfCluster,
  liveCluster,
  mountTargetLabel,
  networkFileSystems,
  nodeList,
  nodeZones,
  zoneLabel,
} from './network-support';
import type { Rule, RuleFinding } from './rule';

/**
 * NET-01: an AZ that runs efs-csi-node has no `available` mount target of an in-scope file system. efs-utils mounts
 * through the file system's DNS name, which resolves only to the mount target in the client's own AZ
 * (aws/efs-utils `src/mount_efs/dns_resolver.py`: "Failed to resolve … ensure that the VPC has an EFS mount target"),
 * then falls back to another AZ through the EFS API. Compared by AZ ID (snapshot: pods' and nodes'
 * `availabilityZoneId`, `MountTarget.availabilityZoneId`), so it holds across accounts too.
 */
export const NET01: Rule = {
  id: 'NET-01',
  severity: 'error',
  title: 'No available mount target in an AZ that runs node pods',
  requires: ['A', 'K'],
  check({ view }) {
    const findings: RuleFinding[] = [];
    const zones = nodeZones(view);
    const cluster = liveCluster(view);
    const clusterAccount = cluster ? accountOfCluster(cluster) : undefined;
    for (const fs of networkFileSystems(view)) {
      const region = isKnown(fs.region)
        ? fs.region
        : cluster && isKnown(cluster.region)
          ? cluster.region
          : '<region>';
      const foreign =
        isKnown(fs.accountId) && clusterAccount !== undefined && fs.accountId !== clusterAccount;
      const sgs = [...new Set(fs.mountTargets.flatMap((t) => t.securityGroupIds))];
      for (const zone of zones) {
        const inZone = fs.mountTargets.filter((t) => t.availabilityZoneId === zone.azId);
        if (inZone.some((t) => t.state === 'available')) continue;
        const where = `AZ ${zoneLabel(zone)}, where efs-csi-node runs on ${nodeList(zone)}`;
        const effect =
          `mounts from pods on ${zone.nodes.length > 1 ? 'those nodes' : 'that node'} fail to resolve "${fs.id}.efs.${region}.amazonaws.com" and, ` +
          `unless the node role may elasticfilesystem:DescribeMountTargets, stay in ContainerCreating (otherwise they cross AZs)`;
        const vpc = fs.mountTargets.find((t) => t.vpcId)?.vpcId ?? cluster?.vpcId;
        const create =
          `aws efs create-mount-target --region ${region} --file-system-id ${fs.id} ` +
          `--subnet-id <subnet of ${vpc ?? 'the VPC'} in AZ ID ${zone.azId}> --security-groups ${sgs.join(' ') || '<mount target security group>'}` +
          (foreign
            ? `\n# with credentials of account ${fs.accountId}: AZ names differ between accounts, pick the subnet by AZ ID`
            : '');
        if (inZone.length === 0) {
          findings.push({
            message: `file system ${fs.id}${foreign ? ` (account ${fs.accountId})` : ''} has no mount target in ${where}: ${effect}`,
            origin: fs.origin,
            resource: fs.id,
            fix: `Create a mount target in ${zone.azId}:\n${create}\nOr keep the node group out of that AZ.`,
          });
          continue;
        }
        findings.push({
          message: `the mount target ${inZone.map(mountTargetLabel).join(', ')} of ${fs.id} in ${where} is ${inZone.map((t) => `"${t.state}"`).join(', ')}, not available: ${effect}`,
          origin: inZone[0].origin,
          resource: fs.id,
          fix:
            `Check its state: aws efs describe-mount-targets --region ${region} --file-system-id ${fs.id} ` +
            `--query 'MountTargets[].{id:MountTargetId,azId:AvailabilityZoneId,state:LifeCycleState}'\n` +
            `Wait for "creating" to finish; after "deleting" (or "error"), create a new one:\n${create}`,
        });
      }
    }
    return findings;
  },
};
