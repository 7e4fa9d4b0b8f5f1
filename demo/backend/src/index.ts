/*
 * The demo's backend, laid out as `@backstage/create-app` lays out packages/backend on the new backend system: each
 * feature is one `backend.add(import(…))`, and our plugin is installed exactly as its README tells a user to.
 */
import { createBackend } from '@backstage/backend-defaults';

const backend = createBackend();

// Serves the production build of demo/app (app.packageName in app-config.yaml) and injects the frontend config.
backend.add(import('@backstage/plugin-app-backend'));

// Sign-in: the guest provider only, so the demo signs the visitor in without an account (demo only).
backend.add(import('@backstage/plugin-auth-backend'));
backend.add(import('@backstage/plugin-auth-backend-module-guest-provider'));

backend.add(import('@backstage/plugin-catalog-backend'));
backend.add(import('@backstage/plugin-catalog-backend-module-scaffolder-entity-model'));
backend.add(import('@backstage/plugin-scaffolder-backend'));
// publish:github:pull-request, for the template's pull-request delivery (the demo has no GitHub to open one on),
// and the efs-node-identity actions the template runs, installed as the module's README says.
backend.add(import('@backstage/plugin-scaffolder-backend-module-github'));
backend.add(import('@efs-node-identity/backstage-plugin-scaffolder-backend-module-efs-node-identity'));

// Permissions are enabled (permission.enabled in app-config.yaml) and every request is allowed.
backend.add(import('@backstage/plugin-permission-backend'));
backend.add(import('@backstage/plugin-permission-backend-module-allow-all-policy'));

backend.add(import('@efs-node-identity/backstage-plugin-backend'));

void backend.start();
