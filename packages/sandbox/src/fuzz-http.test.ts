import { request as httpRequest } from 'node:http';
import { Sha256 } from '@aws-crypto/sha256-js';
import { DescribeFileSystemPolicyCommand, EFSClient, PutFileSystemPolicyCommand } from '@aws-sdk/client-efs';
import { DescribePodIdentityAssociationCommand, EKSClient } from '@aws-sdk/client-eks';
import { GetRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { SignatureV4 } from '@smithy/signature-v4';
import { adminCredentials, startSandbox, type Sandbox } from './index';
import { SANDBOX_ADMIN_TOKEN } from './state/kube';

/**
 * Fuzz campaign of the sandbox's HTTP front (IAM and STS query forms, EKS and EFS REST-JSON, the Kubernetes API):
 * 2,000 malformed requests, 1,800 over raw HTTP (signed with SigV4 so they reach the handlers, or with a broken
 * signature) and 200 through the real SDK clients with hostile parameters. Each request must get a proper error
 * answer: a status below 500, no runtime error or stack trace in the body, within 10 s, and the server must keep
 * serving. Each request has its own seed: FUZZ_SEED=<seed> replays it, FUZZ_RUNS sets the number of raw requests.
 */

const ACCOUNT = '111122223333';
const REGION = 'eu-west-1';
const CLUSTER = 'prod-eks';
const FS = 'fs-0a1b2c3d4e5f60718';
const ROLE = 'prod-eks-efs-csi-node';
const RAW_RUNS = positive(process.env.FUZZ_RUNS) ?? 1800;
const SDK_RUNS = 200;
const ANSWER_TIMEOUT_MS = 10_000;

function positive(text: string | undefined): number | undefined {
  const n = Number(text);
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

/** mulberry32, seeded per request. */
class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

function seedsFor(name: string, runs: number): number[] {
  const fixed = positive(process.env.FUZZ_SEED);
  if (fixed !== undefined) return [fixed];
  let base = 0x811c9dc5;
  for (const c of name) base = Math.imul(base ^ c.charCodeAt(0), 0x01000193) >>> 0;
  return Array.from({ length: runs }, (_, i) => (base + i * 0x9e3779b1) >>> 0);
}

const HOSTILE = [
  '',
  ' ',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  '../../../../etc/passwd',
  '..',
  '%2e%2e%2f',
  '%',
  '%zz',
  '%00',
  '\u0000',
  '\u001b[31m',
  '\r\nX-Injected: 1',
  '\ud800',
  '😀',
  '*',
  'arn:aws:iam::*:role/*',
  'arn:aws-cn:iam::111122223333:role/x',
  'arn:aws:iam::111122223333:role/a"b',
  "'; DROP TABLE roles; --",
  '$(id)',
  '<x>&amp;</x>',
  '{"a":',
  '[]',
  '{}',
  'null',
  '-1',
  '1e999',
  '9007199254740993',
  'true',
  'fs-0a1b2c3d4e5f60718/../../x',
];

/** The text with lone surrogates as U+FFFD: what any client must send (UTF-8 cannot encode them). */
function wellFormed(text: string): string {
  return text.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
}

/** Percent-encodes like encodeURIComponent, which throws on a lone surrogate. */
function enc(text: string): string {
  return encodeURIComponent(wellFormed(text));
}

function hostile(rng: Rng): string {
  if (rng.chance(0.1)) return 'x'.repeat(rng.int(1_000, 200_000));
  return rng.pick(HOSTILE);
}

const POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'Fuzz',
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/${ROLE}` },
      Action: ['elasticfilesystem:ClientMount'],
      Resource: `arn:aws:elasticfilesystem:${REGION}:${ACCOUNT}:file-system/${FS}`,
    },
  ],
});

/** A JSON value of a random type, sometimes deep or with prototype keys. */
function anyJson(rng: Rng, depth = 0): unknown {
  switch (rng.int(0, depth > 3 ? 4 : 7)) {
    case 0:
      return null;
    case 1:
      return rng.pick([0, -1, 1.5, 1e308, true, false]);
    case 2:
    case 3:
    case 4:
      return hostile(rng);
    case 5:
      return Array.from({ length: rng.int(0, 3) }, () => anyJson(rng, depth + 1));
    default:
      return JSON.parse(
        `{${Array.from({ length: rng.int(0, 3) }, () => `${JSON.stringify(rng.pick(['__proto__', 'constructor', 'a', 'policy', 'roleArn']))}: ${JSON.stringify(anyJson(rng, depth + 1)) ?? 'null'}`).join(',')}}`,
      );
  }
}

/** A JSON body text: the valid one with a field of the wrong type, or the text cut, flipped, nested or padded. */
function mutateJsonBody(rng: Rng, body: Record<string, unknown>): string {
  const keys = Object.keys(body);
  switch (rng.int(0, 6)) {
    case 0: {
      const copy: Record<string, unknown> = { ...body };
      if (keys.length > 0) copy[rng.pick(keys)] = anyJson(rng);
      return JSON.stringify(copy);
    }
    case 1: {
      const text = JSON.stringify(body);
      return text.slice(0, rng.int(0, text.length));
    }
    case 2: {
      const chars = [...JSON.stringify(body)];
      for (let k = rng.int(1, 5); k > 0; k--)
        chars[rng.int(0, Math.max(0, chars.length - 1))] = String.fromCharCode(rng.int(0, 0xffff));
      return chars.join('');
    }
    case 3: {
      const depth = rng.int(100, 20_000);
      return '{"a":'.repeat(depth) + '1' + (rng.chance(0.5) ? '}'.repeat(depth) : '');
    }
    case 4:
      return JSON.stringify(anyJson(rng));
    case 5: {
      const copy: Record<string, unknown> = {};
      for (const k of keys) if (rng.chance(0.5)) copy[k] = body[k];
      return JSON.stringify(copy);
    }
    default:
      return `{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}, ${JSON.stringify(body).slice(1)}`;
  }
}

interface RawRequest {
  method: string;
  path: string;
  query: Array<[string, string]>;
  headers: Record<string, string>;
  body: string;
  /** SigV4 signing name; undefined: a Kubernetes request (bearer token). */
  service?: string;
  auth: 'signed' | 'bad-signature' | 'none' | 'garbage';
  what: string;
}

function formRequest(rng: Rng, service: 'iam' | 'sts'): RawRequest {
  const bases: Array<Array<[string, string]>> =
    service === 'iam'
      ? [
          [
            ['Action', 'GetRole'],
            ['RoleName', ROLE],
          ],
          [
            ['Action', 'PutRolePolicy'],
            ['RoleName', ROLE],
            ['PolicyName', 'fuzz'],
            ['PolicyDocument', POLICY],
          ],
          [
            ['Action', 'CreateRole'],
            ['RoleName', 'fuzz-role'],
            ['AssumeRolePolicyDocument', POLICY],
            ['Tags.member.1.Key', 'k'],
            ['Tags.member.1.Value', 'v'],
          ],
          [
            ['Action', 'UpdateAssumeRolePolicy'],
            ['RoleName', ROLE],
            ['PolicyDocument', POLICY],
          ],
          [
            ['Action', 'GetRolePolicy'],
            ['RoleName', ROLE],
            ['PolicyName', 'fuzz'],
          ],
          [
            ['Action', 'ListRolePolicies'],
            ['RoleName', ROLE],
            ['MaxItems', '1'],
            ['Marker', 'x'],
          ],
          [
            ['Action', 'ListAttachedRolePolicies'],
            ['RoleName', ROLE],
          ],
          [
            ['Action', 'TagRole'],
            ['RoleName', ROLE],
            ['Tags.member.1.Key', 'k'],
            ['Tags.member.1.Value', 'v'],
          ],
          [
            ['Action', 'ListRoles'],
            ['PathPrefix', '/'],
          ],
          [
            ['Action', 'GetPolicy'],
            ['PolicyArn', 'arn:aws:iam::aws:policy/AmazonEFSCSIDriverPolicy'],
          ],
          [
            ['Action', 'GetOpenIDConnectProvider'],
            ['OpenIDConnectProviderArn', `arn:aws:iam::${ACCOUNT}:oidc-provider/x`],
          ],
        ]
      : [
          [['Action', 'GetCallerIdentity']],
          [
            ['Action', 'AssumeRole'],
            ['RoleArn', `arn:aws:iam::${ACCOUNT}:role/${ROLE}`],
            ['RoleSessionName', 's'],
            ['ExternalId', 'e'],
            ['DurationSeconds', '900'],
          ],
          [
            ['Action', 'AssumeRoleWithWebIdentity'],
            ['RoleArn', `arn:aws:iam::${ACCOUNT}:role/${ROLE}`],
            ['RoleSessionName', 's'],
            ['WebIdentityToken', 'eyJ.x.y'],
          ],
        ];
  const params = [
    ...rng.pick(bases),
    ['Version', service === 'iam' ? '2010-05-08' : '2011-06-15'] as [string, string],
  ];
  const hows: string[] = [];
  for (let k = rng.int(1, 3); k > 0; k--) {
    if (params.length === 0) params.push(['Action', 'GetCallerIdentity']);
    const i = rng.int(0, params.length - 1);
    switch (rng.int(0, 4)) {
      case 0:
        params[i] = [params[i]![0], hostile(rng)];
        hows.push(`${params[i]![0]}=hostile`);
        break;
      case 1:
        hows.push(`without ${params[i]![0]}`);
        params.splice(i, 1);
        break;
      case 2:
        params.push([
          rng.pick([
            '__proto__',
            'constructor',
            'Tags.member.99999999.Key',
            'Tags.member.-1.Key',
            'Tags.member.x.Value',
            'Action',
            'RoleName',
          ]),
          hostile(rng),
        ]);
        hows.push(`extra ${params[params.length - 1]![0]}`);
        break;
      case 3:
        params[i] = [params[i]![0], mutateJsonBody(rng, JSON.parse(POLICY) as Record<string, unknown>)];
        hows.push(`${params[i]![0]}=bad JSON`);
        break;
      default:
        params[i] = [hostile(rng), params[i]![1]];
        hows.push('hostile name');
    }
  }
  let body = new URLSearchParams(params).toString();
  if (rng.chance(0.1)) {
    body = body.replace(/%[0-9A-F]{2}/, rng.pick(['%', '%zz', '%C3%28', '%FF']));
    hows.push('broken percent-encoding');
  }
  return {
    method: 'POST',
    path: '/',
    query: [],
    headers: {
      'content-type': rng.chance(0.9)
        ? 'application/x-www-form-urlencoded; charset=utf-8'
        : rng.pick(['application/json', 'text/plain', '']),
    },
    body,
    service,
    auth: 'signed',
    what: `${service} ${params[0]?.[1]?.slice(0, 40)}: ${hows.join(', ')}`,
  };
}

function restRequest(rng: Rng, service: 'eks' | 'elasticfilesystem'): RawRequest {
  const bases: Array<[string, string, Record<string, unknown> | undefined]> =
    service === 'eks'
      ? [
          ['GET', `/clusters/${CLUSTER}`, undefined],
          ['GET', `/clusters/${CLUSTER}/addons/aws-efs-csi-driver`, undefined],
          [
            'POST',
            `/clusters/${CLUSTER}/addons/aws-efs-csi-driver/update`,
            {
              addonVersion: 'v3.4.1-eksbuild.1',
              podIdentityAssociations: [
                { serviceAccount: 'efs-csi-node-sa', roleArn: `arn:aws:iam::${ACCOUNT}:role/${ROLE}` },
              ],
              clientRequestToken: 't',
            },
          ],
          ['GET', `/clusters/${CLUSTER}/pod-identity-associations`, undefined],
          [
            'POST',
            `/clusters/${CLUSTER}/pod-identity-associations`,
            {
              namespace: 'fuzz',
              serviceAccount: 'fuzz-sa',
              roleArn: `arn:aws:iam::${ACCOUNT}:role/${ROLE}`,
              tags: { a: 'b' },
            },
          ],
          [
            'POST',
            `/clusters/${CLUSTER}/pod-identity-associations/a-0000000000000000`,
            { roleArn: `arn:aws:iam::${ACCOUNT}:role/${ROLE}`, policy: POLICY },
          ],
          ['DELETE', `/clusters/${CLUSTER}/pod-identity-associations/a-0000000000000000`, undefined],
          ['GET', `/clusters/${CLUSTER}/access-entries/${enc(`arn:aws:iam::${ACCOUNT}:role/x`)}`, undefined],
          ['GET', `/clusters/${CLUSTER}/updates/u-1`, undefined],
          ['GET', '/addons/supported-versions', undefined],
          ['GET', `/clusters/${CLUSTER}/node-groups`, undefined],
        ]
      : [
          ['GET', `/2015-02-01/file-systems/${FS}/policy`, undefined],
          [
            'PUT',
            `/2015-02-01/file-systems/${FS}/policy`,
            { Policy: POLICY, BypassPolicyLockoutSafetyCheck: false },
          ],
          ['DELETE', `/2015-02-01/file-systems/${FS}/policy`, undefined],
          ['GET', '/2015-02-01/file-systems', undefined],
          ['GET', '/2015-02-01/mount-targets', undefined],
          ['GET', '/2015-02-01/access-points', undefined],
        ];
  const [method, basePath, body] = rng.pick(bases);
  const hows: string[] = [];
  let path = basePath;
  const query: Array<[string, string]> =
    service === 'elasticfilesystem' && basePath.endsWith('file-systems')
      ? [['FileSystemId', FS]]
      : service === 'elasticfilesystem' && basePath.endsWith('mount-targets')
        ? [['FileSystemId', FS]]
        : basePath.endsWith('supported-versions')
          ? [['addonName', 'aws-efs-csi-driver']]
          : [];
  let text = body === undefined ? '' : JSON.stringify(body);
  for (let k = rng.int(1, 3); k > 0; k--) {
    switch (rng.int(0, 4)) {
      case 0: {
        const segments = path.split('/');
        const i = rng.int(1, segments.length - 1);
        const value = hostile(rng);
        segments[i] = rng.chance(0.5) ? enc(value) : value.replace(/[^\x21-\x7e]/g, (c) => enc(c));
        path = segments.join('/');
        hows.push(`path segment ${i} hostile`);
        break;
      }
      case 1:
        query.push([
          rng.pick([
            'maxResults',
            'nextToken',
            'FileSystemId',
            'AccessPointId',
            'MaxItems',
            'Marker',
            'addonName',
            'kubernetesVersion',
            '__proto__',
            'include',
          ]),
          hostile(rng),
        ]);
        hows.push(`query ${query[query.length - 1]![0]}`);
        break;
      case 2:
      case 3:
        text = mutateJsonBody(rng, body ?? {});
        hows.push('body mutated');
        break;
      default:
        hows.push('no body');
        text = '';
    }
  }
  return {
    method: rng.chance(0.05) ? rng.pick(['PATCH', 'OPTIONS', 'HEAD', 'FOO']) : method,
    path,
    query,
    headers: {
      'content-type': rng.chance(0.9)
        ? 'application/json'
        : rng.pick(['text/xml', 'application/x-www-form-urlencoded', '']),
    },
    body: text,
    service,
    auth: 'signed',
    what: `${service} ${method} ${basePath}: ${hows.join(', ')}`,
  };
}

function kubeRequest(rng: Rng): RawRequest {
  const base = `/k8s/${ACCOUNT}/${REGION}/${CLUSTER}`;
  const bases: Array<[string, string, string | undefined, string]> = [
    ['GET', '/api/v1/namespaces/kube-system/serviceaccounts/efs-csi-node-sa', undefined, ''],
    ['GET', '/apis/apps/v1/namespaces/kube-system/daemonsets/efs-csi-node', undefined, ''],
    ['GET', '/api/v1/namespaces/kube-system/pods', undefined, ''],
    ['GET', '/api/v1/persistentvolumes', undefined, ''],
    ['GET', '/apis/storage.k8s.io/v1/storageclasses', undefined, ''],
    [
      'PATCH',
      '/apis/apps/v1/namespaces/kube-system/daemonsets/efs-csi-node',
      JSON.stringify({
        spec: {
          template: {
            metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-11-26T00:00:00Z' } },
          },
        },
      }),
      'application/strategic-merge-patch+json',
    ],
    [
      'PATCH',
      '/api/v1/namespaces/kube-system/serviceaccounts/efs-csi-node-sa',
      JSON.stringify({ metadata: { annotations: { a: 'b' } } }),
      'application/merge-patch+json',
    ],
    [
      'PATCH',
      '/api/v1/namespaces/kube-system/serviceaccounts/efs-csi-node-sa',
      JSON.stringify([{ op: 'add', path: '/metadata/labels/x', value: 'y' }]),
      'application/json-patch+json',
    ],
    ['DELETE', '/api/v1/namespaces/default/pods/nope', undefined, ''],
    ['GET', '/version', undefined, ''],
  ];
  const [method, sub, body, contentType] = rng.pick(bases);
  const hows: string[] = [];
  let path = base + sub;
  const query: Array<[string, string]> = [];
  let text = body ?? '';
  for (let k = rng.int(1, 3); k > 0; k--) {
    switch (rng.int(0, 4)) {
      case 0: {
        const segments = path.split('/');
        const i = rng.int(2, segments.length - 1);
        segments[i] = enc(hostile(rng));
        path = segments.join('/');
        hows.push(`path segment ${i} hostile`);
        break;
      }
      case 1:
        query.push([
          rng.pick([
            'labelSelector',
            'fieldSelector',
            'limit',
            'continue',
            'dryRun',
            'tailLines',
            'container',
            'timestamps',
            'limitBytes',
            'fieldManager',
          ]),
          hostile(rng),
        ]);
        hows.push(`query ${query[query.length - 1]![0]}`);
        break;
      case 2:
        query.push([
          rng.pick(['labelSelector', 'fieldSelector']),
          rng.pick([
            'a in (b',
            'a notin (',
            '!',
            'a=b,,',
            'metadata.name==x',
            '=x',
            'a!=',
            `a in (${'b,'.repeat(5000)}c)`,
            'k8s-app=aws-efs-csi-driver,x',
          ]),
        ]);
        hows.push('bad selector');
        break;
      case 3:
        if (body !== undefined) {
          text = mutateJsonBody(rng, JSON.parse(body) as Record<string, unknown>);
          hows.push('body mutated');
        } else {
          text = JSON.stringify(anyJson(rng));
          hows.push('unexpected body');
        }
        break;
      default:
        text = JSON.stringify([
          {
            op: rng.pick(['add', 'remove', 'replace', 'move', 'copy', 'test', 'x']),
            path: rng.pick([
              '/__proto__/polluted',
              '/metadata/constructor/prototype/polluted',
              '/spec/-',
              '',
              '/a~2b',
              `/${'a/'.repeat(500)}`,
            ]),
            from: '/metadata',
            value: anyJson(rng),
          },
        ]);
        hows.push('hostile JSON patch');
    }
  }
  return {
    method,
    path,
    query,
    headers: {
      'content-type': rng.chance(0.8)
        ? contentType || 'application/json'
        : rng.pick(['application/apply-patch+yaml', 'text/plain', 'application/json-patch+json']),
    },
    body: text,
    auth: 'signed',
    what: `kubernetes ${method} ${sub}: ${hows.join(', ')}`,
  };
}

function generate(seed: number): RawRequest {
  const rng = new Rng(seed);
  const r = rng.pick([
    () => formRequest(rng, 'iam'),
    () => formRequest(rng, 'sts'),
    () => restRequest(rng, 'eks'),
    () => restRequest(rng, 'elasticfilesystem'),
    () => kubeRequest(rng),
    () => kubeRequest(rng),
  ])();
  if (rng.chance(0.1)) {
    r.auth = rng.pick(['bad-signature', 'none', 'garbage'] as const);
    r.what += `; auth ${r.auth}`;
  }
  if (rng.chance(0.05)) {
    r.headers[
      rng.pick([
        'x-amz-target',
        'x-amz-date',
        'x-amz-security-token',
        'content-encoding',
        'expect',
        'transfer-encoding-x',
      ])
    ] = hostile(rng)
      .replace(/[^\x20-\x7e]/g, '?')
      .slice(0, 6000);
    r.what += '; hostile header';
  }
  return r;
}

describe('fuzz: the sandbox HTTP endpoints on 2,000 malformed requests', () => {
  let sandbox: Sandbox;
  let keys: { accessKeyId: string; secretAccessKey: string };
  beforeAll(async () => {
    sandbox = await startSandbox({ scenario: 'healthy' });
    keys = adminCredentials(sandbox.state, ACCOUNT)!;
  });
  afterAll(() => sandbox.stop());

  async function send(r: RawRequest): Promise<{ status: number; body: string }> {
    const url = new URL(sandbox.url);
    const headers: Record<string, string> = { ...r.headers, host: `${url.hostname}:${url.port}` };
    if (headers['content-type'] === '') delete headers['content-type'];
    r.query = r.query.map(([k, v]) => [wellFormed(k), wellFormed(v)]);
    const query = Object.fromEntries(r.query) as Record<string, string>;
    if (r.service) {
      if (r.auth === 'signed' || r.auth === 'bad-signature') {
        const signer = new SignatureV4({
          service: r.service,
          region: r.service === 'iam' ? 'us-east-1' : REGION,
          credentials: keys,
          sha256: Sha256,
        });
        const signed = await signer.sign({
          method: r.method,
          protocol: 'http:',
          hostname: url.hostname,
          port: Number(url.port),
          path: r.path,
          query,
          headers,
          body: r.body,
        });
        Object.assign(headers, signed.headers);
        if (r.auth === 'bad-signature')
          headers.authorization = headers.authorization!.replace(/Signature=\w{8}/, 'Signature=00000000');
      } else if (r.auth === 'garbage') {
        headers.authorization = `AWS4-HMAC-SHA256 Credential=${keys.accessKeyId}/x/${REGION}/${r.service}/aws4_request, SignedHeaders=host;;, Signature=zz`;
      }
    } else if (r.auth === 'signed') {
      headers.authorization = `Bearer ${SANDBOX_ADMIN_TOKEN}`;
    } else if (r.auth === 'garbage') {
      headers.authorization = `Bearer k8s-aws-v1.${Buffer.from('http://sts.amazonaws.com/?Action=GetCallerIdentity&X-Amz-Expires=60').toString('base64url')}`;
    }
    const search = new URLSearchParams(r.query).toString();
    return new Promise((resolve, reject) => {
      const req = httpRequest(
        {
          host: url.hostname,
          port: url.port,
          method: r.method,
          path: r.path + (search ? `?${search}` : ''),
          headers: { ...headers, 'content-length': String(Buffer.byteLength(r.body)) },
          timeout: ANSWER_TIMEOUT_MS,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
          );
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer in ${ANSWER_TIMEOUT_MS} ms (a hang)`)));
      req.on('error', reject);
      req.end(r.body);
    });
  }

  const RUNTIME_ERROR =
    /sandbox error|Internal error occurred|TypeError|RangeError|ReferenceError|SyntaxError|Cannot read propert|is not a function|is not iterable|Maximum call stack|\bat [\w.<>]+ \(/;

  function judge(status: number, body: string): string | undefined {
    if (status >= 500 || status < 100) return `status ${status}: ${body.slice(0, 400)}`;
    if (RUNTIME_ERROR.test(body))
      return `a runtime error in the answer (status ${status}): ${body.slice(0, 400)}`;
    return undefined;
  }

  it('answers every raw request with a proper error or a result, never a 5xx, a stack trace or a hang', async () => {
    const crashes: string[] = [];
    const statuses = new Map<number, number>();
    const seeds = seedsFor('sandbox-http', RAW_RUNS);
    // Four requests in flight, as a few concurrent clients would send them.
    let next = 0;
    const worker = async () => {
      while (next < seeds.length && crashes.length < 5) {
        const seed = seeds[next++]!;
        const r = generate(seed);
        let crash: string | undefined;
        try {
          const { status, body } = await send(r);
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
          crash = judge(status, body);
        } catch (error) {
          crash = `no answer: ${(error as Error).message}`;
        }
        if (crash)
          crashes.push(
            `FUZZ_SEED=${seed} (${r.what.slice(0, 300)}): ${crash}\n  request: ${r.method} ${JSON.stringify(r.path.slice(0, 200))} body ${JSON.stringify(r.body.slice(0, 300))}`,
          );
      }
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
    if (crashes.length > 0) console.error(crashes.join('\n\n'));
    expect(crashes).toEqual([]);
    if (process.env.FUZZ_SEED === undefined) {
      // The campaign reached the handlers: most requests were signed well enough to be judged by a service, and
      // some were valid enough to succeed.
      const count = (test: (status: number) => boolean) =>
        [...statuses].filter(([s]) => test(s)).reduce((sum, [, n]) => sum + n, 0);
      expect(count((s) => s >= 200 && s < 300)).toBeGreaterThan(RAW_RUNS / 20);
      expect(count((s) => s === 403 || s === 401)).toBeLessThan(RAW_RUNS / 3);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // Still serving: the real SDK gets its answer.
    const sts = new STSClient({ endpoint: sandbox.url, region: REGION, credentials: keys, maxAttempts: 1 });
    await expect(sts.send(new GetCallerIdentityCommand({}))).resolves.toMatchObject({ Account: ACCOUNT });
    sts.destroy();
    expect(sandbox.log.calls.filter((c) => (c.status ?? 0) >= 500)).toEqual([]);
  }, 120_000);

  it('answers 200 hostile parameters sent by the real SDK clients with a typed service error', async () => {
    const config = { endpoint: sandbox.url, region: REGION, credentials: keys, maxAttempts: 1 };
    const efs = new EFSClient(config);
    const iam = new IAMClient({ ...config, region: 'us-east-1' });
    const eks = new EKSClient(config);
    const crashes: string[] = [];
    try {
      for (const seed of seedsFor('sandbox-sdk', SDK_RUNS)) {
        const rng = new Rng(seed);
        const value = hostile(rng);
        const call = rng.pick([
          () => efs.send(new DescribeFileSystemPolicyCommand({ FileSystemId: value })),
          () =>
            efs.send(
              new PutFileSystemPolicyCommand({
                FileSystemId: rng.chance(0.5) ? FS : value,
                Policy: rng.chance(0.5)
                  ? value
                  : mutateJsonBody(rng, JSON.parse(POLICY) as Record<string, unknown>),
              }),
            ),
          () => iam.send(new GetRoleCommand({ RoleName: value })),
          () =>
            iam.send(
              new PutRolePolicyCommand({
                RoleName: rng.chance(0.5) ? ROLE : value,
                PolicyName: rng.chance(0.5) ? 'fuzz' : value,
                PolicyDocument: mutateJsonBody(rng, JSON.parse(POLICY) as Record<string, unknown>),
              }),
            ),
          () =>
            eks.send(
              new DescribePodIdentityAssociationCommand({
                clusterName: rng.chance(0.5) ? CLUSTER : value,
                associationId: value,
              }),
            ),
        ]);
        try {
          await call();
        } catch (error) {
          const e = error as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
          const status = e.$metadata?.httpStatusCode;
          // A typed service error (4xx with the service's code; a 431 for a URL over 16 KB, whose plain-text body
          // the SDK cannot parse, is an answer too), or a client-side refusal of the parameter before any request (no
          // status): all proper answers. A 5xx, or a runtime error without an answer, is not.
          if (status !== undefined ? status >= 500 : RUNTIME_ERROR.test(`${e.name}: ${e.message}`))
            crashes.push(
              `FUZZ_SEED=${seed} (${JSON.stringify(value.slice(0, 80))}): ${e.name} ${status}: ${e.message?.slice(0, 300)}`,
            );
        }
        if (crashes.length >= 5) break;
      }
    } finally {
      efs.destroy();
      iam.destroy();
      eks.destroy();
    }
    if (crashes.length > 0) console.error(crashes.join('\n'));
    expect(crashes).toEqual([]);
  }, 120_000);
});
