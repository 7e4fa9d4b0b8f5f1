import type { Entity } from '@backstage/catalog-model';
import { ResponseError } from '@backstage/errors';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { mockApis, renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import type { EfsNodeIdentityApi } from '../../api';
import { efsNodeIdentityApiRef } from '../../api';
import { failingStatus, healthyStatus } from '../../test-fixtures';
import { EntityEfsNodeIdentityCard } from './EntityEfsNodeIdentityCard';

/** A backend stand-in that records its calls; each test decides the answers. */
export function fakeApi(overrides: Partial<EfsNodeIdentityApi> = {}) {
  const calls: string[] = [];
  const api: EfsNodeIdentityApi = {
    getStatus: async (ref) => {
      calls.push(`status ${ref.name}`);
      return overrides.getStatus ? overrides.getStatus(ref) : failingStatus;
    },
    verifyNow: async (ref) => {
      calls.push(`verify ${ref.name}`);
      return overrides.verifyNow ? overrides.verifyNow(ref) : healthyStatus;
    },
    listFleet: async () => {
      throw new Error('the card does not list the fleet');
    },
  };
  return { api, calls };
}

export async function renderCard(entity: Entity, api: EfsNodeIdentityApi, verifyAllowed = true) {
  return renderInTestApp(
    <TestApiProvider
      apis={[
        [efsNodeIdentityApiRef, api],
        [
          permissionApiRef,
          mockApis.permission({ authorize: verifyAllowed ? AuthorizeResult.ALLOW : AuthorizeResult.DENY }),
        ],
      ]}
    >
      <EntityProvider entity={entity}>
        <EntityEfsNodeIdentityCard />
      </EntityProvider>
    </TestApiProvider>,
  );
}

export async function responseError(status: number, name: string, message: string): Promise<ResponseError> {
  // jsdom has no fetch Response: this is the part of one that ResponseError reads.
  const body = JSON.stringify({ error: { name, message }, request: {}, response: { statusCode: status } });
  return ResponseError.fromResponse({
    ok: false,
    status,
    statusText: name,
    url: 'http://localhost/api/efs-node-identity',
    redirected: false,
    type: 'basic',
    headers: new Headers({ 'content-type': 'application/json' }),
    text: async () => body,
  } as Parameters<typeof ResponseError.fromResponse>[0]);
}
