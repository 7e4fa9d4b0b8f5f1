import { EntityProvider } from '@backstage/plugin-catalog-react';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { mockApis, renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { screen } from '@testing-library/react';
import { efsNodeIdentityApiRef, type EfsNodeIdentityApi } from './api';
import { efsNodeIdentityPlugin, EntityEfsNodeIdentityCard, isEfsNodeIdentityAvailable } from './index';
import { rootRouteRef } from './routes';
import { annotatedEntity, fleetPage, healthyStatus, plainEntity } from './test-fixtures';

const api: EfsNodeIdentityApi = {
  getStatus: async () => healthyStatus,
  verifyNow: async () => healthyStatus,
  listFleet: async () => fleetPage,
};

describe('the legacy plugin exports', () => {
  it('declare the plugin with the backend plugin ID, the client factory and the page route', () => {
    expect(efsNodeIdentityPlugin.getId()).toBe('efs-node-identity');
    expect([...efsNodeIdentityPlugin.getApis()].map((f) => f.api)).toEqual([efsNodeIdentityApiRef]);
    expect(efsNodeIdentityPlugin.routes.root).toBe(rootRouteRef);
  });

  it('tell the entity page which entities get the card', () => {
    expect(isEfsNodeIdentityAvailable(annotatedEntity)).toBe(true);
    expect(isEfsNodeIdentityAvailable(plainEntity)).toBe(false);
  });

  it('render the card extension inside an entity page (the page component is tested on its own and through /alpha)', async () => {
    await renderInTestApp(
      <TestApiProvider
        apis={[
          [efsNodeIdentityApiRef, api],
          [permissionApiRef, mockApis.permission()],
        ]}
      >
        <EntityProvider entity={annotatedEntity}>
          <EntityEfsNodeIdentityCard />
        </EntityProvider>
      </TestApiProvider>,
    );
    expect(await screen.findByText('Healthy')).toBeInTheDocument();
  });
});
