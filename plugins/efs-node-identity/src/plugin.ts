import {
  createApiFactory,
  createComponentExtension,
  createPlugin,
  createRoutableExtension,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { efsNodeIdentityApiRef, EfsNodeIdentityClient } from './api';
import { rootRouteRef } from './routes';

/** The plugin for legacy Backstage apps (`createApp` from @backstage/app-defaults). */
export const efsNodeIdentityPlugin = createPlugin({
  id: 'efs-node-identity',
  apis: [
    createApiFactory({
      api: efsNodeIdentityApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) => new EfsNodeIdentityClient({ discoveryApi, fetchApi }),
    }),
  ],
  routes: { root: rootRouteRef },
});

/** The entity card, for the entity page of a legacy app. */
export const EntityEfsNodeIdentityCard = efsNodeIdentityPlugin.provide(
  createComponentExtension({
    name: 'EntityEfsNodeIdentityCard',
    component: {
      lazy: () => import('./components/EntityEfsNodeIdentityCard').then((m) => m.EntityEfsNodeIdentityCard),
    },
  }),
);

/** The fleet page, for a `<Route path="/efs-node-identity">` of a legacy app. */
export const EfsNodeIdentityPage = efsNodeIdentityPlugin.provide(
  createRoutableExtension({
    name: 'EfsNodeIdentityPage',
    component: () => import('./components/EfsNodeIdentityPage').then((m) => m.EfsNodeIdentityPage),
    mountPoint: rootRouteRef,
  }),
);
