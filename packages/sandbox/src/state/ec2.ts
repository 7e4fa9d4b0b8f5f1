/**
 * EC2 networking and Route 53 state of one account. Owned by the EC2 and Route 53 service modules
 * (services/ec2.ts, services/route53.ts); seeded by services/network-seed.ts.
 */

export interface SecurityGroupRule {
  ruleId: string;
  groupId: string;
  isEgress: boolean;
  /** `tcp`, `udp`, `icmp` or `-1` (all), as EC2 reports it. */
  ipProtocol: string;
  fromPort?: number;
  toPort?: number;
  cidrIpv4?: string;
  referencedGroupId?: string;
  /** Owner of the referenced group when it is in another account (across a peering); this account otherwise. */
  referencedGroupOwnerId?: string;
  description?: string;
}

export interface SecurityGroup {
  groupId: string;
  groupName: string;
  vpcId: string;
  description: string;
  rules: SecurityGroupRule[];
  tags?: Record<string, string>;
}

export interface Vpc {
  vpcId: string;
  cidrBlock: string;
  /** Region of the VPC; the sandbox's default region when absent. */
  region?: string;
  isDefault?: boolean;
  tags?: Record<string, string>;
}

export interface Subnet {
  subnetId: string;
  vpcId: string;
  cidrBlock: string;
  availabilityZone: string;
  availabilityZoneId: string;
  tags?: Record<string, string>;
}

export interface VpcPeeringConnection {
  id: string;
  requesterVpcId: string;
  requesterOwnerId: string;
  requesterCidr: string;
  requesterRegion?: string;
  accepterVpcId: string;
  accepterOwnerId: string;
  accepterCidr: string;
  accepterRegion?: string;
  status:
    | 'active'
    | 'pending-acceptance'
    | 'deleted'
    | 'rejected'
    | 'failed'
    | 'expired'
    | 'provisioning'
    | 'deleting';
}

export interface Route {
  destinationCidrBlock: string;
  vpcPeeringConnectionId?: string;
  transitGatewayId?: string;
  /** `local` for the VPC's own CIDR, `igw-…` for an internet gateway. */
  gatewayId?: string;
  natGatewayId?: string;
  state: 'active' | 'blackhole';
}

export interface RouteTable {
  routeTableId: string;
  vpcId: string;
  /** The VPC's main route table: subnets without an explicit association use it. */
  main?: boolean;
  /** Subnets explicitly associated with this table. */
  subnetIds: string[];
  routes: Route[];
  tags?: Record<string, string>;
}

export interface ResourceRecord {
  /** Fully qualified, lower case, with the trailing dot (as Route 53 returns it). */
  name: string;
  type: string;
  ttl?: number;
  values: string[];
}

export interface HostedZone {
  /** Without the `/hostedzone/` prefix. */
  id: string;
  /** With the trailing dot. */
  name: string;
  privateZone: boolean;
  vpcs: Array<{ vpcId: string; vpcRegion: string }>;
  records: ResourceRecord[];
  callerReference: string;
  comment?: string;
}

/** A submitted ChangeResourceRecordSets batch (GetChange reads it). */
export interface Route53Change {
  /** Without the `/change/` prefix. */
  id: string;
  zoneId: string;
  submittedAt: number;
  /** When the change is INSYNC (submittedAt + the processing time in force when it was submitted). */
  insyncAt: number;
  comment?: string;
}

export interface AvailabilityZoneMapping {
  zoneName: string;
  zoneId: string;
  region: string;
}

export interface Ec2State {
  /**
   * Availability zone name ↔ ID mapping of this account (AWS maps names to physical zones independently per account;
   * the IDs are the same everywhere). Regions without entries get a default mapping derived from the account ID.
   */
  availabilityZones: AvailabilityZoneMapping[];
  vpcs: Map<string, Vpc>;
  subnets: Map<string, Subnet>;
  securityGroups: Map<string, SecurityGroup>;
  /** A cross-account peering is stored (as the same object) in both accounts: each sees it. */
  peeringConnections: Map<string, VpcPeeringConnection>;
  routeTables: Map<string, RouteTable>;
  hostedZones: Map<string, HostedZone>;
  route53Changes: Map<string, Route53Change>;
  /**
   * How long Route 53 "processes" a change batch (ms): a change is PENDING that long, and another change to the same
   * zone meanwhile gets PriorRequestNotComplete. 0 (default): changes are INSYNC at once and never collide.
   */
  route53ChangeProcessingMs: number;
}

export function emptyEc2State(): Ec2State {
  return {
    availabilityZones: [],
    vpcs: new Map(),
    subnets: new Map(),
    securityGroups: new Map(),
    peeringConnections: new Map(),
    routeTables: new Map(),
    hostedZones: new Map(),
    route53Changes: new Map(),
    route53ChangeProcessingMs: 0,
  };
}
