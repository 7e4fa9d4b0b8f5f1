import type { EntityStatusResponse } from '@efs-node-identity/backstage-plugin-common';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { annotatedEntity, failingStatus, healthyStatus, plainEntity } from '../../test-fixtures';
import { fakeApi, renderCard, responseError } from './cardTestHelpers';

describe('EntityEfsNodeIdentityCard', () => {
  it('shows progress while the status loads', async () => {
    let answer: (status: EntityStatusResponse) => void = () => undefined;
    const { api } = fakeApi({ getStatus: () => new Promise((resolve) => (answer = resolve)) });
    await renderCard(annotatedEntity, api);
    expect(await screen.findByRole('progressbar')).toBeInTheDocument();
    answer(healthyStatus);
    expect(await screen.findByText('Healthy')).toBeInTheDocument();
    expect(screen.queryByRole('progressbar')).not.toBeInTheDocument();
  });

  it('explains how to add the annotations to an entity without them, and calls no backend', async () => {
    const { api, calls } = fakeApi();
    await renderCard(plainEntity, api);
    expect(screen.getByText(/This entity has no EFS annotations/)).toBeInTheDocument();
    const yaml = screen.getByLabelText('Annotations to add');
    expect(yaml).toHaveTextContent(
      'efs-node-identity.io/cluster-arn: arn:aws:eks:<region>:<account>:cluster/<name>',
    );
    expect(calls).toEqual([]);
  });

  it('names the malformed annotation instead of calling the backend', async () => {
    const { api, calls } = fakeApi();
    const entity = {
      ...annotatedEntity,
      metadata: {
        ...annotatedEntity.metadata,
        annotations: { 'efs-node-identity.io/cluster-arn': 'prod-eks' },
      },
    };
    await renderCard(entity, api);
    expect(screen.getByRole('alert')).toHaveTextContent(
      'annotation efs-node-identity.io/cluster-arn: "prod-eks"',
    );
    expect(calls).toEqual([]);
  });

  it('says what went wrong and what to do when the backend refuses, and retries on request', async () => {
    let fail = true;
    const { api, calls } = fakeApi({
      getStatus: async () => {
        if (fail)
          throw await responseError(403, 'NotAllowedError', 'not allowed: efs-node-identity.status.read');
        return healthyStatus;
      },
    });
    await renderCard(annotatedEntity, api);
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('not allowed: efs-node-identity.status.read');
    expect(alert).toHaveTextContent(
      'ask your Backstage admin for the efs-node-identity.status.read permission',
    );
    fail = false;
    await userEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByText('Healthy')).toBeInTheDocument();
    expect(calls).toEqual(['status media-store', 'status media-store']);
  });

  it('points at the backend plugin when the backend is not there', async () => {
    const { api } = fakeApi({
      getStatus: async () => Promise.reject(await responseError(404, 'NotFoundError', 'no such entity')),
    });
    await renderCard(annotatedEntity, api);
    expect(await screen.findByRole('alert')).toHaveTextContent(
      /efs-node-identity backend plugin is installed/,
    );
  });

  it('shows a healthy entity with every chain link ok, in words', async () => {
    const { api } = fakeApi({ getStatus: async () => healthyStatus });
    await renderCard(annotatedEntity, api);
    expect(await screen.findByText('Healthy')).toBeInTheDocument();
    expect(screen.getByText(/Last verified: 2026-11-26 13:08 UTC/)).toBeInTheDocument();
    const chain = screen.getByRole('region', { name: 'Identity chain' });
    const links = within(chain).getAllByRole('listitem');
    expect(links.map((l) => l.getAttribute('aria-label'))).toEqual([
      'StorageClass: ok',
      'Node service account: ok',
      'Pod Identity association: ok',
      'IAM role: ok',
      'File system policy: ok',
    ]);
    expect(screen.getByText('No findings: every rule passed.')).toBeInTheDocument();
  });

  it('shows a failing entity: the failing link, findings by severity, the trace behind a toggle and a copyable fix', async () => {
    const { api } = fakeApi();
    await renderCard(annotatedEntity, api);
    expect(await screen.findByText('Failing')).toBeInTheDocument();
    expect(screen.getByRole('listitem', { name: 'File system policy: failing (FS-02)' })).toBeInTheDocument();
    expect(screen.getByRole('listitem', { name: 'IAM role: warning (NI-03)' })).toBeInTheDocument();

    const findings = within(screen.getByRole('region', { name: 'Findings' }));
    const items = findings.getAllByRole('listitem', { name: /^(FS|NI)-/ });
    expect(items.map((i) => i.getAttribute('aria-label'))).toEqual([
      'FS-02 error: The file system policy does not allow the node role to mount',
      'NI-03 warning: Node role is not dedicated to the node component',
    ]);
    const fs02 = within(items[0]!);
    expect(fs02.getByText(/does not allow the node role arn:aws:iam/)).toBeInTheDocument();

    // The trace is a native <details>: collapsed until its summary (focusable in browsers) is activated.
    const details = items[0]!.querySelector('details')!;
    expect(details.open).toBe(false);
    const user = userEvent.setup();
    await user.click(fs02.getByText(/the evaluator's trace \(1 steps\)/));
    expect(details.open).toBe(true);
    expect(fs02.getByText(/statement `DenyInsecureTransport` \(Deny\) does not apply/)).toBeVisible();

    await user.click(fs02.getByRole('button', { name: 'Copy the fix for FS-02' }));
    expect(await window.navigator.clipboard.readText()).toBe(failingStatus.findings[0]!.remediation);
    expect(fs02.getByRole('button', { name: 'Copy the fix for FS-02' })).toHaveTextContent('Copied');
  });

  it('reaches the fix and Verify now from the keyboard, in reading order', async () => {
    const { api } = fakeApi();
    await renderCard(annotatedEntity, api);
    await screen.findByRole('button', { name: 'Verify now' });
    const user = userEvent.setup();
    const reached: string[] = [];
    for (
      let i = 0;
      i < 10 && document.activeElement !== screen.getByRole('button', { name: 'Verify now' });
      i++
    ) {
      await user.tab();
      const name =
        document.activeElement?.getAttribute('aria-label') ?? document.activeElement?.textContent ?? '';
      reached.push(name);
    }
    expect(reached).toContain('Copy the fix for FS-02');
    expect(reached.at(-1)).toBe('Verify now');
    expect(reached.indexOf('Copy the fix for FS-02')).toBeLessThan(reached.indexOf('Verify now'));
  });

  it('wraps the ARNs and policy text of findings inside the card instead of widening it', async () => {
    const { api } = fakeApi();
    await renderCard(annotatedEntity, api);
    const findings = await screen.findByRole('region', { name: 'Findings' });
    // The card's root carries the rule; overflow-wrap is inherited by the findings' text and the fix's <pre>.
    const card = findings.closest('.MuiCard-root') as HTMLElement;
    expect(getComputedStyle(card).overflowWrap).toBe('anywhere');
    expect(getComputedStyle(findings.querySelector('pre')!).whiteSpace).toBe('pre-wrap');
  });

  it('verifies now for a user with the provision permission and shows the new status', async () => {
    const { api, calls } = fakeApi();
    await renderCard(annotatedEntity, api, true);
    const button = await screen.findByRole('button', { name: 'Verify now' });
    button.focus();
    await userEvent.keyboard('{Enter}');
    expect(await screen.findByText('Healthy')).toBeInTheDocument();
    expect(calls).toEqual(['status media-store', 'verify media-store']);
  });

  it('keeps the stored status and says why when verifying fails', async () => {
    const { api } = fakeApi({
      verifyNow: async () =>
        Promise.reject(await responseError(500, 'Error', 'the sandbox endpoint did not answer')),
    });
    await renderCard(annotatedEntity, api);
    await userEvent.click(await screen.findByRole('button', { name: 'Verify now' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Verification failed: the sandbox endpoint did not answer',
    );
    expect(screen.getByText('Failing')).toBeInTheDocument();
  });

  it('names the type of each file system when the backend reports it, and shows bare IDs when it does not', async () => {
    const { api } = fakeApi({
      getStatus: async () => ({
        ...healthyStatus,
        fileSystemIds: ['fs-0a1b2c3d4e5f60718', 'fs-0123456789abcdef0'],
        fileSystems: [
          { id: 'fs-0a1b2c3d4e5f60718', type: 'efs' },
          { id: 'fs-0123456789abcdef0', type: 's3files' },
        ],
      }),
    });
    await renderCard(annotatedEntity, api);
    expect(
      await screen.findByText(
        /file systems: fs-0a1b2c3d4e5f60718 \(EFS\), fs-0123456789abcdef0 \(S3 Files\)$/,
      ),
    ).toBeInTheDocument();
  });

  it('shows bare file system IDs from a backend that does not report their type', async () => {
    const { api } = fakeApi({ getStatus: async () => healthyStatus });
    await renderCard(annotatedEntity, api);
    expect(await screen.findByText(/file systems: fs-0a1b2c3d4e5f60718$/)).toBeInTheDocument();
  });

  it('says why an entity could not be verified and what was not read, with every link unknown', async () => {
    const { api } = fakeApi({
      getStatus: async () => ({
        ...failingStatus,
        state: 'unverifiable',
        findings: [],
        error: 'the Kubernetes API server of demo-cluster refused the request (HTTP 401)',
        notRead: ['file system fs-0c7d8e9f0a1b2c3d4: add that account to efsNodeIdentity.fileSystemAccounts'],
      }),
    });
    await renderCard(annotatedEntity, api);
    expect(await screen.findByText('Unknown: could not verify')).toBeInTheDocument();
    expect(screen.getByRole('alert')).toHaveTextContent(
      'Could not verify: the Kubernetes API server of demo-cluster refused the request (HTTP 401)',
    );
    expect(within(screen.getByRole('region', { name: 'Not read' })).getByRole('listitem')).toHaveTextContent(
      'file system fs-0c7d8e9f0a1b2c3d4',
    );
    const links = within(screen.getByRole('region', { name: 'Identity chain' })).getAllByRole('listitem');
    expect(links.every((l) => l.getAttribute('aria-label')!.endsWith(': unknown'))).toBe(true);
  });

  it('asks for a first verification when the entity was never verified', async () => {
    const { api } = fakeApi({
      getStatus: async () => ({
        ...failingStatus,
        state: 'not-verified',
        findings: [],
        lastVerifiedAt: undefined,
      }),
    });
    await renderCard(annotatedEntity, api);
    expect(await screen.findByText('Unknown: not verified yet')).toBeInTheDocument();
    expect(screen.getByText(/Last verified: never/)).toBeInTheDocument();
    expect(screen.getByRole('listitem', { name: 'StorageClass: unknown' })).toBeInTheDocument();
  });
});
