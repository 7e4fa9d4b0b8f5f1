/**
 * EC2 networking over the EC2 query protocol (`POST /` with a form body; XML answers with `<item>` lists), the
 * describe calls the product makes for the network rules (NET-*, XA-*). Request parameter names (`GroupId.N`,
 * `Filter.N.Name`, `Filter.N.Value.M`) and response element names (`securityGroupInfo`, `ipPermissions`, …)
 * follow the schemas of the installed `@aws-sdk/client-ec2`.
 */
import { AwsError } from '../errors';
import type { SandboxRequest, SandboxResponse } from '../http';
import { ec2Error, ec2Response } from '../protocols/query';
import type { XmlObject, XmlValue } from '../protocols/xml';
import type { Account } from '../state/account';
import type {
  RouteTable,
  SecurityGroup,
  SecurityGroupRule,
  Subnet,
  Vpc,
  VpcPeeringConnection,
} from '../state/ec2';
import { zonesFor } from './ec2-zones';
import type { ServiceContext, ServiceModule } from './module';

const invalidParameterValue = (message: string) => new AwsError(400, 'InvalidParameterValue', message);

// ---------------------------------------------------------------------------------------------------------------
// Reading the form

/** `Prefix.1`, `Prefix.2`, … in index order (the SDK numbers from 1). */
function listParam(form: URLSearchParams, prefix: string): string[] {
  const entries: Array<[number, string]> = [];
  const pattern = new RegExp(`^${prefix.replace(/\./g, '\\.')}\\.(\\d+)$`);
  for (const [key, value] of form) {
    const match = pattern.exec(key);
    if (match) entries.push([Number(match[1]), value]);
  }
  return entries.sort((a, b) => a[0] - b[0]).map(([, v]) => v);
}

type Filters = Array<{ name: string; values: string[] }>;

/** `Filter.N.Name` with `Filter.N.Value.M`. */
function readFilters(form: URLSearchParams): Filters {
  const indexes = new Set<number>();
  for (const key of form.keys()) {
    const match = /^Filter\.(\d+)\./.exec(key);
    if (match) indexes.add(Number(match[1]));
  }
  return [...indexes]
    .sort((a, b) => a - b)
    .map((n) => {
      const name = form.get(`Filter.${n}.Name`);
      // Guess at the message; EC2 does refuse a filter without a name.
      if (!name) throw invalidParameterValue(`The filter 'Filter.${n}' has no Name`);
      return { name, values: listParam(form, `Filter.${n}.Value`) };
    });
}

/** EC2 filter values accept `*` and `?` wildcards. */
function globMatches(pattern: string, value: string): boolean {
  const regex = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
    's',
  );
  return regex.test(value);
}

/**
 * Applies filters: an item passes when, for every filter, one of the item's values for that name matches one of the
 * filter's values. `fields` gives the item's values per filter name; an unknown name is the error EC2 gives.
 */
function applyFilters<T>(
  items: T[],
  filters: Filters,
  fields: Record<string, (item: T) => Array<string | undefined>>,
): T[] {
  for (const filter of filters) {
    if (!(filter.name in fields) && !filter.name.startsWith('tag:'))
      throw invalidParameterValue(`The filter '${filter.name}' is invalid`);
  }
  return items.filter((item) =>
    filters.every((filter) => {
      const getter = fields[filter.name] ?? tagGetter(filter.name, fields);
      const values = getter(item).filter((v): v is string => v !== undefined);
      return values.some((v) => filter.values.some((pattern) => globMatches(pattern, v)));
    }),
  );
}

function tagGetter<T>(
  name: string,
  fields: Record<string, (item: T) => Array<string | undefined>>,
): (item: T) => Array<string | undefined> {
  const tags = fields['tag:'];
  if (!tags) return () => [];
  const key = name.slice('tag:'.length);
  // `tag:` getter returns `key=value` pairs; a `tag:<key>` filter matches the value of that key.
  return (item) =>
    tags(item)
      .filter((kv): kv is string => kv !== undefined && kv.startsWith(`${key}=`))
      .map((kv) => kv.slice(key.length + 1));
}

const tagPairs = (tags: Record<string, string> | undefined) =>
  Object.entries(tags ?? {}).map(([k, v]) => `${k}=${v}`);
const tagSet = (tags: Record<string, string> | undefined): XmlValue =>
  Object.entries(tags ?? {}).map(([key, value]) => ({ key, value }));

// ---------------------------------------------------------------------------------------------------------------
// Paging: without MaxResults every item comes back (as EC2 does for these calls); with it, pages and a NextToken.

interface PageLimits {
  min: number;
  max: number;
}

function encodeToken(action: string, offset: number): string {
  return Buffer.from(JSON.stringify({ a: action, o: offset })).toString('base64url');
}

function paginate<T>(
  form: URLSearchParams,
  action: string,
  items: T[],
  limits: PageLimits,
  idsGiven: boolean,
): { page: T[]; nextToken?: string } {
  const rawMax = form.get('MaxResults');
  const token = form.get('NextToken');
  let offset = 0;
  if (token) {
    try {
      const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as {
        a?: unknown;
        o?: unknown;
      };
      if (parsed.a !== action || typeof parsed.o !== 'number' || parsed.o < 0)
        throw new Error('foreign token');
      offset = parsed.o;
    } catch {
      throw new AwsError(400, 'InvalidPaginationToken', `Invalid pagination token: ${token}`);
    }
  }
  if (rawMax === null) return { page: items.slice(offset) };
  const max = Number(rawMax);
  if (!Number.isInteger(max) || max < limits.min || max > limits.max) {
    throw invalidParameterValue(
      `Value ( ${rawMax} ) for parameter maxResults is invalid. Parameter must be between ${limits.min} and ${limits.max}.`,
    );
  }
  // EC2 refuses MaxResults together with explicit IDs for most describe calls (documented for DescribeSecurityGroups).
  if (idsGiven)
    throw invalidParameterValue('The parameter MaxResults cannot be used with the parameter of resource IDs');
  const page = items.slice(offset, offset + max);
  return offset + max < items.length ? { page, nextToken: encodeToken(action, offset + max) } : { page };
}

/** Looks up explicit IDs: an unknown one is `<code>` ("The … ID '…' does not exist"), a malformed one `…Malformed`. */
function byIds<T>(
  ids: string[],
  map: Map<string, T>,
  prefix: string,
  notFound: string,
  malformed: string,
  noun: string,
): T[] {
  const out: T[] = [];
  for (const id of ids) {
    if (!id.startsWith(prefix)) throw new AwsError(400, malformed, `Invalid id: "${id}"`);
    const item = map.get(id);
    if (!item) throw new AwsError(400, notFound, `The ${noun} '${id}' does not exist`);
    out.push(item);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Shapes

function vpcRegion(context: ServiceContext, vpc: Vpc | undefined): string {
  return vpc?.region ?? context.state.defaultRegion;
}

function ipPermissions(account: Account, rules: SecurityGroupRule[]): XmlValue {
  // DescribeSecurityGroups groups rules into IpPermissions by protocol and port range.
  const groups = new Map<string, SecurityGroupRule[]>();
  for (const rule of rules) {
    const key = `${rule.ipProtocol}/${rule.fromPort ?? ''}/${rule.toPort ?? ''}`;
    groups.set(key, [...(groups.get(key) ?? []), rule]);
  }
  return [...groups.values()].map((group) => {
    const first = group[0];
    return {
      ipProtocol: first.ipProtocol,
      fromPort: first.ipProtocol === '-1' ? undefined : first.fromPort,
      toPort: first.ipProtocol === '-1' ? undefined : first.toPort,
      groups: group
        .filter((r) => r.referencedGroupId)
        .map((r) => ({
          groupId: r.referencedGroupId,
          userId: r.referencedGroupOwnerId ?? account.id,
          description: r.description,
        })),
      ipRanges: group
        .filter((r) => r.cidrIpv4)
        .map((r) => ({ cidrIp: r.cidrIpv4, description: r.description })),
      ipv6Ranges: [],
      prefixListIds: [],
    };
  });
}

function securityGroupXml(account: Account, context: ServiceContext, group: SecurityGroup): XmlObject {
  const vpc = account.ec2.vpcs.get(group.vpcId);
  return {
    groupId: group.groupId,
    groupName: group.groupName,
    groupDescription: group.description,
    vpcId: group.vpcId,
    ownerId: account.id,
    securityGroupArn: `arn:aws:ec2:${vpcRegion(context, vpc)}:${account.id}:security-group/${group.groupId}`,
    ipPermissions: ipPermissions(
      account,
      group.rules.filter((r) => !r.isEgress),
    ),
    ipPermissionsEgress: ipPermissions(
      account,
      group.rules.filter((r) => r.isEgress),
    ),
    tagSet: tagSet(group.tags),
  };
}

function ruleXml(account: Account, context: ServiceContext, rule: SecurityGroupRule): XmlObject {
  const group = account.ec2.securityGroups.get(rule.groupId);
  const vpc = group ? account.ec2.vpcs.get(group.vpcId) : undefined;
  return {
    securityGroupRuleId: rule.ruleId,
    groupId: rule.groupId,
    groupOwnerId: account.id,
    isEgress: rule.isEgress,
    ipProtocol: rule.ipProtocol,
    fromPort: rule.fromPort,
    toPort: rule.toPort,
    cidrIpv4: rule.cidrIpv4,
    referencedGroupInfo: rule.referencedGroupId
      ? { groupId: rule.referencedGroupId, userId: rule.referencedGroupOwnerId ?? account.id }
      : undefined,
    description: rule.description,
    tagSet: [],
    securityGroupRuleArn: `arn:aws:ec2:${vpcRegion(context, vpc)}:${account.id}:security-group-rule/${rule.ruleId}`,
  };
}

function peeringXml(p: VpcPeeringConnection, defaultRegion: string): XmlObject {
  const side = (vpcId: string, ownerId: string, cidr: string, region: string | undefined) => ({
    cidrBlock: cidr,
    cidrBlockSet: [{ cidrBlock: cidr }],
    ownerId,
    vpcId,
    region: region ?? defaultRegion,
  });
  return {
    vpcPeeringConnectionId: p.id,
    requesterVpcInfo: side(p.requesterVpcId, p.requesterOwnerId, p.requesterCidr, p.requesterRegion),
    accepterVpcInfo: side(p.accepterVpcId, p.accepterOwnerId, p.accepterCidr, p.accepterRegion),
    status: { code: p.status, message: peeringMessage(p) },
    tagSet: [],
  };
}

function peeringMessage(p: VpcPeeringConnection): string {
  if (p.status === 'pending-acceptance') return `Pending Acceptance by ${p.accepterOwnerId}`;
  return p.status.charAt(0).toUpperCase() + p.status.slice(1);
}

/** Association IDs are stable per (table, subnet): derived from both IDs. */
function associationId(routeTableId: string, subnetId: string): string {
  let hash = 0x811c9dc5;
  for (const ch of `${routeTableId}/${subnetId}`) hash = Math.imul(hash ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return `rtbassoc-${(hash.toString(16) + routeTableId.slice(4)).slice(0, 17).padEnd(17, '0')}`;
}

function routeTableXml(account: Account, table: RouteTable): XmlObject {
  const associations: XmlObject[] = [];
  if (table.main) {
    associations.push({
      main: true,
      routeTableAssociationId: associationId(table.routeTableId, 'main'),
      routeTableId: table.routeTableId,
      associationState: { state: 'associated' },
    });
  }
  for (const subnetId of table.subnetIds) {
    associations.push({
      main: false,
      routeTableAssociationId: associationId(table.routeTableId, subnetId),
      routeTableId: table.routeTableId,
      subnetId,
      associationState: { state: 'associated' },
    });
  }
  return {
    routeTableId: table.routeTableId,
    vpcId: table.vpcId,
    ownerId: account.id,
    associationSet: associations,
    propagatingVgwSet: [],
    routeSet: table.routes.map((r) => ({
      destinationCidrBlock: r.destinationCidrBlock,
      gatewayId: r.gatewayId,
      natGatewayId: r.natGatewayId,
      transitGatewayId: r.transitGatewayId,
      vpcPeeringConnectionId: r.vpcPeeringConnectionId,
      state: r.state,
      origin: r.gatewayId === 'local' ? 'CreateRouteTable' : 'CreateRoute',
    })),
    tagSet: tagSet(table.tags),
  };
}

function subnetXml(account: Account, context: ServiceContext, subnet: Subnet): XmlObject {
  const vpc = account.ec2.vpcs.get(subnet.vpcId);
  const prefix = Number(subnet.cidrBlock.split('/')[1] ?? 24);
  return {
    subnetId: subnet.subnetId,
    subnetArn: `arn:aws:ec2:${vpcRegion(context, vpc)}:${account.id}:subnet/${subnet.subnetId}`,
    state: 'available',
    vpcId: subnet.vpcId,
    cidrBlock: subnet.cidrBlock,
    // AWS reserves five addresses of every subnet.
    availableIpAddressCount: Math.max(0, 2 ** (32 - prefix) - 5),
    availabilityZone: subnet.availabilityZone,
    availabilityZoneId: subnet.availabilityZoneId,
    defaultForAz: false,
    mapPublicIpOnLaunch: false,
    ownerId: account.id,
    tagSet: tagSet(subnet.tags),
  };
}

function vpcXml(account: Account, vpc: Vpc): XmlObject {
  return {
    vpcId: vpc.vpcId,
    ownerId: account.id,
    state: 'available',
    cidrBlock: vpc.cidrBlock,
    cidrBlockAssociationSet: [
      {
        associationId: `vpc-cidr-assoc-${vpc.vpcId.slice(4)}`,
        cidrBlock: vpc.cidrBlock,
        cidrBlockState: { state: 'associated' },
      },
    ],
    dhcpOptionsId: 'dopt-00000000000000000',
    instanceTenancy: 'default',
    isDefault: vpc.isDefault ?? false,
    tagSet: tagSet(vpc.tags),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Operations. Every list is scoped to the caller's account and the request's region.

function inRegion<T>(context: ServiceContext, items: Iterable<T>, vpcIdOf: (item: T) => string): T[] {
  return [...items].filter(
    (item) => vpcRegion(context, context.account.ec2.vpcs.get(vpcIdOf(item))) === context.region,
  );
}

type Handler = (form: URLSearchParams, context: ServiceContext) => SandboxResponse;

const OPERATIONS: Record<string, Handler> = {
  DescribeSecurityGroups(form, context) {
    const account = context.account;
    const ids = listParam(form, 'GroupId');
    const names = listParam(form, 'GroupName');
    let groups =
      ids.length > 0
        ? byIds(
            ids,
            account.ec2.securityGroups,
            'sg-',
            'InvalidGroup.NotFound',
            'InvalidGroupId.Malformed',
            'security group',
          )
        : inRegion(context, account.ec2.securityGroups.values(), (g) => g.vpcId);
    if (names.length > 0) {
      for (const name of names) {
        if (!groups.some((g) => g.groupName === name))
          throw new AwsError(400, 'InvalidGroup.NotFound', `The security group '${name}' does not exist`);
      }
      groups = groups.filter((g) => names.includes(g.groupName));
    }
    groups = applyFilters(groups, readFilters(form), {
      'group-id': (g) => [g.groupId],
      'group-name': (g) => [g.groupName],
      'vpc-id': (g) => [g.vpcId],
      'owner-id': () => [account.id],
      description: (g) => [g.description],
      'tag:': (g) => tagPairs(g.tags),
      'tag-key': (g) => Object.keys(g.tags ?? {}),
    });
    const { page, nextToken } = paginate(
      form,
      'DescribeSecurityGroups',
      groups,
      { min: 5, max: 1000 },
      ids.length > 0 || names.length > 0,
    );
    return ec2Response('DescribeSecurityGroups', {
      securityGroupInfo: page.map((g) => securityGroupXml(account, context, g)),
      nextToken,
    });
  },

  DescribeSecurityGroupRules(form, context) {
    const account = context.account;
    const groups = inRegion(context, account.ec2.securityGroups.values(), (g) => g.vpcId);
    let rules = groups.flatMap((g) => g.rules);
    const ids = listParam(form, 'SecurityGroupRuleId');
    if (ids.length > 0) {
      for (const id of ids) {
        if (!rules.some((r) => r.ruleId === id))
          throw new AwsError(
            400,
            'InvalidSecurityGroupRuleId.NotFound',
            `The security group rule ID '${id}' does not exist`,
          );
      }
      rules = rules.filter((r) => ids.includes(r.ruleId));
    }
    const filters = readFilters(form);
    rules = applyFilters(rules, filters, {
      'group-id': (r) => [r.groupId],
      'security-group-rule-id': (r) => [r.ruleId],
      'tag:': () => [],
      'tag-key': () => [],
    });
    const { page, nextToken } = paginate(
      form,
      'DescribeSecurityGroupRules',
      rules,
      { min: 5, max: 1000 },
      false,
    );
    return ec2Response('DescribeSecurityGroupRules', {
      securityGroupRuleSet: page.map((r) => ruleXml(account, context, r)),
      nextToken,
    });
  },

  DescribeAvailabilityZones(form, context) {
    let zones = zonesFor(context.account, context.region);
    const names = listParam(form, 'ZoneName');
    const ids = listParam(form, 'ZoneId');
    for (const name of names) {
      if (!zones.some((z) => z.zoneName === name))
        throw invalidParameterValue(`Invalid availability zone: [${name}]`);
    }
    for (const id of ids) {
      if (!zones.some((z) => z.zoneId === id))
        throw invalidParameterValue(`Invalid availability zone ID: [${id}]`);
    }
    if (names.length > 0 || ids.length > 0)
      zones = zones.filter((z) => names.includes(z.zoneName) || ids.includes(z.zoneId));
    zones = applyFilters(zones, readFilters(form), {
      'zone-name': (z) => [z.zoneName],
      'zone-id': (z) => [z.zoneId],
      'region-name': (z) => [z.region],
      state: () => ['available'],
      'zone-type': () => ['availability-zone'],
      'group-name': (z) => [z.region],
      'opt-in-status': () => ['opt-in-not-required'],
    });
    return ec2Response('DescribeAvailabilityZones', {
      availabilityZoneInfo: zones.map((z) => ({
        zoneName: z.zoneName,
        zoneId: z.zoneId,
        zoneState: 'available',
        regionName: z.region,
        groupName: z.region,
        networkBorderGroup: z.region,
        optInStatus: 'opt-in-not-required',
        zoneType: 'availability-zone',
        messageSet: [],
      })),
    });
  },

  DescribeVpcPeeringConnections(form, context) {
    const account = context.account;
    const ids = listParam(form, 'VpcPeeringConnectionId');
    let peerings =
      ids.length > 0
        ? byIds(
            ids,
            account.ec2.peeringConnections,
            'pcx-',
            'InvalidVpcPeeringConnectionID.NotFound',
            'InvalidVpcPeeringConnectionId.Malformed',
            'vpcPeeringConnection ID',
          )
        : [...account.ec2.peeringConnections.values()].filter(
            (p) =>
              (p.requesterOwnerId === account.id &&
                (p.requesterRegion ?? context.state.defaultRegion) === context.region) ||
              (p.accepterOwnerId === account.id &&
                (p.accepterRegion ?? context.state.defaultRegion) === context.region),
          );
    peerings = applyFilters(peerings, readFilters(form), {
      'vpc-peering-connection-id': (p) => [p.id],
      'status-code': (p) => [p.status],
      'requester-vpc-info.vpc-id': (p) => [p.requesterVpcId],
      'requester-vpc-info.owner-id': (p) => [p.requesterOwnerId],
      'requester-vpc-info.cidr-block': (p) => [p.requesterCidr],
      'accepter-vpc-info.vpc-id': (p) => [p.accepterVpcId],
      'accepter-vpc-info.owner-id': (p) => [p.accepterOwnerId],
      'accepter-vpc-info.cidr-block': (p) => [p.accepterCidr],
      'tag:': () => [],
    });
    const { page, nextToken } = paginate(
      form,
      'DescribeVpcPeeringConnections',
      peerings,
      { min: 5, max: 1000 },
      ids.length > 0,
    );
    return ec2Response('DescribeVpcPeeringConnections', {
      vpcPeeringConnectionSet: page.map((p) => peeringXml(p, context.state.defaultRegion)),
      nextToken,
    });
  },

  DescribeRouteTables(form, context) {
    const account = context.account;
    const ids = listParam(form, 'RouteTableId');
    let tables =
      ids.length > 0
        ? byIds(
            ids,
            account.ec2.routeTables,
            'rtb-',
            'InvalidRouteTableID.NotFound',
            'InvalidRouteTableId.Malformed',
            'routeTable ID',
          )
        : inRegion(context, account.ec2.routeTables.values(), (t) => t.vpcId);
    tables = applyFilters(tables, readFilters(form), {
      'route-table-id': (t) => [t.routeTableId],
      'vpc-id': (t) => [t.vpcId],
      'owner-id': () => [account.id],
      'association.subnet-id': (t) => t.subnetIds,
      'association.main': (t) => [t.main ? 'true' : 'false'],
      'association.route-table-association-id': (t) =>
        t.subnetIds.map((s) => associationId(t.routeTableId, s)),
      'route.destination-cidr-block': (t) => t.routes.map((r) => r.destinationCidrBlock),
      'route.vpc-peering-connection-id': (t) => t.routes.map((r) => r.vpcPeeringConnectionId),
      'route.transit-gateway-id': (t) => t.routes.map((r) => r.transitGatewayId),
      'route.gateway-id': (t) => t.routes.map((r) => r.gatewayId),
      'route.state': (t) => t.routes.map((r) => r.state),
      'tag:': (t) => tagPairs(t.tags),
      'tag-key': (t) => Object.keys(t.tags ?? {}),
    });
    const { page, nextToken } = paginate(
      form,
      'DescribeRouteTables',
      tables,
      { min: 5, max: 100 },
      ids.length > 0,
    );
    return ec2Response('DescribeRouteTables', {
      routeTableSet: page.map((t) => routeTableXml(account, t)),
      nextToken,
    });
  },

  DescribeSubnets(form, context) {
    const account = context.account;
    const ids = listParam(form, 'SubnetId');
    let subnets =
      ids.length > 0
        ? byIds(
            ids,
            account.ec2.subnets,
            'subnet-',
            'InvalidSubnetID.NotFound',
            'InvalidSubnetID.Malformed',
            'subnet ID',
          )
        : inRegion(context, account.ec2.subnets.values(), (s) => s.vpcId);
    subnets = applyFilters(subnets, readFilters(form), {
      'subnet-id': (s) => [s.subnetId],
      'vpc-id': (s) => [s.vpcId],
      'availability-zone': (s) => [s.availabilityZone],
      'availability-zone-id': (s) => [s.availabilityZoneId],
      'cidr-block': (s) => [s.cidrBlock],
      state: () => ['available'],
      'owner-id': () => [account.id],
      'tag:': (s) => tagPairs(s.tags),
      'tag-key': (s) => Object.keys(s.tags ?? {}),
    });
    const { page, nextToken } = paginate(
      form,
      'DescribeSubnets',
      subnets,
      { min: 5, max: 1000 },
      ids.length > 0,
    );
    return ec2Response('DescribeSubnets', {
      subnetSet: page.map((s) => subnetXml(account, context, s)),
      nextToken,
    });
  },

  DescribeVpcs(form, context) {
    const account = context.account;
    const ids = listParam(form, 'VpcId');
    let vpcs =
      ids.length > 0
        ? byIds(ids, account.ec2.vpcs, 'vpc-', 'InvalidVpcID.NotFound', 'InvalidVpcID.Malformed', 'vpc ID')
        : [...account.ec2.vpcs.values()].filter((v) => vpcRegion(context, v) === context.region);
    vpcs = applyFilters(vpcs, readFilters(form), {
      'vpc-id': (v) => [v.vpcId],
      'cidr-block': (v) => [v.cidrBlock],
      'cidr-block-association.cidr-block': (v) => [v.cidrBlock],
      state: () => ['available'],
      'owner-id': () => [account.id],
      'is-default': (v) => [v.isDefault ? 'true' : 'false'],
      'tag:': (v) => tagPairs(v.tags),
      'tag-key': (v) => Object.keys(v.tags ?? {}),
    });
    const { page, nextToken } = paginate(form, 'DescribeVpcs', vpcs, { min: 5, max: 1000 }, ids.length > 0);
    return ec2Response('DescribeVpcs', { vpcSet: page.map((v) => vpcXml(account, v)), nextToken });
  },
};

function handle(request: SandboxRequest, context: ServiceContext): SandboxResponse {
  const form = request.form;
  if (request.method !== 'POST' || !form) {
    // Guess at the exact code for a request that is not a form POST; EC2 answers such requests with a 400.
    throw new AwsError(400, 'MissingAction', 'The request must contain the parameter Action');
  }
  const action = form.get('Action');
  if (!action) throw new AwsError(400, 'MissingAction', 'The request must contain the parameter Action');
  const operation = Object.hasOwn(OPERATIONS, action) ? OPERATIONS[action] : undefined;
  if (!operation)
    throw new AwsError(400, 'InvalidAction', `The action ${action} is not valid for this web service.`);
  if (form.get('DryRun') === 'true') {
    // The caller is always allowed here (permission enforcement is the IAM module's switch, not modelled per call).
    throw new AwsError(412, 'DryRunOperation', 'Request would have succeeded, but DryRun flag is set.');
  }
  return operation(form, context);
}

export const ec2: ServiceModule = {
  signingName: 'ec2',
  operation: (request) => request.form?.get('Action') ?? undefined,
  handle,
  error: ec2Error,
  throttlingError: () => new AwsError(503, 'RequestLimitExceeded', 'Request limit exceeded.'),
};
