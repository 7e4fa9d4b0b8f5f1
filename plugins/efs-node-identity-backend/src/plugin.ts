import { coreServices, createBackendPlugin } from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { efsNodeIdentityPermissions } from '@efs-node-identity/backstage-plugin-common';
import { FleetRefresh, FLEET_REFRESH_TASK_ID } from './refresh/FleetRefresh';
import { readRefreshSettings } from './refresh/refresh-settings';
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
        scheduler: coreServices.scheduler,
        auth: coreServices.auth,
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
        scheduler,
        auth,
      }) {
        // Registered so that the permission framework lists them and policies can name them.
        permissionsRegistry.addPermissions(efsNodeIdentityPermissions);
        const refreshSettings = readRefreshSettings(config);
        const service = await EntityStatusService.create({ logger, config, database, catalog });
        httpRouter.use(await createRouter({ httpAuth, permissions, service }));

        const refresh = new FleetRefresh({ catalog, auth, service, settings: refreshSettings, logger });
        await scheduler.scheduleTask({
          id: FLEET_REFRESH_TASK_ID,
          // Global: one row in the scheduler's table (the plugin database) that every replica competes for, so one
          // run at a time in the whole deployment. The lock of a run whose instance dies is held until `timeout`
          // expires, hence a short one; progress per entity is in our own table, so the next run resumes.
          scope: 'global',
          frequency: refreshSettings.frequency,
          timeout: refreshSettings.timeout,
          fn: async (signal) => {
            await refresh.run(signal);
          },
        });
      },
    });
  },
});
