import { createRouteRef } from '@backstage/core-plugin-api';

/** The fleet page, `/efs-node-identity` in an app that mounts it there. */
export const rootRouteRef = createRouteRef({ id: 'efs-node-identity' });
