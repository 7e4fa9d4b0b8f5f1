import { coreServices, createBackendPlugin } from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { efsNodeIdentityPermissions } from '@efs-node-identity/backstage-plugin-common';
import { createRouter } from './router';
import { EntityStatusService } from './service/EntityStatusService';

/**
 * The efs-node-identity backend plugin: per-entity verification status of the EFS CSI node identity, at
 * /api/efs-node-identity.
 */
export const efsNodeIdentityPlugin = createBackendPlugin({
  pluginId: 'efs-node-identity',
  register(env) {
    env.registerInit({
      deps: {
        logger: coreServices.logger,
        config: coreServices.rootConfig,
        database: coreServices.database,
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        catalog: catalogServiceRef,
      },
      async init({
        logger,
        config,
        database,
        httpRouter,
        httpAuth,
        permissions,
        permissionsRegistry,
        catalog,
      }) {
        // Registered so that the permission framework lists them and policies can name them.
        permissionsRegistry.addPermissions(efsNodeIdentityPermissions);
        const service = await EntityStatusService.create({ logger, config, database, catalog });
        httpRouter.use(await createRouter({ httpAuth, permissions, service }));
      },
    });
  },
});
