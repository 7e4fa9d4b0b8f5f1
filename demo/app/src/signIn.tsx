import { ProxiedSignInPage } from '@backstage/core-components';
import { createFrontendModule } from '@backstage/frontend-plugin-api';
import { SignInPageBlueprint } from '@backstage/plugin-app-react';

/**
 * Demo only: signs every visitor in as the guest user through the auth backend's guest provider, with no sign-in
 * step: ProxiedSignInPage asks the provider's refresh endpoint for a session right away, as it does behind a
 * sign-in proxy (SignInPage's `auto` applies to a single OAuth-style provider, not to `guest`, which waits for a click).
 * Nothing in the efs-node-identity plugins assumes a guest; a real app keeps its own sign-in page.
 */
export const signInModule = createFrontendModule({
  pluginId: 'app',
  extensions: [
    SignInPageBlueprint.make({
      params: {
        loader: async () => (props) => <ProxiedSignInPage {...props} provider="guest" />,
      },
    }),
  ],
});
