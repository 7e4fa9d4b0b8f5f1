/**
 * @jest-environment-options {"customExportConditions": ["node", "require", "default"]}
 */
// The node export conditions: frontend-test-utils reaches @azure/identity (through @backstage/integration), whose
// browser build is ES modules only; its node build is CommonJS.
import { ApiBlueprint, coreExtensionData } from '@backstage/frontend-plugin-api';
import { createExtensionTester, renderInTestApp, renderTestApp } from '@backstage/frontend-test-utils';
import { catalogApiRef, EntityProvider, entityRouteRef } from '@backstage/plugin-catalog-react';
import { EntityCardBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { screen } from '@testing-library/react';
import efsNodeIdentityPlugin, {
  efsNodeIdentityApi,
  efsNodeIdentityEntityCard,
  efsNodeIdentityPage,
} from './alpha';
import { efsNodeIdentityApiRef, EfsNodeIdentityClient, type EfsNodeIdentityApi } from './api';
import { annotatedEntity, fleetEntities, fleetPage, healthyStatus, plainEntity } from './test-fixtures';

const api: EfsNodeIdentityApi = {
  getStatus: async () => healthyStatus,
  verifyNow: async () => healthyStatus,
  listFleet: async () => fleetPage,
};
const catalog = {
  getEntitiesByRefs: async ({ entityRefs }: { entityRefs: string[] }) => ({
    items: entityRefs.map((ref) => fleetEntities.find((e) => ref.endsWith(`/${e.metadata.name}`))),
  }),
};

// frontend-test-utils fails the test on any error while the app tree is built, so these also prove the extensions
// fit together (inputs, outputs, route refs) as an app on the new frontend system would assemble them.
describe('the /alpha plugin for the new frontend system', () => {
  it('is the default export, with the plugin ID the backend uses and its three extensions', () => {
    expect(efsNodeIdentityPlugin.pluginId).toBe('efs-node-identity');
    expect(efsNodeIdentityPlugin.getExtension('page:efs-node-identity')).toBeDefined();
    expect(efsNodeIdentityPlugin.getExtension('entity-card:efs-node-identity/status')).toBeDefined();
    expect(efsNodeIdentityPlugin.getExtension('api:efs-node-identity')).toBeDefined();
  });

  it('shows the entity card only on entities with the cluster annotation', () => {
    const tester = createExtensionTester(efsNodeIdentityEntityCard);
    const filter = tester.get(EntityCardBlueprint.dataRefs.filterFunction);
    expect(filter).toBeDefined();
    expect(filter!(annotatedEntity)).toBe(true);
    expect(filter!(plainEntity)).toBe(false);
  });

  it('mounts the fleet page at /efs-node-identity, with the title and icon of its nav bar entry', () => {
    const tester = createExtensionTester(efsNodeIdentityPage);
    expect(tester.get(coreExtensionData.routePath)).toBe('/efs-node-identity');
    expect(tester.get(coreExtensionData.title)).toBe('EFS node identity');
    expect(tester.get(coreExtensionData.icon)).toBeDefined();
  });

  it('renders the entity card of the extension on an entity page of the app', async () => {
    const tester = createExtensionTester(efsNodeIdentityEntityCard);
    await renderInTestApp(
      <EntityProvider entity={annotatedEntity}>{tester.get(coreExtensionData.reactElement)}</EntityProvider>,
      { apis: [[efsNodeIdentityApiRef, api]] },
    );
    expect(await screen.findByText('Healthy')).toBeInTheDocument();
    expect(screen.getByRole('region', { name: 'Identity chain' })).toBeInTheDocument();
  });

  it('renders the fleet page in an app that installs the plugin, at /efs-node-identity', async () => {
    await renderTestApp({
      features: [efsNodeIdentityPlugin],
      initialRouteEntries: ['/efs-node-identity'],
      mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
      apis: [
        [efsNodeIdentityApiRef, api],
        [catalogApiRef, catalog],
      ],
    });
    expect(await screen.findByRole('table', { name: 'Fleet' })).toBeInTheDocument();
    expect(await screen.findByText('batch-cluster')).toBeInTheDocument();
  });

  it('provides the client, built from the discovery and fetch APIs of the app, for the API ref', async () => {
    const factory = createExtensionTester(efsNodeIdentityApi).get(ApiBlueprint.dataRefs.factory);
    expect(factory.api).toBe(efsNodeIdentityApiRef);
    expect(Object.keys(factory.deps).sort()).toEqual(['discoveryApi', 'fetchApi']);
    const fetched: string[] = [];
    const client = factory.factory({
      discoveryApi: { getBaseUrl: async (pluginId: string) => `http://backstage/api/${pluginId}` },
      fetchApi: {
        fetch: async (url: string) => {
          fetched.push(url);
          return { ok: true, json: async () => fleetPage } as Response;
        },
      },
    }) as EfsNodeIdentityApi;
    expect(client).toBeInstanceOf(EfsNodeIdentityClient);
    expect(await client.listFleet()).toEqual(fleetPage);
    expect(fetched).toEqual(['http://backstage/api/efs-node-identity/fleet']);
  });
});
