import { discoveryApiRef, fetchApiRef } from '@backstage/core-plugin-api';
import { ApiBlueprint, createFrontendPlugin, PageBlueprint } from '@backstage/frontend-plugin-api';
import { EntityCardBlueprint } from '@backstage/plugin-catalog-react/alpha';
import StorageIcon from '@material-ui/icons/Storage';
import { isEfsNodeIdentityAvailable } from '@efs-node-identity/backstage-plugin-common';
import { efsNodeIdentityApiRef, EfsNodeIdentityClient } from './api';
import { rootRouteRef } from './routes';

/** The API client, talking to the efs-node-identity backend through the app's discovery and fetch APIs. */
export const efsNodeIdentityApi = ApiBlueprint.make({
  params: (defineParams) =>
    defineParams({
      api: efsNodeIdentityApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) => new EfsNodeIdentityClient({ discoveryApi, fetchApi }),
    }),
});

/** The fleet page at /efs-node-identity. */
export const efsNodeIdentityPage = PageBlueprint.make({
  params: {
    path: '/efs-node-identity',
    title: 'EFS node identity',
    // With a title and an icon the page has an entry in the app's nav bar.
    icon: <StorageIcon />,
    routeRef: rootRouteRef,
    loader: () => import('./components/EfsNodeIdentityPage').then((m) => <m.EfsNodeIdentityPage />),
  },
});

/** The entity card, only on entities with the efs-node-identity.io/cluster-arn annotation. */
export const efsNodeIdentityEntityCard = EntityCardBlueprint.make({
  name: 'status',
  params: {
    filter: isEfsNodeIdentityAvailable,
    loader: () =>
      import('./components/EntityEfsNodeIdentityCard').then((m) => <m.EntityEfsNodeIdentityCard />),
  },
});

/** The plugin for apps on the new frontend system; default-exported so apps discover it from the package. */
const efsNodeIdentityPlugin = createFrontendPlugin({
  pluginId: 'efs-node-identity',
  extensions: [efsNodeIdentityApi, efsNodeIdentityPage, efsNodeIdentityEntityCard],
  routes: { root: rootRouteRef },
});

export default efsNodeIdentityPlugin;
