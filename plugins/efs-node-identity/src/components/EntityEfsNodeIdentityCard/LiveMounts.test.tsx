import type { EntityStatusResponse, LiveMountsStatus } from '@efs-node-identity/backstage-plugin-common';
import { render, screen, within } from '@testing-library/react';
import { annotatedEntity, failingStatus, healthyStatus } from '../../test-fixtures';
import { fakeApi, renderCard } from './cardTestHelpers';
import { LiveMounts } from './LiveMounts';

const NODE_ROLE = 'arn:aws:iam::111122223333:role/prod-eks-efs-csi-node';

/** What the backend answers for the sandbox's fallback-to-instance-role world with efsNodeIdentity.inspectMounts. */
const fellBack: LiveMountsStatus = {
  inspected: true,
  identity: `Pod Identity, role ${NODE_ROLE}`,
  counts: { dedicated: 1, instanceRole: 1, olderIdentity: 0, other: 0, withoutIam: 0 },
  nodePods: 3,
  remountCount: 1,
  remount: [
    {
      credentials: 'instance-role',
      credentialsMethod: 'metadata:',
      nodePod: 'kube-system/efs-csi-node-b2fmt',
      node: 'ip-10-40-45-67.eu-west-1.compute.internal',
      applicationPodUid: '7c2e4d3f-5a6b-4c7d-9e8f-0a1b2c3d4e5f',
      persistentVolume: 'orders-data-pv',
      fileSystemId: 'fs-0a1b2c3d4e5f60718',
      mount:
        '/var/lib/kubelet/pods/7c2e4d3f-5a6b-4c7d-9e8f-0a1b2c3d4e5f/volumes/kubernetes.io~csi/orders-data-pv/mount',
      mountedAt: '2026-11-25T06:59:41.052Z',
    },
  ],
};

const allDedicated: LiveMountsStatus = {
  inspected: true,
  identity: `Pod Identity, role ${NODE_ROLE}`,
  counts: { dedicated: 2, instanceRole: 0, olderIdentity: 0, other: 0, withoutIam: 0 },
  nodePods: 3,
  remountCount: 0,
  remount: [],
};

const region = () => screen.getByRole('region', { name: 'Live mounts' });

describe('LiveMounts', () => {
  it('shows the counts, a failing mark in words, and the volume to re-mount with its pod UID and node', () => {
    render(<LiveMounts liveMounts={fellBack} />);
    expect(region()).toHaveTextContent(
      '1 to re-mount live mounts: 1 on the dedicated identity, 1 on the instance role (read on 3 node pod(s)).',
    );
    expect(region()).toHaveTextContent(`Dedicated identity: Pod Identity, role ${NODE_ROLE}.`);
    const items = within(screen.getByRole('list', { name: 'Mounts to re-mount' })).getAllByRole('listitem');
    expect(items.map((i) => i.textContent)).toEqual([
      'PV orders-data-pv, application pod UID 7c2e4d3f-5a6b-4c7d-9e8f-0a1b2c3d4e5f: on the instance role (metadata:); ' +
        'node pod kube-system/efs-csi-node-b2fmt, node ip-10-40-45-67.eu-west-1.compute.internal, mounted 2026-11-25 06:59 UTC',
    ]);
    // The colour of the icon repeats the words; the icon itself is hidden from screen readers.
    expect(region().querySelector('svg')).toHaveAttribute('aria-hidden', 'true');
  });

  it('says nothing is to re-mount when every live mount is on the dedicated identity', () => {
    render(<LiveMounts liveMounts={allDedicated} />);
    expect(region()).toHaveTextContent(
      'Nothing to re-mount live mounts: 2 on the dedicated identity, 0 on the instance role (read on 3 node pod(s)).',
    );
    expect(screen.queryByRole('list', { name: 'Mounts to re-mount' })).not.toBeInTheDocument();
  });

  it('counts older identities and other credentials, says how many more are not listed, and which pods were not read', () => {
    render(
      <LiveMounts
        liveMounts={{
          ...fellBack,
          counts: { dedicated: 0, instanceRole: 0, olderIdentity: 60, other: 1, withoutIam: 2 },
          identity: undefined,
          remountCount: 61,
          remount: [
            { credentials: 'older-identity', nodePod: 'kube-system/efs-csi-node-a', mount: '/mnt/a' },
          ],
          notInspected: { pods: ['kube-system/efs-csi-node-c'], reason: 'no answer from exec within 15s' },
        }}
      />,
    );
    expect(region()).toHaveTextContent(
      'live mounts: 0 on the dedicated identity, 0 on the instance role, 60 on an older identity, 1 on other credentials, 2 without iam',
    );
    expect(region()).toHaveTextContent('No dedicated identity is configured for the node service account.');
    expect(screen.getByRole('listitem')).toHaveTextContent(
      'mount /mnt/a: on an older identity; node pod kube-system/efs-csi-node-a',
    );
    expect(region()).toHaveTextContent('and 60 more.');
    expect(region()).toHaveTextContent(
      'Not inspected on 1 node pod(s) (kube-system/efs-csi-node-c): no answer from exec within 15s.',
    );
  });

  it.each([
    ['off', 'disabled', 'efsNodeIdentity.inspectMounts is off in the backend configuration'],
    [
      'not allowed to exec',
      'forbidden',
      "the mount state files of 3 efs-csi-node pod(s) could not be read: the backend's identity may not use pods/exec on them",
    ],
  ] as const)('says "not inspected" and why when inspection is %s', (_, reason, message) => {
    render(<LiveMounts liveMounts={{ inspected: false, reason, message }} />);
    expect(region()).toHaveTextContent(`live mounts: not inspected: ${message}.`);
    expect(screen.queryByText(/on the dedicated identity/)).not.toBeInTheDocument();
  });
});

describe('EntityEfsNodeIdentityCard with live mounts', () => {
  it('shows the live mounts line below the identity chain when the backend reports it', async () => {
    const status: EntityStatusResponse = { ...failingStatus, liveMounts: fellBack };
    const { api } = fakeApi({ getStatus: async () => status });
    await renderCard(annotatedEntity, api);
    const live = await screen.findByRole('region', { name: 'Live mounts' });
    expect(live).toHaveTextContent('live mounts: 1 on the dedicated identity, 1 on the instance role');
    const chain = screen.getByRole('region', { name: 'Identity chain' });
    expect(chain.compareDocumentPosition(live) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
  });

  it('shows no live mounts section for a backend that does not report them', async () => {
    const { api } = fakeApi({ getStatus: async () => healthyStatus });
    await renderCard(annotatedEntity, api);
    await screen.findByText('Healthy');
    expect(screen.queryByRole('region', { name: 'Live mounts' })).not.toBeInTheDocument();
  });
});
