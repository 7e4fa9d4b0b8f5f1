/*
 * The demo app on the new frontend system, as `@backstage/create-app` makes packages/app today: `createApp` with
 * feature discovery (`app.packages: all` in app-config.yaml), which adds every frontend plugin this package depends
 * on, including `@efs-node-identity/backstage-plugin` through the default export of its `/alpha` entry point.
 */
import { createApp } from '@backstage/frontend-defaults';
import { signInModule } from './signIn';

export default createApp({
  features: [signInModule],
});
