import type { RouteFacts, VpcConnection } from '../model/snapshot';
import { isKnown } from '../model/unknown';
import { cidrContains, cidrsOverlap, liveCluster, networkFileSystems } from './network-support';
import type { Rule, RuleFinding } from './rule';

const UP = ['active', 'available'];

/**
 * XA-01: no working path between the cluster VPC and the VPC of a file system's mount targets. efs-utils must reach
 * TCP 2049 on the mount target (aws/efs-utils `README.md`, crossaccount prerequisites: peering and route tables), so
 * a peering connection or transit gateway attachment pair must be up (snapshot: `network.connections`) and route
 * tables on both sides must send the peer's addresses through it (`network.routes`): the cluster VPC the mount
 * target IPs, the file system's VPC the cluster VPC CIDRs. A side whose route tables are not in the inputs (not a
 * single route, not even `local`) is undecidable. Route tables are not matched to subnets: one route suffices.
 */
export const XA01: Rule = {
  id: 'XA-01',
  severity: 'error',
  title: 'No working route between the cluster VPC and the EFS VPC',
  requires: ['A'],
  check({ view }) {
    const findings: RuleFinding[] = [];
    const cluster = liveCluster(view);
    const clusterVpc = cluster?.vpcId;
    if (!cluster || !clusterVpc) return findings;
    const region = isKnown(cluster.region) ? cluster.region : '<region>';
    const cidrs = cluster.vpcCidrs ?? [];
    const { connections, routes } = view.snapshot.network;
    const via = (route: RouteFacts, c: VpcConnection) =>
      route.state === 'active' &&
      (route.target === c.id || (c.kind === 'transit-gateway' && /^tgw-(?!attach-)/.test(route.target)));
    for (const fs of networkFileSystems(view)) {
      const efsVpcs = [
        ...new Set(fs.mountTargets.map((t) => t.vpcId).filter((v): v is string => !!v && v !== clusterVpc)),
      ];
      for (const efsVpc of efsVpcs) {
        const ips = fs.mountTargets
          .filter((t) => t.vpcId === efsVpc && t.ipAddress)
          .map((t) => t.ipAddress as string);
        const between = connections.filter((c) => c.vpcIds.includes(clusterVpc) && c.vpcIds.includes(efsVpc));
        const pair = `the cluster VPC ${clusterVpc} and ${efsVpc}, the VPC of ${fs.id}'s mount targets${isKnown(fs.accountId) ? ` (account ${fs.accountId})` : ''}`;
        const hangs = `mounts of ${fs.id} hang until "Connection timed out" and pods stay in ContainerCreating`;
        if (between.length === 0) {
          findings.push({
            message: `no VPC peering connection or transit gateway attachment links ${pair}: ${hangs}`,
            origin: fs.origin,
            resource: fs.id,
            fix:
              `aws ec2 create-vpc-peering-connection --region ${region} --vpc-id ${clusterVpc} --peer-vpc-id ${efsVpc}` +
              `${isKnown(fs.accountId) ? ` --peer-owner-id ${fs.accountId}` : ''} --peer-region ${region}\n` +
              `# in the file system's account: aws ec2 accept-vpc-peering-connection --vpc-peering-connection-id <pcx-id>\n# then the routes both ways (see docs/rules/XA-01.md)`,
          });
          continue;
        }
        const up = between.filter((c) => UP.includes(c.status));
        if (up.length === 0) {
          const c = between[0];
          findings.push({
            message: `the ${c.kind === 'peering' ? 'VPC peering connection' : 'transit gateway attachment'} ${c.id} between ${pair} is "${c.status}", not active: ${hangs}`,
            origin: c.origin,
            resource: fs.id,
            fix:
              c.kind === 'peering'
                ? `With credentials of the accepter account${c.accountIds ? ` (${c.accountIds[1]})` : ''}:\naws ec2 accept-vpc-peering-connection --region ${region} --vpc-peering-connection-id ${c.id}`
                : `Accept or recreate the transit gateway attachment ${c.id}: aws ec2 describe-transit-gateway-vpc-attachments --region ${region}`,
          });
          continue;
        }
        const tablesOf = (vpc: string) => routes.filter((r) => r.vpcId === vpc);
        const results = up.map((c) => {
          const own = tablesOf(clusterVpc);
          // Without mount target IPs, any route through the connection counts.
          const there: 'unread' | string[] =
            own.length === 0
              ? 'unread'
              : ips.length === 0
                ? own.some((r) => via(r, c))
                  ? []
                  : ['the mount target subnets']
                : ips.filter((ip) => !own.some((r) => via(r, c) && cidrContains(r.destinationCidr, ip)));
          const back =
            tablesOf(efsVpc).length === 0 || cidrs.length === 0
              ? 'unread'
              : tablesOf(efsVpc).some(
                  (r) => via(r, c) && cidrs.some((cidr) => cidrsOverlap(r.destinationCidr, cidr)),
                );
          return { c, there, back };
        });
        if (results.some((r) => Array.isArray(r.there) && r.there.length === 0 && r.back === true)) continue;
        const { c, there, back } = results[0];
        const target =
          c.kind === 'peering' ? `--vpc-peering-connection-id ${c.id}` : '--transit-gateway-id <tgw-id>';
        const gaps: string[] = [];
        const fixes: string[] = [];
        const unread: string[] = [];
        if (there === 'unread') unread.push(`the route tables of ${clusterVpc}`);
        else if (there.length > 0) {
          gaps.push(`no active route in ${clusterVpc} sends ${there.join(', ')} to ${c.id}`);
          const tables = [...new Set(tablesOf(clusterVpc).map((r) => r.routeTableId))];
          fixes.push(
            ...tables.map(
              (t) =>
                `aws ec2 create-route --region ${region} --route-table-id ${t} --destination-cidr-block <CIDR of the mount target subnets, covering ${there.join(', ')}> ${target}`,
            ),
          );
        }
        if (back === 'unread')
          unread.push(cidrs.length === 0 ? 'the cluster VPC CIDRs' : `the route tables of ${efsVpc}`);
        else if (!back) {
          gaps.push(
            `no active route in ${efsVpc} sends the cluster CIDRs (${cidrs.join(', ')}) back to ${c.id}`,
          );
          const tables = [...new Set(tablesOf(efsVpc).map((r) => r.routeTableId))];
          fixes.push(
            ...tables.flatMap((t) =>
              cidrs.map(
                (cidr) =>
                  `aws ec2 create-route --region ${region} --route-table-id ${t} --destination-cidr-block ${cidr} ${target}`,
              ),
            ),
          );
          if (isKnown(fs.accountId))
            fixes.push(`# the last commands with credentials of account ${fs.accountId}`);
        }
        if (gaps.length === 0 && unread.length === 0) continue;
        findings.push({
          message:
            gaps.length > 0
              ? `${c.id} links ${pair}, but ${gaps.join(', and ')}: ${hangs}`
              : `cannot tell whether ${c.id} carries traffic between ${pair}: ${unread.join(' and ')} are not in the inputs`,
          origin: c.origin,
          resource: fs.id,
          ...(gaps.length === 0 ? { undecidable: true } : {}),
          ...(fixes.length > 0
            ? {
                fix: `Add the routes (every route table of the node subnets / the mount target subnets):\n${fixes.join('\n')}`,
              }
            : {}),
        });
      }
    }
    return findings;
  },
};
