/** EC2 networking and Route 53 state of one account. Owned by the EC2/Route 53 service modules; extend here. */

export interface SecurityGroupRule {
  ruleId: string;
  groupId: string;
  isEgress: boolean;
  ipProtocol: string;
  fromPort?: number;
  toPort?: number;
  cidrIpv4?: string;
  referencedGroupId?: string;
  description?: string;
}

export interface SecurityGroup {
  groupId: string;
  groupName: string;
  vpcId: string;
  description: string;
  rules: SecurityGroupRule[];
}

export interface Vpc {
  vpcId: string;
  cidrBlock: string;
}

export interface Subnet {
  subnetId: string;
  vpcId: string;
  cidrBlock: string;
  availabilityZone: string;
  availabilityZoneId: string;
}

export interface VpcPeeringConnection {
  id: string;
  requesterVpcId: string;
  requesterOwnerId: string;
  requesterCidr: string;
  accepterVpcId: string;
  accepterOwnerId: string;
  accepterCidr: string;
  status: 'active' | 'pending-acceptance' | 'deleted' | 'rejected' | 'failed' | 'expired' | 'provisioning' | 'deleting';
}

export interface RouteTable {
  routeTableId: string;
  vpcId: string;
  subnetIds: string[];
  routes: Array<{ destinationCidrBlock: string; vpcPeeringConnectionId?: string; transitGatewayId?: string; gatewayId?: string; state: 'active' | 'blackhole' }>;
}

export interface HostedZone {
  id: string;
  name: string;
  privateZone: boolean;
  vpcs: Array<{ vpcId: string; vpcRegion: string }>;
  records: Array<{ name: string; type: string; ttl?: number; values: string[] }>;
  callerReference: string;
}

export interface Ec2State {
  /** Availability zone name ↔ ID mapping, per account (names are shuffled per account in AWS; IDs are not). */
  availabilityZones: Array<{ zoneName: string; zoneId: string; region: string }>;
  vpcs: Map<string, Vpc>;
  subnets: Map<string, Subnet>;
  securityGroups: Map<string, SecurityGroup>;
  peeringConnections: Map<string, VpcPeeringConnection>;
  routeTables: Map<string, RouteTable>;
  hostedZones: Map<string, HostedZone>;
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
  };
}
