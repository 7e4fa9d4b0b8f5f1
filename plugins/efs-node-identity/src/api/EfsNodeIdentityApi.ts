import type { CompoundEntityRef } from '@backstage/catalog-model';
import { createApiRef } from '@backstage/core-plugin-api';
import type {
  EntityStatusResponse,
  FleetResponse,
  VerificationState,
} from '@efs-node-identity/backstage-plugin-common';

/** Filters and page of `GET /fleet`; the backend orders by entity ref. */
export interface FleetQuery {
  /** An EKS cluster name or ARN. */
  cluster?: string;
  state?: VerificationState;
  offset?: number;
  /** At most 500 (the backend's limit); 50 when absent. */
  limit?: number;
}

/**
 * The efs-node-identity backend (`/api/efs-node-identity`), as the card and the page use it. Every method rejects
 * with a `ResponseError` from `@backstage/errors` when the backend answers an error status.
 */
export interface EfsNodeIdentityApi {
  /** The entity's last verification (`state: not-verified` before the first). */
  getStatus(entity: CompoundEntityRef): Promise<EntityStatusResponse>;
  /** Verifies the entity's cluster now (needs `efs-node-identity.provision`) and answers the new status. */
  verifyNow(entity: CompoundEntityRef): Promise<EntityStatusResponse>;
  /** One page of annotated entities the caller can read, with their last state. */
  listFleet(query?: FleetQuery): Promise<FleetResponse>;
}

/** The API ref the card and the page read the backend through; apps may replace its implementation. */
export const efsNodeIdentityApiRef = createApiRef<EfsNodeIdentityApi>({
  id: 'plugin.efs-node-identity.service',
});
