import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import type { EntityStatusResponse, FleetResponse } from '@efs-node-identity/backstage-plugin-common';
import type { Knex } from 'knex';
import request from 'supertest';
import { adminCredentials } from '@efs-node-identity/sandbox';
import efsNodeIdentityPlugin from '../src';
import { cliVerifyRuleIds, PLATFORM_ACCOUNT, startWorld, type SandboxWorld } from './sandbox-world';

const databases = TestDatabases.create({ ids: ['POSTGRES_18'] });

const ALICE = 'user:default/alice'; // may read and provision
const READER = 'user:default/rita'; // may read statuses, not provision
const MALLORY = 'user:default/mallory'; // may do nothing

const FS_ID = 'fs-0a1b2c3d4e5f60718';
const STORAGE_ACCOUNT = '444455556666';
const CROSS_ACCOUNT_FS_ID = 'fs-0c7d8e9f0a1b2c3d4';

function component(name: string, annotations: Record<string, string>): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name, namespace: 'default', annotations },
    spec: { type: 'service', lifecycle: 'production', owner: 'team-storage' },
  };
}

function entities(clusterArn: string): Entity[] {
  return [
    component('payments', {
      'efs-node-identity.io/cluster-arn': clusterArn,
      'efs-node-identity.io/file-system-ids': FS_ID,
      'efs-node-identity.io/service-account': 'kube-system/efs-csi-node-sa',
      'efs-node-identity.io/mode': 'pod-identity',
    }),
    component('ledger', { 'efs-node-identity.io/cluster-arn': clusterArn }),
    component('search', {
      'efs-node-identity.io/cluster-arn': 'arn:aws:eks:us-east-1:111122223333:cluster/other',
    }),
    component('frontend', {}),
    component('typo', {
      'efs-node-identity.io/cluster-arn': clusterArn,
      'efs-node-identity.io/mode': 'node-role',
    }),
  ];
}

/** A permission policy by user: the decisions a real policy would make for these three users. */
function permissionsByUser() {
  const mock = mockServices.permissions.mock();
  mock.authorize.mockImplementation(async (requests, options) => {
    const principal = (options.credentials as BackstageCredentials<{ type: 'user'; userEntityRef: string }>)
      .principal;
    const user = principal.userEntityRef;
    return requests.map((r) => {
      const name = r.permission.name;
      const allowed =
        user === ALICE ||
        (user === READER && (name === 'catalog.entity.read' || name === 'efs-node-identity.status.read'));
      return { result: allowed ? AuthorizeResult.ALLOW : AuthorizeResult.DENY };
    });
  });
  return mock;
}

/** `storageAccount`: also configure the cross-account scenario's storage account as a file system account. */
async function startBackend(
  world: SandboxWorld,
  knex: Knex,
  options: { storageAccount?: boolean; moreEntities?: Entity[] } = {},
) {
  const storageKeys = adminCredentials(world.sandbox.state, STORAGE_ACCOUNT);
  return startTestBackend({
    features: [
      efsNodeIdentityPlugin,
      mockServices.database.factory({ knex }),
      mockServices.rootConfig.factory({
        data: {
          aws: {
            accounts: [
              {
                accountId: PLATFORM_ACCOUNT,
                accessKeyId: world.keys.accessKeyId,
                secretAccessKey: world.keys.secretAccessKey,
              },
              ...(options.storageAccount && storageKeys
                ? [
                    {
                      accountId: STORAGE_ACCOUNT,
                      accessKeyId: storageKeys.accessKeyId,
                      secretAccessKey: storageKeys.secretAccessKey,
                    },
                  ]
                : []),
            ],
          },
          ...(options.storageAccount ? { efsNodeIdentity: { fileSystemAccounts: [STORAGE_ACCOUNT] } } : {}),
        },
      }),
      catalogServiceMock.factory({
        entities: [...entities(world.clusterArn), ...(options.moreEntities ?? [])],
      }),
      permissionsByUser().factory,
      // These tests are about the API: the fleet refresh must not verify entities behind their back at startup.
      mockServices.scheduler.factory({ skipTaskRunOnStartup: true }),
    ],
  });
}

const API = '/api/efs-node-identity';
const as = (user: string) => mockCredentials.user.header(user);

describe('status API against the sandbox', () => {
  let world: SandboxWorld | undefined;
  afterEach(async () => {
    await world?.stop();
    world = undefined;
  });

  it.each([
    ['healthy', []],
    ['deny-only-policy', ['FS-02']],
  ])(
    'reports the rule IDs `efs-node-identity verify` reports for %s (errors include %j)',
    async (scenario, expectedErrors) => {
      world = await startWorld(scenario);
      const knex = await databases.init('POSTGRES_18');
      const { server } = await startBackend(world, knex);

      const verified = await request(server)
        .post(`${API}/entities/default/component/payments/verify`)
        .set('Authorization', as(ALICE));
      expect(verified.status).toBe(200);
      const body = verified.body as EntityStatusResponse;
      expect(body.entityRef).toBe('component:default/payments');
      expect(body.error).toBeUndefined();
      expect(body.calls!.aws).toBeGreaterThan(0);
      expect(body.calls!.kubernetes).toBeGreaterThan(0);

      const cliRuleIds = await cliVerifyRuleIds(world);
      expect(body.findings.map((f) => f.ruleId).sort()).toEqual(cliRuleIds);
      const errors = body.findings.filter((f) => f.severity === 'error').map((f) => f.ruleId);
      expect(errors).toEqual(expect.arrayContaining(expectedErrors));
      expect(body.state).toBe(expectedErrors.length ? 'failing' : body.findings.length ? 'warnings' : 'ok');

      // The stored result is what the status endpoint answers, with the time of the verification.
      const status = await request(server)
        .get(`${API}/entities/default/component/payments/status`)
        .set('Authorization', as(READER));
      expect(status.status).toBe(200);
      expect(status.body).toEqual(body);
      expect(Date.parse(status.body.lastVerifiedAt)).not.toBeNaN();
    },
  );

  it('verifies an S3 Files volume like an EFS one: S3F-04 for a bucket policy that denies the node role, the file system typed', async () => {
    world = await startWorld('s3files-bucket-deny');
    const S3_FS_ID = 'fs-0c1d2e3f4a5b6c7d8e9f';
    const { server } = await startBackend(world, await databases.init('POSTGRES_18'), {
      moreEntities: [
        component('media-archive', {
          'efs-node-identity.io/cluster-arn': world.clusterArn,
          'efs-node-identity.io/file-system-ids': `s3files:${S3_FS_ID}`,
        }),
      ],
    });

    // Before the first verification, the type comes from the annotation.
    const before = await request(server)
      .get(`${API}/entities/default/component/media-archive/status`)
      .set('Authorization', as(READER))
      .expect(200);
    expect(before.body).toMatchObject({
      state: 'not-verified',
      fileSystemIds: [S3_FS_ID],
      fileSystems: [{ id: S3_FS_ID, type: 's3files' }],
    });

    const verified = await request(server)
      .post(`${API}/entities/default/component/media-archive/verify`)
      .set('Authorization', as(ALICE))
      .expect(200);
    const body = verified.body as EntityStatusResponse;
    expect(body.state).toBe('failing');
    const s3f04 = body.findings.find((f) => f.ruleId === 'S3F-04');
    expect(s3f04).toMatchObject({ severity: 'error' });
    expect(body.fileSystems).toEqual([{ id: S3_FS_ID, type: 's3files' }]);
    expect(body.notRead).toEqual([]);
    // The same rule IDs as the CLI, which finds the volume in the cluster and is also told the file system.
    expect(body.findings.map((f) => f.ruleId).sort()).toEqual(
      await cliVerifyRuleIds(world, ['--file-system', `s3files:${S3_FS_ID}`]),
    );
  });

  it('explains FS-02 with the evaluator trace and a remediation', async () => {
    world = await startWorld('deny-only-policy');
    const { server } = await startBackend(world, await databases.init('POSTGRES_18'));
    const res = await request(server)
      .post(`${API}/entities/default/component/payments/verify`)
      .set('Authorization', as(ALICE));
    const fs02 = (res.body as EntityStatusResponse).findings.find((f) => f.ruleId === 'FS-02')!;
    expect(fs02.resource).toBe(FS_ID);
    expect(fs02.remediation).toEqual(expect.any(String));
    expect(fs02.trace?.length).toBeGreaterThan(0);
  });

  it('stores an unverifiable outcome that says what to do when the cluster refuses the backend (no access entry)', async () => {
    world = await startWorld('healthy', { accessEntry: false });
    const { server } = await startBackend(world, await databases.init('POSTGRES_18'));
    const res = await request(server)
      .post(`${API}/entities/default/component/payments/verify`)
      .set('Authorization', as(ALICE));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ state: 'unverifiable', findings: [] });
    expect(res.body.error).toBe(
      'the Kubernetes API server of prod-eks refused the request (HTTP 401): the identity needs an EKS access entry (or a kubeconfig with access)',
    );
    expect(JSON.stringify(res.body)).not.toContain(world.keys.secretAccessKey);
    const fleet = await request(server)
      .get(`${API}/fleet?state=unverifiable`)
      .set('Authorization', as(READER));
    expect(fleet.body.items.map((i: { entityRef: string }) => i.entityRef)).toEqual([
      'component:default/payments',
    ]);
  });

  it("reads a file system of another account with that account's aws: credentials when it is a fileSystemAccount", async () => {
    world = await startWorld('cross-account');
    const knex = await databases.init('POSTGRES_18');

    // Without the storage account, the file system is not read, and the answer says what to configure.
    const platformOnly = await startBackend(world, knex);
    const partial = await request(platformOnly.server)
      .post(`${API}/entities/default/component/ledger/verify`)
      .set('Authorization', as(ALICE))
      .expect(200);
    expect([...partial.body.notRead].sort()).toEqual([
      `file system ${CROSS_ACCOUNT_FS_ID}: not found in account ${PLATFORM_ACCOUNT}; if it is in another account, add that account to efsNodeIdentity.fileSystemAccounts and aws.accounts`,
      `role arn:aws:iam::${STORAGE_ACCOUNT}:role/prod-eks-efs-provisioner: account ${STORAGE_ACCOUNT} is not readable with these credentials; add account ${STORAGE_ACCOUNT} to efsNodeIdentity.fileSystemAccounts and aws.accounts`,
    ]);
    await platformOnly.stop();

    world.sandbox.log.clear();
    const withStorage = await startBackend(world, knex, { storageAccount: true });
    const full = await request(withStorage.server)
      .post(`${API}/entities/default/component/ledger/verify`)
      .set('Authorization', as(ALICE))
      .expect(200);
    expect(full.body.notRead).toEqual([]);
    expect(full.body.findings.filter((f: { severity: string }) => f.severity === 'error')).toEqual([]);
    const storageCalls = world.sandbox.log.calls.filter((c) => c.accountId === STORAGE_ACCOUNT);
    expect(storageCalls.map((c) => `${c.service}:${c.operation}`)).toContain(
      'elasticfilesystem:DescribeFileSystems',
    );
    expect(new Set(storageCalls.map((c) => c.principalArn))).toEqual(
      new Set([`arn:aws:iam::${STORAGE_ACCOUNT}:user/sandbox-admin`]),
    );
  });

  it('answers 403 to a user without the permissions and makes no AWS call', async () => {
    world = await startWorld('healthy');
    const { server } = await startBackend(world, await databases.init('POSTGRES_18'));
    world.sandbox.log.clear();

    const verify = await request(server)
      .post(`${API}/entities/default/component/payments/verify`)
      .set('Authorization', as(MALLORY));
    expect(verify.status).toBe(403);
    expect(verify.body.error).toMatchObject({ name: 'NotAllowedError' });

    // Reading is not provisioning: a reader may see the status but not trigger AWS calls.
    const readerVerify = await request(server)
      .post(`${API}/entities/default/component/payments/verify`)
      .set('Authorization', as(READER));
    expect(readerVerify.status).toBe(403);
    expect(readerVerify.body.error.message).toContain('efs-node-identity.provision');

    const status = await request(server)
      .get(`${API}/entities/default/component/payments/status`)
      .set('Authorization', as(MALLORY));
    expect(status.status).toBe(403);
    const fleet = await request(server).get(`${API}/fleet`).set('Authorization', as(MALLORY));
    expect(fleet.status).toBe(403);

    expect(world.sandbox.log.calls).toEqual([]);
  });

  it('answers 400 to hostile path and query parameters, with no AWS call (docs/security/hostile-inputs.md)', async () => {
    world = await startWorld('healthy');
    const { server } = await startBackend(world, await databases.init('POSTGRES_18'));
    world.sandbox.log.clear();
    const paths = [
      `/entities/default/component/${encodeURIComponent('../../etc')}/status`,
      `/entities/default/component/${encodeURIComponent('__proto__')}/status`,
      `/entities/default/${encodeURIComponent('component<script>')}/ledger/status`,
      `/entities/${encodeURIComponent("default'--")}/component/ledger/status`,
      `/entities/default/component/${'a'.repeat(300)}/status`,
      `/entities/default/component/${encodeURIComponent('ledger\u001b[2J')}/status`,
      `/fleet?cluster=${encodeURIComponent("prod'; DROP TABLE efs_node_identity_status; --")}`,
      '/fleet?cluster=a&cluster=b',
      `/fleet?cluster=${'a'.repeat(300)}`,
      '/fleet?state=__proto__',
      '/fleet?limit=1000000000',
      '/fleet?offset=-1',
      '/fleet?limit=1e3',
      '/fleet?limit=NaN',
    ];
    for (const p of paths) {
      const answer = await request(server).get(`${API}${p}`).set('Authorization', as(READER));
      expect({ path: p, status: answer.status }).toEqual({ path: p, status: 400 });
      expect(JSON.stringify(answer.body)).not.toMatch(/\bat \S+ \(|TypeError/);
    }
    expect(world.sandbox.log.calls).toEqual([]);
  });

  it('answers not-verified before the first verification, 404 for an entity that is not set up, 400 naming a bad annotation', async () => {
    world = await startWorld('healthy');
    const { server } = await startBackend(world, await databases.init('POSTGRES_18'));
    world.sandbox.log.clear();

    const fresh = await request(server)
      .get(`${API}/entities/default/component/ledger/status`)
      .set('Authorization', as(READER));
    expect(fresh.status).toBe(200);
    expect(fresh.body).toMatchObject({ state: 'not-verified', findings: [], clusterArn: world.clusterArn });
    expect(fresh.body.lastVerifiedAt).toBeUndefined();

    const notSetUp = await request(server)
      .get(`${API}/entities/default/component/frontend/status`)
      .set('Authorization', as(READER));
    expect(notSetUp.status).toBe(404);
    expect(notSetUp.body.error.message).toContain('efs-node-identity.io/cluster-arn');

    const missing = await request(server)
      .get(`${API}/entities/default/component/nope/status`)
      .set('Authorization', as(READER));
    expect(missing.status).toBe(404);

    const typo = await request(server)
      .post(`${API}/entities/default/component/typo/verify`)
      .set('Authorization', as(ALICE));
    expect(typo.status).toBe(400);
    expect(typo.body.error.message).toContain('annotation efs-node-identity.io/mode: "node-role"');

    const badName = await request(server)
      .get(`${API}/entities/default/component/${encodeURIComponent('a b')}/status`)
      .set('Authorization', as(READER));
    expect(badName.status).toBe(400);

    expect(world.sandbox.log.calls).toEqual([]);
  });

  it('lists the fleet: every annotated entity, filtered by cluster and state, paginated', async () => {
    world = await startWorld('deny-only-policy');
    const { server } = await startBackend(world, await databases.init('POSTGRES_18'));
    await request(server)
      .post(`${API}/entities/default/component/payments/verify`)
      .set('Authorization', as(ALICE))
      .expect(200);

    const all = (await request(server).get(`${API}/fleet`).set('Authorization', as(READER)).expect(200))
      .body as FleetResponse;
    expect(all.items.map((i) => [i.entityRef, i.state])).toEqual([
      ['component:default/ledger', 'not-verified'],
      ['component:default/payments', 'failing'],
      ['component:default/search', 'not-verified'],
      ['component:default/typo', 'not-verified'],
    ]);
    expect(all.items[1]!.ruleIds).toContain('FS-02');
    expect(all.totalCount).toBe(4);
    expect(all.nextOffset).toBeUndefined();

    const failing = (await request(server).get(`${API}/fleet?state=failing`).set('Authorization', as(READER)))
      .body as FleetResponse;
    expect(failing.items.map((i) => i.entityRef)).toEqual(['component:default/payments']);

    const other = (await request(server).get(`${API}/fleet?cluster=other`).set('Authorization', as(READER)))
      .body as FleetResponse;
    expect(other.items.map((i) => i.entityRef)).toEqual(['component:default/search']);

    const page = (await request(server).get(`${API}/fleet?limit=2&offset=1`).set('Authorization', as(READER)))
      .body as FleetResponse;
    expect(page.items.map((i) => i.entityRef)).toEqual([
      'component:default/payments',
      'component:default/search',
    ]);
    expect(page).toMatchObject({ totalCount: 4, offset: 1, limit: 2, nextOffset: 3 });

    const bad = await request(server).get(`${API}/fleet?state=great`).set('Authorization', as(READER));
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('state must be one of');
  });

  it('answers repeated status reads from memory, and a new result at once after it is stored', async () => {
    world = await startWorld('deny-only-policy');
    const knex = await databases.init('POSTGRES_18');
    const { server } = await startBackend(world, knex);
    const statusReads: string[] = [];
    const onQuery = (q: { sql: string }) => {
      if (q.sql.startsWith('select') && q.sql.includes('efs_node_identity_entity_status'))
        statusReads.push(q.sql);
    };
    knex.on('query', onQuery);
    try {
      const read = () =>
        request(server)
          .get(`${API}/entities/default/component/payments/status`)
          .set('Authorization', as(READER))
          .expect(200);
      expect((await read()).body.state).toBe('not-verified');
      expect((await read()).body.state).toBe('not-verified');
      expect(statusReads).toHaveLength(1);

      const verified = await request(server)
        .post(`${API}/entities/default/component/payments/verify`)
        .set('Authorization', as(ALICE))
        .expect(200);
      const after = await read();
      expect(after.body).toEqual(verified.body);
      expect(statusReads).toHaveLength(1);

      // The same answer keeps its ETag; a client that has it gets 304 and no body.
      const etag = after.headers.etag as string;
      expect(etag).toMatch(/^W\/"[\w-]+"$/);
      expect((await read()).headers.etag).toBe(etag);
      const unchanged = await request(server)
        .get(`${API}/entities/default/component/payments/status`)
        .set('Authorization', as(READER))
        .set('If-None-Match', etag);
      expect(unchanged.status).toBe(304);
      expect(unchanged.text).toBe('');

      // A cached answer is still only for those allowed to read it.
      const denied = await request(server)
        .get(`${API}/entities/default/component/payments/status`)
        .set('Authorization', as(MALLORY));
      expect(denied.status).toBe(403);
    } finally {
      knex.off('query', onQuery);
    }
  });

  it('keeps results in the database: a restarted backend answers the last verification without calling AWS', async () => {
    world = await startWorld('deny-only-policy');
    const knex = await databases.init('POSTGRES_18');
    const first = await startBackend(world, knex);
    const verified = await request(first.server)
      .post(`${API}/entities/default/component/payments/verify`)
      .set('Authorization', as(ALICE))
      .expect(200);
    await first.stop();

    world.sandbox.log.clear();
    const second = await startBackend(world, knex);
    const status = await request(second.server)
      .get(`${API}/entities/default/component/payments/status`)
      .set('Authorization', as(READER))
      .expect(200);
    expect(status.body).toEqual(verified.body);
    expect(world.sandbox.log.calls).toEqual([]);
  });
});
