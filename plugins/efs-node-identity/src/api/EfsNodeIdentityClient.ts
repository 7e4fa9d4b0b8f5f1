import type { CompoundEntityRef } from '@backstage/catalog-model';
import type { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import type { EntityStatusResponse, FleetResponse } from '@efs-node-identity/backstage-plugin-common';
import type { EfsNodeIdentityApi, FleetQuery } from './EfsNodeIdentityApi';

/** The backend plugin's ID: discovery resolves it to the backend's base URL (`…/api/efs-node-identity`). */
const BACKEND_PLUGIN_ID = 'efs-node-identity';

/**
 * Talks to the efs-node-identity backend only. Requests go through the app's `fetchApi`, which adds the user's
 * Backstage token; AWS credentials never reach the browser (the backend holds them).
 */
export class EfsNodeIdentityClient implements EfsNodeIdentityApi {
  private readonly discoveryApi: DiscoveryApi;
  private readonly fetchApi: FetchApi;

  constructor(options: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    this.discoveryApi = options.discoveryApi;
    this.fetchApi = options.fetchApi;
  }

  async getStatus(entity: CompoundEntityRef): Promise<EntityStatusResponse> {
    return this.request<EntityStatusResponse>(`${entityPath(entity)}/status`, { method: 'GET' });
  }

  async verifyNow(entity: CompoundEntityRef): Promise<EntityStatusResponse> {
    return this.request<EntityStatusResponse>(`${entityPath(entity)}/verify`, { method: 'POST' });
  }

  async listFleet(query: FleetQuery = {}): Promise<FleetResponse> {
    const params = new URLSearchParams();
    if (query.cluster) params.set('cluster', query.cluster);
    if (query.state) params.set('state', query.state);
    if (query.offset !== undefined) params.set('offset', String(query.offset));
    if (query.limit !== undefined) params.set('limit', String(query.limit));
    const search = params.toString();
    return this.request<FleetResponse>(`/fleet${search ? `?${search}` : ''}`, { method: 'GET' });
  }

  private async request<T>(path: string, init: RequestInit): Promise<T> {
    const baseUrl = await this.discoveryApi.getBaseUrl(BACKEND_PLUGIN_ID);
    const response = await this.fetchApi.fetch(`${baseUrl}${path}`, init);
    // ResponseError keeps the backend's serialized error (name, message, status) for the error panel.
    if (!response.ok) throw await ResponseError.fromResponse(response);
    return (await response.json()) as T;
  }
}

// Each part is encoded: names may contain dots, and a stray `/` or `?` must not change the route.
function entityPath(entity: CompoundEntityRef): string {
  const part = (value: string) => encodeURIComponent(value.toLocaleLowerCase('en-US'));
  return `/entities/${part(entity.namespace)}/${part(entity.kind)}/${encodeURIComponent(entity.name)}`;
}
