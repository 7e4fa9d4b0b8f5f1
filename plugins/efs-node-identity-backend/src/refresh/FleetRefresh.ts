import type { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import { stringifyEntityRef } from '@backstage/catalog-model';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  ANNOTATION_CLUSTER_ARN,
  parseEfsNodeIdentityAnnotations,
  type EfsNodeIdentityAnnotations,
} from '@efs-node-identity/backstage-plugin-common';
import type { EntityStatusService } from '../service/EntityStatusService';
import { ConcurrencyLimits } from './concurrency-limits';
import type { RefreshSettings } from './refresh-settings';

/** The scheduler task's id; with `scope: 'global'` it names one row of the scheduler's table shared by all replicas. */
export const FLEET_REFRESH_TASK_ID = 'efs-node-identity-fleet-refresh';

export interface FleetRefreshOptions {
  catalog: CatalogService;
  auth: AuthService;
  service: EntityStatusService;
  settings: RefreshSettings;
  logger: LoggerService;
}

/** What one run did. */
export interface FleetRefreshSummary {
  /** Entities with the cluster annotation in the catalog. */
  annotated: number;
  /** Annotated entities whose annotations do not parse (left out, named in the log). */
  invalid: number;
  /** Entities verified recently enough to be left for a later run. */
  fresh: number;
  /** Entities this run stored a new result for. */
  stored: number;
  /** Verifications made: entities with the same cluster and file systems share one. */
  verifications: number;
  /** Due entities left unverified because the run was aborted (timeout or shutdown). */
  leftOver: number;
}

interface DueEntity {
  entityRef: string;
  target: EfsNodeIdentityAnnotations;
  lastVerifiedAt: number;
}

const sameIds = (a: string[], b: string[]) => a.length === b.length && a.every((id, i) => id === b[i]);

/**
 * One run of the scheduled fleet refresh: re-verifies every annotated catalog entity that is due, within per-cluster,
 * per-account and overall concurrency limits, and stores each result as soon as it is known.
 *
 * Progress lives in the database, not in the run: an entity is due when its stored verification started more than
 * `frequency - timeout` ago (or it has none, or its cluster or file systems changed). The previous run started about
 * one frequency ago and lasted at most `timeout`, so everything it verified is due again, while whatever was verified
 * since (by a run on another replica, or a `POST …/verify`) is not. A run that dies before the end leaves the entities
 * it did not reach due, and the next run, on whichever replica claims it, starts with them (oldest first).
 */
export class FleetRefresh {
  constructor(private readonly options: FleetRefreshOptions) {}

  async run(signal?: AbortSignal): Promise<FleetRefreshSummary> {
    const { catalog, auth, service, settings, logger } = this.options;
    const startedAt = Date.now();
    const dueBefore = startedAt - (settings.frequencyMs - settings.timeoutMs);

    const credentials = await auth.getOwnServiceCredentials();
    const { items } = await catalog.getEntities(
      {
        filter: { [`metadata.annotations.${ANNOTATION_CLUSTER_ARN}`]: CATALOG_FILTER_EXISTS },
        fields: ['kind', 'metadata.namespace', 'metadata.name', 'metadata.annotations'],
      },
      { credentials },
    );
    const annotated: Array<{ entityRef: string; target: EfsNodeIdentityAnnotations }> = [];
    const invalid: string[] = [];
    for (const entity of items) {
      const entityRef = stringifyEntityRef(entity);
      try {
        const target = parseEfsNodeIdentityAnnotations(entity);
        if (target) annotated.push({ entityRef, target });
      } catch (error) {
        invalid.push(`${entityRef} (${(error as Error).message})`);
      }
    }
    if (invalid.length) {
      logger.warn(
        `fleet refresh leaves out ${invalid.length} entities with invalid annotations: ${invalid.join('; ')}`,
      );
    }

    const last = await service.lastVerifications(annotated.map((a) => a.entityRef));
    const due: DueEntity[] = [];
    for (const { entityRef, target } of annotated) {
      const stored = last.get(entityRef);
      const changed =
        !stored ||
        stored.clusterArn !== target.clusterArn ||
        !sameIds([...stored.fileSystemIds].sort(), [...target.fileSystemIds].sort());
      const lastVerifiedAt = stored ? stored.verifiedAt.getTime() : 0;
      if (changed || lastVerifiedAt <= dueBefore) due.push({ entityRef, target, lastVerifiedAt });
    }
    // Oldest first: what a dead run left behind, and never-verified entities, go before routine re-verification.
    due.sort((a, b) => a.lastVerifiedAt - b.lastVerifiedAt);

    // Entities that name the same cluster and file systems get the same answer: one verification serves them all.
    const groups = new Map<string, DueEntity[]>();
    for (const entity of due) {
      const key = `${entity.target.clusterArn} ${[...entity.target.fileSystemIds].sort().join(',')}`;
      const group = groups.get(key);
      if (group) group.push(entity);
      else groups.set(key, [entity]);
    }

    const limits = new ConcurrencyLimits(settings);
    let stored = 0;
    let verifications = 0;
    let storeFailure: unknown;
    const results = await Promise.allSettled(
      [...groups.values()].map((group) => {
        const { target } = group[0]!;
        return limits.run(
          { accountId: target.cluster.accountId, clusterArn: target.clusterArn },
          async () => {
            // Checked when a slot frees up: an aborted run (timeout, shutdown) or a broken database starts nothing new.
            if (signal?.aborted || storeFailure) return;
            verifications++;
            const outcome = await service.verifier.verify(target);
            for (const { entityRef } of group) {
              try {
                await service.record(entityRef, outcome);
                stored++;
              } catch (error) {
                storeFailure ??= error;
                throw error;
              }
            }
          },
        );
      }),
    );
    const summary: FleetRefreshSummary = {
      annotated: annotated.length + invalid.length,
      invalid: invalid.length,
      fresh: annotated.length - due.length,
      stored,
      verifications,
      leftOver: due.length - stored,
    };
    logger.info(
      `fleet refresh: ${summary.annotated} annotated entities, ${due.length} due, ${summary.fresh} verified recently, ` +
        `${stored} stored from ${verifications} verifications, ${summary.leftOver} left for the next run, ` +
        `in ${Date.now() - startedAt} ms${signal?.aborted ? ' (aborted)' : ''}`,
    );
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      throw new Error(`fleet refresh could not store a result: ${(failed.reason as Error)?.message}`, {
        cause: failed.reason,
      });
    }
    return summary;
  }
}
