import { coreServices, createBackendModule } from '@backstage/backend-plugin-api';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import type { LockFn } from '@efs-node-identity/core';
import { createAnnotateAction } from './actions/annotate';
import { createApplyAction } from './actions/apply';
import { createPlanAction } from './actions/plan';
import { createRefreshStatusAction } from './actions/refresh-status';
import { createRenderAction } from './actions/render';
import { createVerifyAction } from './actions/verify';
import { AwsAccess } from './live/aws-access';
import { lockForDatabase } from './lock/advisory-lock';

/**
 * The scaffolder backend module that registers the `efs-node-identity:*` actions. Add it to the backend next to
 * `@backstage/plugin-scaffolder-backend`: `backend.add(import('@efs-node-identity/backstage-plugin-scaffolder-backend-module-efs-node-identity'))`.
 */
export const scaffolderModuleEfsNodeIdentity = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'efs-node-identity',
  register(reg) {
    reg.registerInit({
      deps: {
        scaffolder: scaffolderActionsExtensionPoint,
        config: coreServices.rootConfig,
        database: coreServices.database,
        permissions: coreServices.permissions,
        logger: coreServices.logger,
        reader: coreServices.urlReader,
        discovery: coreServices.discovery,
        auth: coreServices.auth,
      },
      async init({ scaffolder, config, database, permissions, logger, reader, discovery, auth }) {
        const aws = AwsAccess.fromConfig(config);
        // Resolved on the first apply, not at startup: the scaffolder's database is migrated by then.
        let lock: Promise<LockFn> | undefined;
        scaffolder.addActions(
          createPlanAction({ aws, permissions }),
          createApplyAction({ aws, permissions, lock: () => (lock ??= lockForDatabase(database, logger)) }),
          createRenderAction(),
          createVerifyAction({ aws, permissions }),
          createAnnotateAction({ reader }),
          createRefreshStatusAction({ discovery, auth }),
        );
      },
    });
  },
});
