/**
 * Seed helpers for the scenario loader and tests: EFS file systems, mount targets and access points; VPCs, subnets,
 * security groups with rules, peerings, route tables, Route 53 hosted zones and per-account AZ mappings.
 *
 * IDs are optional everywhere: when absent they are derived from the account and a counter (deterministic, so a
 * scenario seeds the same IDs every run), in the shape AWS uses (`fs-` + 17 hex, `sg-` + 17 hex, `Z` + 21 chars).
 * Every helper takes the state and the owning account's ID; the account must exist (see `addAccount`).
 */
import { createHash } from 'node:crypto';
import type { Account, SandboxState } from '../state/account';
import type {
  AvailabilityZoneMapping,
  HostedZone,
  ResourceRecord,
  Route,
  RouteTable,
  SecurityGroup,
  SecurityGroupRule,
  Subnet,
  Vpc,
  VpcPeeringConnection,
} from '../state/ec2';
import type { EfsAccessPoint, EfsFileSystem, EfsLifeCycleState, EfsMountTarget } from '../state/efs';
import { ensureZones, regionOfZoneName } from './ec2-zones';

function accountOf(state: SandboxState, accountId: string): Account {
  const account = state.accounts.get(accountId);
  if (!account) throw new Error(`seed: account ${accountId} does not exist (add it with addAccount first)`);
  return account;
}

/** A deterministic ID that is not yet in `taken`: `<prefix><hex>` or, for Route 53, upper-case base-32-ish. */
function newId(
  account: Account,
  prefix: string,
  length: number,
  taken: (id: string) => boolean,
  alphabet = '0123456789abcdef',
): string {
  for (let n = 0; ; n++) {
    const digest = createHash('sha256').update(`${account.id}/${prefix}/${n}`).digest();
    let body = '';
    for (let i = 0; i < length; i++) body += alphabet[digest[i % digest.length] % alphabet.length];
    const id = `${prefix}${body}`;
    if (!taken(id)) return id;
  }
}

const r53Alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

function tagsOf(tags: Record<string, string> | undefined, name?: string): Record<string, string> {
  return { ...(name !== undefined ? { Name: name } : {}), ...(tags ?? {}) };
}

// ---------------------------------------------------------------------------------------------------------------
// Availability zones

/**
 * Sets the account's AZ name ↔ ID mapping for a region, e.g. `{ 'eu-west-1a': 'euw1-az2', 'eu-west-1b': 'euw1-az1' }`.
 * Without a mapping the account gets a default one derived from its ID (see `defaultAvailabilityZones`).
 */
export function setAvailabilityZones(
  state: SandboxState,
  accountId: string,
  region: string,
  mapping: Record<string, string>,
): AvailabilityZoneMapping[] {
  const account = accountOf(state, accountId);
  account.ec2.availabilityZones = account.ec2.availabilityZones.filter((z) => z.region !== region);
  const zones = Object.entries(mapping).map(([zoneName, zoneId]) => ({ zoneName, zoneId, region }));
  account.ec2.availabilityZones.push(...zones);
  return zones;
}

// ---------------------------------------------------------------------------------------------------------------
// EC2 networking

export interface VpcSpec {
  vpcId?: string;
  cidrBlock: string;
  region?: string;
  isDefault?: boolean;
  name?: string;
  tags?: Record<string, string>;
}

export function addVpc(state: SandboxState, accountId: string, spec: VpcSpec): Vpc {
  const account = accountOf(state, accountId);
  const vpcId = spec.vpcId ?? newId(account, 'vpc-', 17, (id) => account.ec2.vpcs.has(id));
  const region = spec.region ?? state.defaultRegion;
  const vpc: Vpc = {
    vpcId,
    cidrBlock: spec.cidrBlock,
    region,
    isDefault: spec.isDefault ?? false,
    tags: tagsOf(spec.tags, spec.name),
  };
  account.ec2.vpcs.set(vpcId, vpc);
  ensureZones(account, region);
  return vpc;
}

export interface SubnetSpec {
  subnetId?: string;
  vpcId: string;
  cidrBlock: string;
  /** The AZ by name (as this account names it) or by ID; one of the two. */
  availabilityZone?: string;
  availabilityZoneId?: string;
  name?: string;
  tags?: Record<string, string>;
}

export function addSubnet(state: SandboxState, accountId: string, spec: SubnetSpec): Subnet {
  const account = accountOf(state, accountId);
  const vpc = account.ec2.vpcs.get(spec.vpcId);
  if (!vpc) throw new Error(`seed: VPC ${spec.vpcId} does not exist in account ${accountId}`);
  const region = vpc.region ?? state.defaultRegion;
  const zones = ensureZones(account, region);
  const zone = spec.availabilityZoneId
    ? zones.find((z) => z.zoneId === spec.availabilityZoneId)
    : spec.availabilityZone
      ? zones.find((z) => z.zoneName === spec.availabilityZone)
      : zones[0];
  if (!zone) {
    throw new Error(
      `seed: account ${accountId} has no zone ${spec.availabilityZoneId ?? spec.availabilityZone} in ${region}`,
    );
  }
  const subnetId = spec.subnetId ?? newId(account, 'subnet-', 17, (id) => account.ec2.subnets.has(id));
  const subnet: Subnet = {
    subnetId,
    vpcId: spec.vpcId,
    cidrBlock: spec.cidrBlock,
    availabilityZone: zone.zoneName,
    availabilityZoneId: zone.zoneId,
    tags: tagsOf(spec.tags, spec.name),
  };
  account.ec2.subnets.set(subnetId, subnet);
  return subnet;
}

export interface SecurityGroupRuleSpec {
  ruleId?: string;
  /** Inbound unless true. */
  egress?: boolean;
  /** `tcp` (default), `udp`, `icmp`, `-1`. */
  ipProtocol?: string;
  fromPort?: number;
  toPort?: number;
  /** Shorthand for fromPort = toPort = port. */
  port?: number;
  cidrIpv4?: string;
  referencedGroupId?: string;
  referencedGroupOwnerId?: string;
  description?: string;
}

export interface SecurityGroupSpec {
  groupId?: string;
  groupName: string;
  vpcId: string;
  description?: string;
  rules?: SecurityGroupRuleSpec[];
  /** Adds AWS's default egress rule (all traffic to 0.0.0.0/0), as a new group has. Default true. */
  defaultEgress?: boolean;
  tags?: Record<string, string>;
}

export function addSecurityGroup(
  state: SandboxState,
  accountId: string,
  spec: SecurityGroupSpec,
): SecurityGroup {
  const account = accountOf(state, accountId);
  if (!account.ec2.vpcs.has(spec.vpcId))
    throw new Error(`seed: VPC ${spec.vpcId} does not exist in account ${accountId}`);
  const groupId = spec.groupId ?? newId(account, 'sg-', 17, (id) => account.ec2.securityGroups.has(id));
  const group: SecurityGroup = {
    groupId,
    groupName: spec.groupName,
    vpcId: spec.vpcId,
    description: spec.description ?? spec.groupName,
    rules: [],
    tags: { ...(spec.tags ?? {}) },
  };
  account.ec2.securityGroups.set(groupId, group);
  if (spec.defaultEgress ?? true)
    addSecurityGroupRule(state, accountId, groupId, {
      egress: true,
      ipProtocol: '-1',
      cidrIpv4: '0.0.0.0/0',
    });
  for (const rule of spec.rules ?? []) addSecurityGroupRule(state, accountId, groupId, rule);
  return group;
}

export function addSecurityGroupRule(
  state: SandboxState,
  accountId: string,
  groupId: string,
  spec: SecurityGroupRuleSpec,
): SecurityGroupRule {
  const account = accountOf(state, accountId);
  const group = account.ec2.securityGroups.get(groupId);
  if (!group) throw new Error(`seed: security group ${groupId} does not exist in account ${accountId}`);
  const taken = (id: string) =>
    [...account.ec2.securityGroups.values()].some((g) => g.rules.some((r) => r.ruleId === id));
  const ipProtocol = spec.ipProtocol ?? 'tcp';
  const allTraffic = ipProtocol === '-1';
  const rule: SecurityGroupRule = {
    ruleId: spec.ruleId ?? newId(account, 'sgr-', 17, taken),
    groupId,
    isEgress: spec.egress ?? false,
    ipProtocol,
    // EC2 reports -1/-1 as the port range of an all-traffic rule.
    fromPort: allTraffic ? -1 : (spec.fromPort ?? spec.port),
    toPort: allTraffic ? -1 : (spec.toPort ?? spec.port),
    ...(spec.cidrIpv4 !== undefined ? { cidrIpv4: spec.cidrIpv4 } : {}),
    ...(spec.referencedGroupId !== undefined
      ? {
          referencedGroupId: spec.referencedGroupId,
          referencedGroupOwnerId: spec.referencedGroupOwnerId ?? accountId,
        }
      : {}),
    ...(spec.description !== undefined ? { description: spec.description } : {}),
  };
  group.rules.push(rule);
  return rule;
}

export interface RouteSpec {
  destinationCidrBlock: string;
  vpcPeeringConnectionId?: string;
  transitGatewayId?: string;
  gatewayId?: string;
  natGatewayId?: string;
  state?: 'active' | 'blackhole';
}

export interface RouteTableSpec {
  routeTableId?: string;
  vpcId: string;
  main?: boolean;
  subnetIds?: string[];
  routes?: RouteSpec[];
  name?: string;
  tags?: Record<string, string>;
}

/** A route table with the VPC's `local` route first, as EC2 creates it, then the given routes. */
export function addRouteTable(state: SandboxState, accountId: string, spec: RouteTableSpec): RouteTable {
  const account = accountOf(state, accountId);
  const vpc = account.ec2.vpcs.get(spec.vpcId);
  if (!vpc) throw new Error(`seed: VPC ${spec.vpcId} does not exist in account ${accountId}`);
  const routeTableId =
    spec.routeTableId ?? newId(account, 'rtb-', 17, (id) => account.ec2.routeTables.has(id));
  const table: RouteTable = {
    routeTableId,
    vpcId: spec.vpcId,
    main: spec.main ?? false,
    subnetIds: [...(spec.subnetIds ?? [])],
    routes: [{ destinationCidrBlock: vpc.cidrBlock, gatewayId: 'local', state: 'active' }],
    tags: tagsOf(spec.tags, spec.name),
  };
  for (const route of spec.routes ?? []) table.routes.push(routeOf(route));
  account.ec2.routeTables.set(routeTableId, table);
  return table;
}

function routeOf(spec: RouteSpec): Route {
  const { state = 'active', ...rest } = spec;
  return { ...rest, state };
}

export function addRoute(
  state: SandboxState,
  accountId: string,
  routeTableId: string,
  spec: RouteSpec,
): Route {
  const account = accountOf(state, accountId);
  const table = account.ec2.routeTables.get(routeTableId);
  if (!table) throw new Error(`seed: route table ${routeTableId} does not exist in account ${accountId}`);
  const route = routeOf(spec);
  table.routes.push(route);
  return route;
}

export interface PeeringSide {
  accountId: string;
  vpcId: string;
}

export interface PeeringSpec {
  id?: string;
  requester: PeeringSide;
  accepter: PeeringSide;
  status?: VpcPeeringConnection['status'];
}

/**
 * A VPC peering between two VPCs (same or different accounts). The connection is stored in both accounts, so each
 * sees it in DescribeVpcPeeringConnections, as in AWS.
 */
export function addVpcPeering(state: SandboxState, spec: PeeringSpec): VpcPeeringConnection {
  const requesterAccount = accountOf(state, spec.requester.accountId);
  const accepterAccount = accountOf(state, spec.accepter.accountId);
  const requesterVpc = requesterAccount.ec2.vpcs.get(spec.requester.vpcId);
  const accepterVpc = accepterAccount.ec2.vpcs.get(spec.accepter.vpcId);
  if (!requesterVpc)
    throw new Error(
      `seed: VPC ${spec.requester.vpcId} does not exist in account ${spec.requester.accountId}`,
    );
  if (!accepterVpc)
    throw new Error(`seed: VPC ${spec.accepter.vpcId} does not exist in account ${spec.accepter.accountId}`);
  const id =
    spec.id ??
    newId(
      requesterAccount,
      'pcx-',
      17,
      (candidate) =>
        requesterAccount.ec2.peeringConnections.has(candidate) ||
        accepterAccount.ec2.peeringConnections.has(candidate),
    );
  const peering: VpcPeeringConnection = {
    id,
    requesterVpcId: requesterVpc.vpcId,
    requesterOwnerId: requesterAccount.id,
    requesterCidr: requesterVpc.cidrBlock,
    requesterRegion: requesterVpc.region ?? state.defaultRegion,
    accepterVpcId: accepterVpc.vpcId,
    accepterOwnerId: accepterAccount.id,
    accepterCidr: accepterVpc.cidrBlock,
    accepterRegion: accepterVpc.region ?? state.defaultRegion,
    status: spec.status ?? 'active',
  };
  requesterAccount.ec2.peeringConnections.set(id, peering);
  accepterAccount.ec2.peeringConnections.set(id, peering);
  return peering;
}

// ---------------------------------------------------------------------------------------------------------------
// Route 53

/** `Example.com` → `example.com.`; `*` → `\052`, as Route 53 returns names. */
export function canonicalRecordName(name: string): string {
  const lower = name.trim().toLowerCase();
  const dotted = lower.endsWith('.') ? lower : `${lower}.`;
  return dotted.replace(/\*/g, '\\052');
}

export interface RecordSpec {
  name: string;
  type: string;
  ttl?: number;
  values: string[];
}

export interface HostedZoneSpec {
  id?: string;
  name: string;
  /** Private when VPCs are given, unless said otherwise. */
  privateZone?: boolean;
  vpcs?: Array<{ vpcId: string; vpcRegion?: string }>;
  records?: RecordSpec[];
  comment?: string;
  callerReference?: string;
}

/** A hosted zone with the SOA and NS records Route 53 creates at its apex, then the given records. */
export function addHostedZone(state: SandboxState, accountId: string, spec: HostedZoneSpec): HostedZone {
  const account = accountOf(state, accountId);
  const name = canonicalRecordName(spec.name);
  const id =
    spec.id ?? newId(account, 'Z', 20, (candidate) => account.ec2.hostedZones.has(candidate), r53Alphabet);
  const zone: HostedZone = {
    id,
    name,
    privateZone: spec.privateZone ?? (spec.vpcs ?? []).length > 0,
    vpcs: (spec.vpcs ?? []).map((v) => ({ vpcId: v.vpcId, vpcRegion: v.vpcRegion ?? state.defaultRegion })),
    records: [
      // The name servers and SOA of a sandbox zone are invented; only their presence matters (paging skips them).
      { name, type: 'NS', ttl: 172800, values: ['ns-1.awsdns-sandbox.com.', 'ns-2.awsdns-sandbox.net.'] },
      {
        name,
        type: 'SOA',
        ttl: 900,
        values: ['ns-1.awsdns-sandbox.com. awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400'],
      },
    ],
    callerReference: spec.callerReference ?? `sandbox-${id}`,
    ...(spec.comment !== undefined ? { comment: spec.comment } : {}),
  };
  account.ec2.hostedZones.set(id, zone);
  for (const record of spec.records ?? []) addRecord(state, accountId, id, record);
  return zone;
}

/** Adds a record set (or replaces the one with the same name and type). */
export function addRecord(
  state: SandboxState,
  accountId: string,
  zoneId: string,
  spec: RecordSpec,
): ResourceRecord {
  const account = accountOf(state, accountId);
  const zone = account.ec2.hostedZones.get(zoneId.replace(/^\/hostedzone\//, ''));
  if (!zone) throw new Error(`seed: hosted zone ${zoneId} does not exist in account ${accountId}`);
  const record: ResourceRecord = {
    name: canonicalRecordName(spec.name),
    type: spec.type.toUpperCase(),
    ttl: spec.ttl ?? 300,
    values: [...spec.values],
  };
  zone.records = zone.records.filter((r) => !(r.name === record.name && r.type === record.type));
  zone.records.push(record);
  return record;
}

// ---------------------------------------------------------------------------------------------------------------
// EFS

export interface FileSystemSpec {
  fileSystemId?: string;
  region?: string;
  name?: string;
  /** The file system policy: JSON text as stored, or an object (serialised with JSON.stringify). */
  policy?: string | object;
  encrypted?: boolean;
  performanceMode?: string;
  throughputMode?: string;
  /** One Zone storage in this AZ (by the owning account's name for it). */
  availabilityZoneName?: string;
  lifeCycleState?: EfsLifeCycleState;
  creationToken?: string;
  creationTime?: Date;
  tags?: Record<string, string>;
}

export function addFileSystem(
  state: SandboxState,
  accountId: string,
  spec: FileSystemSpec = {},
): EfsFileSystem {
  const account = accountOf(state, accountId);
  const region = spec.region ?? state.defaultRegion;
  const fileSystemId =
    spec.fileSystemId ?? newId(account, 'fs-', 17, (id) => account.efs.fileSystems.has(id));
  let zone: AvailabilityZoneMapping | undefined;
  if (spec.availabilityZoneName) {
    zone = ensureZones(account, regionOfZoneName(spec.availabilityZoneName)).find(
      (z) => z.zoneName === spec.availabilityZoneName,
    );
    if (!zone) throw new Error(`seed: account ${accountId} has no zone ${spec.availabilityZoneName}`);
  }
  const fileSystem: EfsFileSystem = {
    fileSystemId,
    fileSystemArn: `arn:aws:elasticfilesystem:${region}:${accountId}:file-system/${fileSystemId}`,
    region,
    creationToken: spec.creationToken ?? `sandbox-${fileSystemId}`,
    creationTime: spec.creationTime ?? new Date(state.now()),
    lifeCycleState: spec.lifeCycleState ?? 'available',
    ...(spec.name !== undefined ? { name: spec.name } : {}),
    encrypted: spec.encrypted ?? true,
    ...(spec.encrypted === false
      ? {}
      : { kmsKeyId: `arn:aws:kms:${region}:${accountId}:key/00000000-0000-4000-8000-000000000000` }),
    performanceMode: spec.performanceMode ?? 'generalPurpose',
    throughputMode: spec.throughputMode ?? 'elastic',
    ...(zone ? { availabilityZoneName: zone.zoneName, availabilityZoneId: zone.zoneId } : {}),
    sizeInBytes: 6144,
    tags: tagsOf(spec.tags, spec.name),
    ...(spec.policy !== undefined
      ? { policy: typeof spec.policy === 'string' ? spec.policy : JSON.stringify(spec.policy) }
      : {}),
  };
  account.efs.fileSystems.set(fileSystemId, fileSystem);
  return fileSystem;
}

export interface MountTargetSpec {
  mountTargetId?: string;
  fileSystemId: string;
  /** The subnet (of the file system's account) the mount target is in: its VPC and AZ come from it. */
  subnetId: string;
  ipAddress?: string;
  securityGroups?: string[];
  lifeCycleState?: EfsLifeCycleState;
}

export function addMountTarget(
  state: SandboxState,
  accountId: string,
  spec: MountTargetSpec,
): EfsMountTarget {
  const account = accountOf(state, accountId);
  if (!account.efs.fileSystems.has(spec.fileSystemId))
    throw new Error(`seed: file system ${spec.fileSystemId} does not exist in account ${accountId}`);
  const subnet = account.ec2.subnets.get(spec.subnetId);
  if (!subnet) throw new Error(`seed: subnet ${spec.subnetId} does not exist in account ${accountId}`);
  const mountTargetId =
    spec.mountTargetId ?? newId(account, 'fsmt-', 17, (id) => account.efs.mountTargets.has(id));
  const mountTarget: EfsMountTarget = {
    mountTargetId,
    fileSystemId: spec.fileSystemId,
    subnetId: subnet.subnetId,
    vpcId: subnet.vpcId,
    availabilityZoneId: subnet.availabilityZoneId,
    availabilityZoneName: subnet.availabilityZone,
    ipAddress: spec.ipAddress ?? firstHostAddress(subnet.cidrBlock, account.efs.mountTargets.size + 10),
    lifeCycleState: spec.lifeCycleState ?? 'available',
    securityGroups: [...(spec.securityGroups ?? [])],
    networkInterfaceId: newId(account, 'eni-', 17, (id) =>
      [...account.efs.mountTargets.values()].some((m) => m.networkInterfaceId === id),
    ),
  };
  account.efs.mountTargets.set(mountTargetId, mountTarget);
  return mountTarget;
}

/** An address inside an IPv4 CIDR: the network address plus `offset`. */
function firstHostAddress(cidr: string, offset: number): string {
  const [base] = cidr.split('/');
  const octets = (base ?? '10.0.0.0').split('.').map(Number);
  const value = ((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]) + offset;
  return [(value >>> 24) & 255, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join('.');
}

export interface AccessPointSpec {
  accessPointId?: string;
  fileSystemId: string;
  name?: string;
  posixUser?: EfsAccessPoint['posixUser'];
  rootDirectory?: EfsAccessPoint['rootDirectory'];
  lifeCycleState?: EfsLifeCycleState;
  tags?: Record<string, string>;
}

export function addAccessPoint(
  state: SandboxState,
  accountId: string,
  spec: AccessPointSpec,
): EfsAccessPoint {
  const account = accountOf(state, accountId);
  const fileSystem = account.efs.fileSystems.get(spec.fileSystemId);
  if (!fileSystem)
    throw new Error(`seed: file system ${spec.fileSystemId} does not exist in account ${accountId}`);
  const accessPointId =
    spec.accessPointId ?? newId(account, 'fsap-', 17, (id) => account.efs.accessPoints.has(id));
  const accessPoint: EfsAccessPoint = {
    accessPointId,
    accessPointArn: `arn:aws:elasticfilesystem:${fileSystem.region}:${accountId}:access-point/${accessPointId}`,
    fileSystemId: fileSystem.fileSystemId,
    clientToken: `sandbox-${accessPointId}`,
    ...(spec.name !== undefined ? { name: spec.name } : {}),
    tags: tagsOf(spec.tags, spec.name),
    ...(spec.posixUser ? { posixUser: spec.posixUser } : {}),
    rootDirectory: spec.rootDirectory ?? { Path: '/' },
    lifeCycleState: spec.lifeCycleState ?? 'available',
  };
  account.efs.accessPoints.set(accessPointId, accessPoint);
  return accessPoint;
}

/**
 * The cross-account DNS setup of the EFS cross-account guide (rule XA-02): a private hosted zone
 * `<az-id>.<fs-id>.efs.<region>.amazonaws.com` in the cluster account, associated with the cluster VPC, whose apex
 * A record is the mount target's IP.
 */
export function addMountTargetDnsZone(
  state: SandboxState,
  spec: {
    clusterAccountId: string;
    clusterVpcId: string;
    fileSystemAccountId: string;
    mountTargetId: string;
    ipAddress?: string;
  },
): HostedZone {
  const efsAccount = accountOf(state, spec.fileSystemAccountId);
  const mountTarget = efsAccount.efs.mountTargets.get(spec.mountTargetId);
  if (!mountTarget)
    throw new Error(
      `seed: mount target ${spec.mountTargetId} does not exist in account ${spec.fileSystemAccountId}`,
    );
  const fileSystem = efsAccount.efs.fileSystems.get(mountTarget.fileSystemId);
  const clusterVpc = accountOf(state, spec.clusterAccountId).ec2.vpcs.get(spec.clusterVpcId);
  if (!clusterVpc)
    throw new Error(`seed: VPC ${spec.clusterVpcId} does not exist in account ${spec.clusterAccountId}`);
  const region = fileSystem?.region ?? state.defaultRegion;
  const name = `${mountTarget.availabilityZoneId}.${mountTarget.fileSystemId}.efs.${region}.amazonaws.com`;
  return addHostedZone(state, spec.clusterAccountId, {
    name,
    vpcs: [{ vpcId: clusterVpc.vpcId, vpcRegion: clusterVpc.region ?? state.defaultRegion }],
    records: [{ name, type: 'A', ttl: 60, values: [spec.ipAddress ?? mountTarget.ipAddress] }],
  });
}
