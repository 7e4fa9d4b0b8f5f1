/**
 * Route 53 over REST-XML (signing name `route53`, paths under `/2013-04-01/`): the private hosted zones of a VPC
 * and their records, which the product pages through by hand (neither call has an SDK paginator), so the paging
 * here is real: MaxItems/NextToken and IsTruncated/NextRecordName/NextRecordType. ChangeResourceRecordSets and
 * GetChange edit records (all-or-nothing batches, PriorRequestNotComplete while a change to the zone is processing).
 * Element names follow the schemas of the installed `@aws-sdk/client-route-53`.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { AwsError } from '../errors';
import type { SandboxRequest, SandboxResponse } from '../http';
import { escapeXml, toXml, type XmlObject } from '../protocols/xml';
import type { HostedZone, ResourceRecord, Route53Change } from '../state/ec2';
import type { ServiceContext, ServiceModule } from './module';
import { canonicalRecordName } from './network-seed';

const NS = 'https://route53.amazonaws.com/doc/2013-04-01/';

/** Item element names of the lists in the responses we write. */
const LIST_ITEMS: Record<string, string> = {
  HostedZoneSummaries: 'HostedZoneSummary',
  ResourceRecordSets: 'ResourceRecordSet',
  ResourceRecords: 'ResourceRecord',
  VPCs: 'VPC',
  NameServers: 'NameServer',
};

function xmlResponse(root: string, body: XmlObject): SandboxResponse {
  const inner = Object.entries(body)
    .map(([k, v]) => toXml(k, v, { item: (list) => LIST_ITEMS[list] ?? 'member' }))
    .join('');
  return {
    status: 200,
    headers: { 'content-type': 'text/xml', 'x-amzn-requestid': randomUUID() },
    body: `<?xml version="1.0" encoding="UTF-8"?>\n<${root} xmlns="${NS}">${inner}</${root}>`,
  };
}

/** Route 53's error shape: `<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>`. */
function route53Error(error: AwsError): SandboxResponse {
  const requestId = randomUUID();
  return {
    status: error.status,
    headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId },
    body: `<?xml version="1.0"?>\n<ErrorResponse xmlns="${NS}"><Error><Type>${error.type}</Type><Code>${escapeXml(error.code)}</Code><Message>${escapeXml(error.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
  };
}

const invalidInput = (message: string) => new AwsError(400, 'InvalidInput', message);
const noSuchHostedZone = (id: string) =>
  new AwsError(404, 'NoSuchHostedZone', `No hosted zone found with ID: ${id}`);

const ROUTES: Array<{ method: string; pattern: RegExp; operation: string }> = [
  { method: 'GET', pattern: /^\/2013-04-01\/hostedzonesbyvpc$/, operation: 'ListHostedZonesByVPC' },
  {
    method: 'GET',
    pattern: /^\/2013-04-01\/hostedzone\/([^/]+)\/rrset\/?$/,
    operation: 'ListResourceRecordSets',
  },
  { method: 'GET', pattern: /^\/2013-04-01\/hostedzone\/([^/]+)$/, operation: 'GetHostedZone' },
  {
    method: 'POST',
    pattern: /^\/2013-04-01\/hostedzone\/([^/]+)\/rrset\/?$/,
    operation: 'ChangeResourceRecordSets',
  },
  { method: 'GET', pattern: /^\/2013-04-01\/change\/([^/]+)$/, operation: 'GetChange' },
];

function route(request: SandboxRequest): { operation: string; label?: string } | undefined {
  for (const r of ROUTES) {
    if (r.method !== request.method) continue;
    const match = r.pattern.exec(request.path);
    if (!match) continue;
    let label = match[1];
    if (label !== undefined) {
      try {
        label = decodeURIComponent(label);
      } catch {
        // keep the raw label: it will not name a zone
      }
    }
    return { operation: r.operation, ...(label !== undefined ? { label } : {}) };
  }
  return undefined;
}

function maxItems(raw: string | null, fallback: number, limit: number): number {
  if (raw === null) return fallback;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 1)
    throw invalidInput(
      `1 validation error detected: Value '${raw}' at 'maxItems' failed to satisfy constraint: Member must be a positive integer`,
    );
  // Guess: a larger page size than the operation's limit is clamped rather than refused (the ListResourceRecordSets
  // reference says Route 53 returns at most 300 whatever is asked).
  return Math.min(n, limit);
}

function zone(context: ServiceContext, id: string): HostedZone {
  const bare = id.replace(/^\/?hostedzone\//, '');
  const found = context.account.ec2.hostedZones.get(bare);
  if (!found) throw noSuchHostedZone(bare);
  return found;
}

// ---------------------------------------------------------------------------------------------------------------
// ListHostedZonesByVPC

function listHostedZonesByVpc(request: SandboxRequest, context: ServiceContext): SandboxResponse {
  const vpcId = request.query.get('vpcid');
  const vpcRegion = request.query.get('vpcregion');
  if (!vpcId)
    throw invalidInput(
      "1 validation error detected: Value null at 'vPCId' failed to satisfy constraint: Member must not be null",
    );
  if (!vpcRegion)
    throw invalidInput(
      "1 validation error detected: Value null at 'vPCRegion' failed to satisfy constraint: Member must not be null",
    );
  if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(vpcRegion)) throw invalidInput(`Invalid VPC region: ${vpcRegion}`);
  const max = maxItems(request.query.get('maxitems'), 100, 100);
  // Every private zone associated with the VPC, whichever account owns it (the API lists them "regardless of which
  // AWS account or AWS service owns the hosted zones"), ordered by owner then zone ID so pages are stable.
  const zones: Array<{ owner: string; zone: HostedZone }> = [];
  for (const account of [...context.state.accounts.values()].sort((a, b) => a.id.localeCompare(b.id))) {
    for (const z of [...account.ec2.hostedZones.values()].sort((a, b) => a.id.localeCompare(b.id))) {
      if (z.privateZone && z.vpcs.some((v) => v.vpcId === vpcId && v.vpcRegion === vpcRegion))
        zones.push({ owner: account.id, zone: z });
    }
  }
  let start = 0;
  const token = request.query.get('nexttoken');
  if (token !== null) {
    let decoded: { v?: unknown; i?: unknown } | undefined;
    try {
      decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { v?: unknown; i?: unknown };
    } catch {
      decoded = undefined;
    }
    const index = decoded && decoded.v === vpcId && typeof decoded.i === 'number' ? decoded.i : -1;
    if (index < 0)
      throw new AwsError(
        400,
        'InvalidPaginationToken',
        "The value that you specified for NextToken in a List request isn't valid.",
      );
    start = index;
  }
  const page = zones.slice(start, start + max);
  const more = start + max < zones.length;
  return xmlResponse('ListHostedZonesByVPCResponse', {
    // Bare zone IDs here (no `/hostedzone/` prefix), as the API reference's example shows.
    HostedZoneSummaries: page.map(({ owner, zone: z }) => ({
      HostedZoneId: z.id,
      Name: z.name,
      Owner: { OwningAccount: owner },
    })),
    MaxItems: max,
    NextToken: more
      ? Buffer.from(JSON.stringify({ v: vpcId, i: start + max })).toString('base64url')
      : undefined,
  });
}

// ---------------------------------------------------------------------------------------------------------------
// ListResourceRecordSets

const RECORD_TYPES = new Set([
  'SOA',
  'A',
  'TXT',
  'NS',
  'CNAME',
  'MX',
  'NAPTR',
  'PTR',
  'SRV',
  'SPF',
  'AAAA',
  'CAA',
  'DS',
  'TLSA',
  'SSHFP',
  'SVCB',
  'HTTPS',
]);

/**
 * Route 53 sorts record sets by name with the labels reversed (`www.example.com.` sorts as `com.example.www.`),
 * then by type. Guess: types compare as plain strings (the documentation only says "by type").
 */
function sortKey(name: string): string {
  return `${name.replace(/\.$/, '').split('.').reverse().join('.')}.`;
}

function compareRecords(a: { name: string; type: string }, b: { name: string; type: string }): number {
  const ka = sortKey(a.name);
  const kb = sortKey(b.name);
  if (ka !== kb) return ka < kb ? -1 : 1;
  return a.type < b.type ? -1 : a.type > b.type ? 1 : 0;
}

function recordXml(record: ResourceRecord): XmlObject {
  return {
    Name: record.name,
    Type: record.type,
    TTL: record.ttl,
    ResourceRecords: record.values.map((Value) => ({ Value })),
  };
}

function listResourceRecordSets(
  request: SandboxRequest,
  context: ServiceContext,
  zoneId: string,
): SandboxResponse {
  const hostedZone = zone(context, zoneId);
  const q = request.query;
  const startName = q.get('name');
  const startType = q.get('type');
  if (startType !== null && startName === null)
    throw invalidInput('The input is not valid: StartRecordType requires StartRecordName');
  if (startType !== null && !RECORD_TYPES.has(startType)) throw invalidInput(`Invalid type: ${startType}`);
  const max = maxItems(q.get('maxitems'), 300, 300);
  const records = [...hostedZone.records].sort(compareRecords);
  let start = 0;
  if (startName !== null) {
    const from = { name: canonicalRecordName(startName), type: startType ?? '' };
    start = records.findIndex((r) => compareRecords(r, from) >= 0);
    if (start < 0) start = records.length;
  }
  const page = records.slice(start, start + max);
  const next = records[start + max];
  return xmlResponse('ListResourceRecordSetsResponse', {
    ResourceRecordSets: page.map(recordXml),
    IsTruncated: next !== undefined,
    ...(next ? { NextRecordName: next.name, NextRecordType: next.type } : {}),
    MaxItems: max,
  });
}

// ---------------------------------------------------------------------------------------------------------------
// GetHostedZone

function getHostedZone(context: ServiceContext, id: string): SandboxResponse {
  const z = zone(context, id);
  return xmlResponse('GetHostedZoneResponse', {
    HostedZone: {
      Id: `/hostedzone/${z.id}`,
      Name: z.name,
      CallerReference: z.callerReference,
      Config: { ...(z.comment !== undefined ? { Comment: z.comment } : {}), PrivateZone: z.privateZone },
      ResourceRecordSetCount: z.records.length,
    },
    ...(z.privateZone
      ? { VPCs: z.vpcs.map((v) => ({ VPCRegion: v.vpcRegion, VPCId: v.vpcId })) }
      : { DelegationSet: { NameServers: z.records.find((r) => r.type === 'NS')?.values ?? [] } }),
  });
}

// ---------------------------------------------------------------------------------------------------------------
// ChangeResourceRecordSets and GetChange

const xmlParser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: true,
  isArray: (name) => name === 'Change' || name === 'ResourceRecord',
});

interface ParsedChange {
  action: string;
  record: ResourceRecord;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
}

function parseChangeBatch(body: string): { comment?: string; changes: ParsedChange[] } {
  if (body.trim() === '' || XMLValidator.validate(body) !== true)
    throw invalidInput('The XML document is malformed');
  const doc = xmlParser.parse(body) as Record<string, unknown>;
  const root = doc.ChangeResourceRecordSetsRequest as Record<string, unknown> | undefined;
  const batch = root?.ChangeBatch as Record<string, unknown> | undefined;
  const changesNode = batch?.Changes as Record<string, unknown> | undefined;
  const rawChanges = (changesNode?.Change ?? []) as Array<Record<string, unknown>>;
  if (!batch || rawChanges.length === 0) {
    throw invalidInput(
      "1 validation error detected: Value null at 'changeBatch.changes' failed to satisfy constraint: Member must not be null",
    );
  }
  const changes = rawChanges.map((change, i): ParsedChange => {
    const action = text(change.Action);
    const set = change.ResourceRecordSet as Record<string, unknown> | undefined;
    const name = text(set?.Name);
    const type = text(set?.Type);
    if (!action || !['CREATE', 'DELETE', 'UPSERT'].includes(action) || !name || !type) {
      throw invalidInput(
        `Invalid change ${i + 1}: Action (CREATE, DELETE or UPSERT), Name and Type are required`,
      );
    }
    if (!RECORD_TYPES.has(type)) throw invalidInput(`Invalid type: ${type}`);
    const values = (
      ((set?.ResourceRecords as Record<string, unknown> | undefined)?.ResourceRecord ?? []) as Array<
        Record<string, unknown>
      >
    )
      .map((r) => text(r.Value))
      .filter((v): v is string => v !== undefined);
    const ttl = text(set?.TTL);
    return {
      action,
      record: {
        name: canonicalRecordName(name),
        type,
        ...(ttl !== undefined ? { ttl: Number(ttl) } : {}),
        values,
      },
    };
  });
  const comment = text(batch.Comment);
  return { ...(comment !== undefined ? { comment } : {}), changes };
}

const describeSet = (r: { name: string; type: string }) => `[name='${r.name}', type='${r.type}']`;

function changeInfo(change: Route53Change, now: number): XmlObject {
  return {
    Id: `/change/${change.id}`,
    Status: now < change.insyncAt ? 'PENDING' : 'INSYNC',
    SubmittedAt: new Date(change.submittedAt),
    Comment: change.comment,
  };
}

function changeResourceRecordSets(
  request: SandboxRequest,
  context: ServiceContext,
  zoneId: string,
): SandboxResponse {
  const hostedZone = zone(context, zoneId);
  const ec2 = context.account.ec2;
  const now = context.state.now();
  const batch = parseChangeBatch(request.body);
  // Guess: Route 53 documents PriorRequestNotComplete as "Route 53 can't process a request before the next request
  // arrives"; we model that as a change to the same zone arriving while the previous one is still processing
  // (`route53ChangeProcessingMs`).
  const busy = [...ec2.route53Changes.values()].some((c) => c.zoneId === hostedZone.id && now < c.insyncAt);
  if (busy)
    throw new AwsError(
      400,
      'PriorRequestNotComplete',
      'The request was rejected because Route 53 was still processing a prior request.',
    );
  // The batch is all or nothing: validate every change against the zone as the earlier changes leave it, then apply.
  let records = [...hostedZone.records];
  const problems: string[] = [];
  const zoneSuffix = `.${hostedZone.name}`;
  for (const { action, record } of batch.changes) {
    if (record.name !== hostedZone.name && !record.name.endsWith(zoneSuffix)) {
      problems.push(`RRSet with DNS name ${record.name} is not permitted in zone ${hostedZone.name}`);
      continue;
    }
    const existing = records.find((r) => r.name === record.name && r.type === record.type);
    if (action === 'CREATE' && existing)
      problems.push(`Tried to create resource record set ${describeSet(record)} but it already exists`);
    else if (action === 'DELETE' && !existing)
      problems.push(`Tried to delete resource record set ${describeSet(record)} but it was not found`);
    else if (
      action === 'DELETE' &&
      existing &&
      (existing.values.join('\n') !== record.values.join('\n') ||
        (record.ttl !== undefined && existing.ttl !== record.ttl))
    ) {
      problems.push(
        `Tried to delete resource record set ${describeSet(record)} but the values provided do not match the current values`,
      );
    } else if (action !== 'DELETE' && record.values.length === 0)
      problems.push(`Invalid Resource Record: no value for ${describeSet(record)}`);
    else {
      records = records.filter((r) => !(r.name === record.name && r.type === record.type));
      if (action !== 'DELETE') records.push(record);
    }
  }
  // Route 53 sends InvalidChangeBatch with every problem, bracketed, in one message (as the CLI shows it).
  if (problems.length > 0) throw new AwsError(400, 'InvalidChangeBatch', `[${problems.join(', ')}]`);
  hostedZone.records = records;
  const change: Route53Change = {
    id: `C${randomBytes(16).toString('hex').toUpperCase().slice(0, 20)}`,
    zoneId: hostedZone.id,
    submittedAt: now,
    insyncAt: now + ec2.route53ChangeProcessingMs,
    ...(batch.comment !== undefined ? { comment: batch.comment } : {}),
  };
  ec2.route53Changes.set(change.id, change);
  return xmlResponse('ChangeResourceRecordSetsResponse', {
    ChangeInfo: changeInfo(change, now),
  });
}

function getChange(context: ServiceContext, id: string): SandboxResponse {
  const bare = id.replace(/^\/?change\//, '');
  const change = context.account.ec2.route53Changes.get(bare);
  if (!change)
    throw new AwsError(404, 'NoSuchChange', `A change with the specified change ID does not exist: ${bare}`);
  return xmlResponse('GetChangeResponse', {
    ChangeInfo: changeInfo(change, context.state.now()),
  });
}

function handle(request: SandboxRequest, context: ServiceContext): SandboxResponse {
  const matched = route(request);
  // Guess: Route 53's answer to a path it does not serve is undocumented; InvalidInput is its generic client error.
  if (!matched) throw invalidInput(`Unknown operation: ${request.method} ${request.path}`);
  switch (matched.operation) {
    case 'ListHostedZonesByVPC':
      return listHostedZonesByVpc(request, context);
    case 'ListResourceRecordSets':
      return listResourceRecordSets(request, context, matched.label ?? '');
    case 'GetHostedZone':
      return getHostedZone(context, matched.label ?? '');
    case 'ChangeResourceRecordSets':
      return changeResourceRecordSets(request, context, matched.label ?? '');
    case 'GetChange':
      return getChange(context, matched.label ?? '');
    default:
      throw invalidInput(`Unknown operation: ${matched.operation}`);
  }
}

export const route53: ServiceModule = {
  signingName: 'route53',
  operation: (request) => route(request)?.operation,
  handle,
  error: route53Error,
  throttlingError: () => new AwsError(400, 'Throttling', 'Rate exceeded'),
};
