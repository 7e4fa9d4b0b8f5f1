import { screen, waitFor } from '@testing-library/react';
import { annotatedEntity } from '../../test-fixtures';
import { fakeApi, renderCard } from './cardTestHelpers';

// Its own file: usePermission caches decisions in SWR's module-level cache, keyed by the permission, so an ALLOW
// from another test in the same module registry would answer this one.
describe('EntityEfsNodeIdentityCard without the provision permission', () => {
  it('tells a user without the provision permission why there is no Verify now button', async () => {
    const { api } = fakeApi();
    await renderCard(annotatedEntity, api, false);
    expect(await screen.findByText('Failing')).toBeInTheDocument();
    await waitFor(() =>
      expect(
        screen.getByText(/Verify now needs the efs-node-identity.provision permission/),
      ).toBeInTheDocument(),
    );
    expect(screen.queryByRole('button', { name: 'Verify now' })).not.toBeInTheDocument();
  });
});
