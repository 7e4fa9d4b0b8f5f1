import { SignInPage } from '@backstage/core-components';
import { createFrontendModule } from '@backstage/frontend-plugin-api';
import { SignInPageBlueprint } from '@backstage/plugin-app-react';

/**
 * Demo only: signs every visitor in as the guest user through the auth backend's guest provider, with no sign-in
 * step (`auto` with a single provider logs in right away). Nothing in the efs-node-identity plugins assumes a guest;
 * a real app keeps its own sign-in page.
 */
export const signInModule = createFrontendModule({
  pluginId: 'app',
  extensions: [
    SignInPageBlueprint.make({
      params: {
        loader: async () => (props) => <SignInPage {...props} auto providers={['guest']} />,
      },
    }),
  ],
});
