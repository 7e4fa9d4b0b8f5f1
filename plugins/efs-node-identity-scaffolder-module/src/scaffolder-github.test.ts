import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { coreServices, createServiceFactory } from '@backstage/backend-plugin-api';
import { mockCredentials, mockServices, startTestBackend } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import type { JsonObject } from '@backstage/types';
import { parseEfsNodeIdentityAnnotations } from '@efs-node-identity/backstage-plugin-common';
import request from 'supertest';
import { parse, parseAllDocuments } from 'yaml';
import scaffolderModule from './index';
import { startFakeGithub, type FakeGithub } from './testing/fake-github';
import { permissionsDenying } from './testing/permissions';
import {
  CLUSTER,
  FS,
  openSandboxWorld,
  PLATFORM_ACCOUNT,
  REGION,
  type SandboxWorld,
} from './testing/sandbox-world';

/**
 * The pull-request delivery of the template in the real scaffolder backend, with
 * `@backstage/plugin-scaffolder-backend-module-github` talking to a fake GitHub API on 127.0.0.1
 * (`integrations.github[].apiBaseUrl`): the rendered files go to the infrastructure repository, the annotated
 * catalog-info.yaml to the service's, and nothing is written to AWS.
 */

const template = parse(
  readFileSync(path.join(__dirname, '../templates/efs-node-identity/template.yaml'), 'utf8'),
) as Entity;
const catalogInfo = readFileSync(path.join(__dirname, 'actions/__fixtures__/catalog-info.yaml'), 'utf8');
const payments: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'payments',
    namespace: 'default',
    annotations: {
      'backstage.io/managed-by-location': 'url:https://github.com/acme/payments/blob/main/catalog-info.yaml',
    },
  },
  spec: { type: 'service', lifecycle: 'production', owner: 'team-payments' },
};

describe('the template with pull-request delivery, against a fake GitHub', () => {
  let w: SandboxWorld;
  let github: FakeGithub;
  afterEach(async () => {
    await w?.stop();
    await github?.stop();
  });

  it('opens the infrastructure pull request with the rendered files and the catalog-info pull request', async () => {
    w = await openSandboxWorld('deny-only-policy');
    github = await startFakeGithub({ 'acme/payments': { 'catalog-info.yaml': catalogInfo } });
    const backend = await startTestBackend({
      features: [
        import('@backstage/plugin-scaffolder-backend'),
        import('@backstage/plugin-scaffolder-backend-module-github'),
        scaffolderModule,
        mockServices.rootConfig.factory({
          data: {
            aws: w.awsConfig as JsonObject,
            integrations: {
              github: [{ host: 'github.com', apiBaseUrl: github.apiBaseUrl, token: 'fake-token' }],
            },
          },
        }),
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
    try {
      const token = mockCredentials.user.token('user:default/service-owner');
      const created = await request(backend.server)
        .post('/api/scaffolder/v2/tasks')
        .set('Authorization', `Bearer ${token}`)
        .send({
          templateRef: 'template:default/efs-node-identity',
          values: {
            entity: 'component:default/payments',
            cluster: CLUSTER,
            region: REGION,
            accountId: PLATFORM_ACCOUNT,
            mode: 'pod-identity',
            fileSystems: [{ id: FS, access: 'write' }],
            delivery: 'pull-request',
            infraRepoUrl: 'github.com?owner=acme&repo=infra',
            format: 'terraform',
            annotateEntity: true,
          },
        });
      expect(created.status).toBe(201);
      let task;
      for (let i = 0; i < 900; i++) {
        task = await request(backend.server)
          .get(`/api/scaffolder/v2/tasks/${created.body.id}`)
          .set('Authorization', `Bearer ${token}`);
        if (['completed', 'failed'].includes(task.body.status)) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      const events = await request(backend.server)
        .get(`/api/scaffolder/v2/tasks/${created.body.id}/events`)
        .set('Authorization', `Bearer ${token}`);
      const log = (events.body as Array<{ body: { message?: string } }>)
        .map((e) => e.body.message ?? '')
        .join('\n');
      expect({ status: task!.body.status, log }).toMatchObject({ status: 'completed' });

      const [infra, catalog] = github.pullRequests;
      expect(infra).toMatchObject({
        owner: 'acme',
        repo: 'infra',
        base: 'main',
        head: `efs-node-identity/${CLUSTER}`,
      });
      const infraFiles = Object.keys(infra!.files);
      expect(infraFiles.length).toBeGreaterThan(0);
      expect(infraFiles.every((f) => f.startsWith(`efs-node-identity/${CLUSTER}/`))).toBe(true);
      expect(infraFiles.some((f) => f.endsWith('.tf'))).toBe(true);
      expect(Object.values(infra!.files).join('\n')).toContain(`${CLUSTER}-efs-csi-node`);

      expect(catalog).toMatchObject({
        owner: 'acme',
        repo: 'payments',
        head: 'efs-node-identity/annotations',
      });
      const [component] = parseAllDocuments(catalog!.files['catalog-info.yaml']!).map((d) => d.toJS());
      expect(parseEfsNodeIdentityAnnotations(component)).toMatchObject({
        clusterArn: `arn:aws:eks:${REGION}:${PLATFORM_ACCOUNT}:cluster/${CLUSTER}`,
        fileSystemIds: [FS],
        mode: 'pod-identity',
      });

      // The task's output links to both pull requests and to the entity.
      const completion = (
        events.body as Array<{ type: string; body: { output?: { links?: unknown[] } } }>
      ).find((e) => e.type === 'completion');
      const links = completion?.body.output?.links;
      expect(links).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ url: infra!.htmlUrl }),
          expect.objectContaining({ url: catalog!.htmlUrl }),
          expect.objectContaining({ entityRef: 'component:default/payments' }),
        ]),
      );
      // Pull-request delivery changes nothing in AWS.
      expect(w.writes()).toEqual([]);
    } finally {
      await backend.stop();
    }
  });
});
