import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { coreServices, createServiceFactory } from '@backstage/backend-plugin-api';
import { mockCredentials, mockServices, startTestBackend } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import type { JsonObject } from '@backstage/types';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import request from 'supertest';
import { parse } from 'yaml';
import {
  ANNOTATION_CLUSTER_ARN,
  ANNOTATION_FILE_SYSTEM_IDS,
  ANNOTATION_MODE,
} from '@efs-node-identity/backstage-plugin-common';
import scaffolderModule from './index';
import { DENIED_USER, permissionsDenying } from './testing/permissions';
import {
  CLUSTER,
  FS,
  openSandboxWorld,
  PLATFORM_ACCOUNT,
  REGION,
  type SandboxWorld,
} from './testing/sandbox-world';
import { verifyLive } from '@efs-node-identity/aws';

/**
 * The actions inside the real scaffolder backend (`@backstage/plugin-scaffolder-backend` in a test backend, with the
 * module registered as an app registers it), driven over its HTTP API with the template this package ships: a dry
 * run through /v2/dry-run and real tasks through /v2/tasks, against the sandbox.
 */

const templatePath = path.join(__dirname, '../templates/efs-node-identity/template.yaml');
const template = parse(readFileSync(templatePath, 'utf8')) as Entity;
const payments: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'payments',
    namespace: 'default',
    annotations: {
      'backstage.io/managed-by-location': 'url:https://github.com/acme/payments/blob/main/catalog-info.yaml',
      // What the efs-node-identity backend plugin verifies for the status card (the refresh-status step).
      [ANNOTATION_CLUSTER_ARN]: `arn:aws:eks:${REGION}:${PLATFORM_ACCOUNT}:cluster/${CLUSTER}`,
      [ANNOTATION_FILE_SYSTEM_IDS]: FS,
      [ANNOTATION_MODE]: 'pod-identity',
    },
  },
  spec: { type: 'service', lifecycle: 'production', owner: 'team-payments' },
};

const values = {
  entity: 'component:default/payments',
  cluster: CLUSTER,
  region: REGION,
  accountId: PLATFORM_ACCOUNT,
  mode: 'pod-identity',
  fileSystems: [{ id: FS, access: 'write' }],
  delivery: 'apply',
  annotateEntity: false,
};

interface TaskEvent {
  type: string;
  body: { message?: string; stepId?: string; status?: string; error?: { message?: string } };
}

/**
 * The status plugin beside the scaffolder, as in an app with the entity card: the template's refresh-status step asks
 * it to verify the entity again after the apply. Its scheduled fleet refresh is left unscheduled (a mock scheduler),
 * so the stored status comes from that step alone.
 */
const statusPlugin = () => [
  import('@efs-node-identity/backstage-plugin-backend'),
  mockServices.scheduler.mock().factory,
];

async function startScaffolder(w: SandboxWorld, extra: ReturnType<typeof statusPlugin> = []) {
  return startTestBackend({
    features: [
      import('@backstage/plugin-scaffolder-backend'),
      scaffolderModule,
      ...extra,
      mockServices.rootConfig.factory({ data: { aws: w.awsConfig as JsonObject } }),
      catalogServiceMock.factory({
        entities: [{ ...template, metadata: { ...template.metadata, namespace: 'default' } }, payments],
      }),
      createServiceFactory({
        service: coreServices.permissions,
        deps: {},
        factory: () => permissionsDenying(),
      }),
    ],
  });
}

/** Polls the task until it is no longer open; returns its status and events. */
async function waitForTask(server: Parameters<typeof request>[0], id: string, token: string) {
  for (let i = 0; i < 600; i++) {
    const task = await request(server)
      .get(`/api/scaffolder/v2/tasks/${id}`)
      .set('Authorization', `Bearer ${token}`);
    if (['completed', 'failed', 'cancelled'].includes(task.body.status)) {
      const events = await request(server)
        .get(`/api/scaffolder/v2/tasks/${id}/events`)
        .set('Authorization', `Bearer ${token}`);
      return { status: task.body.status as string, events: events.body as TaskEvent[] };
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`task ${id} did not finish`);
}

describe('the efs-node-identity template in the real scaffolder backend', () => {
  let w: SandboxWorld;
  afterEach(async () => w?.stop());

  it('dry-runs the template through /v2/dry-run: the plan lists the merge step and nothing is written', async () => {
    w = await openSandboxWorld('deny-only-policy');
    const backend = await startScaffolder(w);
    const server = backend.server;
    try {
      const res = await request(server)
        .post('/api/scaffolder/v2/dry-run')
        .set('Authorization', mockCredentials.user.header())
        .send({ template, values, directoryContents: [] });
      expect(res.status).toBe(200);
      const messages = (res.body.log as Array<{ body: { message: string } }>).map((l) => l.body.message);
      const log = messages.join('\n');
      expect(log).toMatch(
        /step: Merge the policy of fs-0a1b2c3d4e5f60718: add statement EfsCsiNode-prod-eks/,
      );
      expect(log).toMatch(/dry run: would Merge the policy of fs-0a1b2c3d4e5f60718/);
      expect(log).toMatch(
        /dry run: would ask the efs-node-identity backend to verify component:default\/payments now/,
      );
      expect(res.body.output.text[0].content).toMatch(/[1-9]\d* step\(s\) planned/);
      expect(res.body.steps.map((s: { id: string }) => s.id)).toEqual(
        expect.arrayContaining(['plan', 'apply']),
      );
      expect(w.sandbox.log.calls.length).toBeGreaterThan(0);
      expect(w.writes()).toEqual([]);
    } finally {
      await backend.stop();
    }
  });

  it('runs the template as a task through /v2/tasks: apply converges, verify is clean and the status card says ok', async () => {
    w = await openSandboxWorld('deny-only-policy');
    const backend = await startScaffolder(w, statusPlugin());
    const server = backend.server;
    try {
      const token = mockCredentials.user.token('user:default/platform-engineer');
      const created = await request(server)
        .post('/api/scaffolder/v2/tasks')
        .set('Authorization', `Bearer ${token}`)
        .send({ templateRef: 'template:default/efs-node-identity', values });
      expect(created.status).toBe(201);
      const { status, events } = await waitForTask(server, created.body.id, token);
      const log = events.map((e) => e.body.message ?? '').join('\n');
      expect({ status, log }).toMatchObject({ status: 'completed' });
      expect(log).toMatch(/verify: 0 error\(s\)/);
      expect(w.writes().map((c) => c.operation)).toEqual(expect.arrayContaining(['PutFileSystemPolicy']));

      // The refresh-status step had the status plugin verify the entity again: the card reads the new state.
      expect(log).toMatch(/status of component:default\/payments refreshed: ok/);
      const card = await request(server)
        .get('/api/efs-node-identity/entities/default/component/payments/status')
        .set('Authorization', `Bearer ${token}`);
      expect(card.status).toBe(200);
      expect(card.body).toMatchObject({ state: 'ok', findings: [] });

      const access = await w.aws.open(
        { cluster: CLUSTER, region: REGION, fileSystems: [] },
        PLATFORM_ACCOUNT,
      );
      try {
        const { findings } = await verifyLive(
          { cluster: CLUSTER, region: REGION, fileSystemIds: [FS] },
          access,
        );
        expect(findings.filter((f) => f.severity === 'error')).toEqual([]);
      } finally {
        access.destroy();
      }
    } finally {
      await backend.stop();
    }
  });

  it('fails the task of a user without efs-node-identity.provision with NotAllowedError, writing nothing', async () => {
    w = await openSandboxWorld('deny-only-policy');
    const backend = await startScaffolder(w);
    const server = backend.server;
    try {
      const token = mockCredentials.user.token(DENIED_USER);
      const created = await request(server)
        .post('/api/scaffolder/v2/tasks')
        .set('Authorization', `Bearer ${token}`)
        .send({ templateRef: 'template:default/efs-node-identity', values });
      expect(created.status).toBe(201);
      const { status, events } = await waitForTask(server, created.body.id, token);
      expect(status).toBe('failed');
      const failure = events.find((e) => e.type === 'completion');
      expect(failure?.body.error?.message ?? failure?.body.message).toMatch(
        /NotAllowedError|efs-node-identity\.provision/,
      );
      expect(w.sandbox.log.calls).toEqual([]);
    } finally {
      await backend.stop();
    }
  });
});
