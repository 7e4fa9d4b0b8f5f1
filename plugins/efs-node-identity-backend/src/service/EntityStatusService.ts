import type {
  BackstageCredentials,
  DatabaseService,
  LoggerService,
  RootConfigService,
} from '@backstage/backend-plugin-api';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { readDurationFromConfig } from '@backstage/config';
import { durationToMilliseconds } from '@backstage/types';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import { stringifyEntityRef, type CompoundEntityRef, type Entity } from '@backstage/catalog-model';
import { InputError, NotFoundError } from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  ANNOTATION_CLUSTER_ARN,
  InvalidAnnotationError,
  parseEfsNodeIdentityAnnotations,
  type EfsNodeIdentityAnnotations,
  type EntityStatusResponse,
  type FleetEntry,
  type FleetResponse,
  type VerificationState,
} from '@efs-node-identity/backstage-plugin-common';
import type { Knex } from 'knex';
import { LiveEntityVerifier, type EntityVerifier, type VerificationOutcome } from './live-verifier';
import { StatusCache } from './status-cache';
import { VerificationStore, type StoredVerification } from './status-store';

export interface EntityStatusServiceOptions {
  logger: LoggerService;
  config: RootConfigService;
  database: DatabaseService;
  catalog: CatalogService;
  /** Default: the live verifier built from the `aws:` and `efsNodeIdentity:` config. */
  verifier?: EntityVerifier;
}

export interface FleetQuery {
  cluster?: string;
  state?: VerificationState;
  offset: number;
  limit: number;
}

/**
 * Verification status of catalog entities: verifies an annotated entity's cluster on request, keeps the last
 * outcome per entity in the plugin database, and lists the fleet. Callers authorize first; this class reads the
 * catalog with the caller's credentials, so it never reveals an entity the caller cannot see.
 */
export class EntityStatusService {
  static async create(options: EntityStatusServiceOptions): Promise<EntityStatusService> {
    const db = await options.database.getClient();
    if (!options.database.migrations?.skip) await migrateToLatest(db);
    const verifier = options.verifier ?? LiveEntityVerifier.fromConfig(options.config, options.logger);
    const ttlKey = 'efsNodeIdentity.statusCacheTtl';
    let ttlMs = 10_000;
    if (options.config.has(ttlKey)) {
      try {
        ttlMs = durationToMilliseconds(readDurationFromConfig(options.config, { key: ttlKey }));
      } catch (error) {
        throw new Error(`${ttlKey}: ${(error as Error).message}`, { cause: error });
      }
    }
    return new EntityStatusService(
      options.catalog,
      new VerificationStore(db),
      new StatusCache(ttlMs),
      verifier,
      options.logger,
    );
  }

  private constructor(
    private readonly catalog: CatalogService,
    private readonly store: VerificationStore,
    private readonly cache: StatusCache,
    /** The verifier this service uses; the fleet refresh verifies with the same one. */
    readonly verifier: EntityVerifier,
    private readonly logger: LoggerService,
  ) {}

  /**
   * The entity's last verification; `not-verified` when it has never run. Served from the cache while fresh: a hit
   * reads neither the catalog nor the database, and answers the same object each time (callers may keep its
   * serialisation beside it; they must not change it).
   */
  async getStatus(ref: CompoundEntityRef, credentials: BackstageCredentials): Promise<EntityStatusResponse> {
    const cached = this.cache.get(stringifyEntityRef(ref));
    if (cached) return cached;
    const { entityRef, target } = await this.annotatedEntity(ref, credentials);
    const stored = await this.store.get(entityRef);
    const response = stored ? toResponse(stored) : notVerified(entityRef, target);
    this.cache.set(entityRef, response);
    return response;
  }

  /** Verifies the entity's cluster now, stores the outcome and answers it. */
  async verifyNow(ref: CompoundEntityRef, credentials: BackstageCredentials): Promise<EntityStatusResponse> {
    const { entityRef, target } = await this.annotatedEntity(ref, credentials);
    const outcome = await this.verifier.verify(target);
    return toResponse(await this.record(entityRef, outcome));
  }

  /** Stores a verification of the entity and replaces its cached status (the fleet refresh stores through here too). */
  async record(entityRef: string, outcome: VerificationOutcome): Promise<StoredVerification> {
    const stored: StoredVerification = { entityRef, ...outcome };
    await this.store.save(stored);
    this.cache.set(entityRef, toResponse(stored));
    this.logger.info(
      `verified ${entityRef} (${outcome.clusterArn}): ${stored.state}, ` +
        `${stored.counts.error} error(s), ${stored.counts.warning} warning(s)`,
    );
    return stored;
  }

  /** When each of these entities was last verified, and for which cluster and file systems (from the database). */
  async lastVerifications(
    entityRefs: string[],
  ): Promise<Map<string, Pick<StoredVerification, 'verifiedAt' | 'clusterArn' | 'fileSystemIds'>>> {
    return this.store.getMany(entityRefs);
  }

  /** Every annotated entity the caller can read, with its last outcome, filtered and paginated, by entity ref. */
  async listFleet(query: FleetQuery, credentials: BackstageCredentials): Promise<FleetResponse> {
    const { items: entities } = await this.catalog.getEntities(
      {
        filter: { [`metadata.annotations.${ANNOTATION_CLUSTER_ARN}`]: CATALOG_FILTER_EXISTS },
        fields: ['kind', 'metadata.namespace', 'metadata.name', 'metadata.annotations'],
      },
      { credentials },
    );
    const refs = entities.map((e) => stringifyEntityRef(e));
    const stored = await this.store.getMany(refs);
    const rows: FleetEntry[] = [];
    entities.forEach((entity, i) => {
      const entityRef = refs[i]!;
      const last = stored.get(entityRef);
      const clusterArn = last?.clusterArn ?? entity.metadata.annotations?.[ANNOTATION_CLUSTER_ARN] ?? '';
      rows.push({
        entityRef,
        clusterArn,
        state: last?.state ?? 'not-verified',
        ...(last ? { lastVerifiedAt: last.verifiedAt.toISOString() } : {}),
        counts: last?.counts ?? { error: 0, warning: 0, info: 0 },
        ruleIds: [...new Set(last?.findings.map((f) => f.ruleId) ?? [])],
      });
    });
    const matching = rows
      .filter(
        (r) =>
          !query.cluster ||
          r.clusterArn === query.cluster ||
          r.clusterArn.endsWith(`:cluster/${query.cluster}`),
      )
      .filter((r) => !query.state || r.state === query.state)
      .sort((a, b) => (a.entityRef < b.entityRef ? -1 : a.entityRef > b.entityRef ? 1 : 0));
    const items = matching.slice(query.offset, query.offset + query.limit);
    const next = query.offset + items.length;
    return {
      items,
      totalCount: matching.length,
      offset: query.offset,
      limit: query.limit,
      ...(next < matching.length ? { nextOffset: next } : {}),
    };
  }

  private async annotatedEntity(
    ref: CompoundEntityRef,
    credentials: BackstageCredentials,
  ): Promise<{ entity: Entity; entityRef: string; target: EfsNodeIdentityAnnotations }> {
    const entityRef = stringifyEntityRef(ref);
    const entity = await this.catalog.getEntityByRef(ref, { credentials });
    if (!entity) throw new NotFoundError(`no entity ${entityRef} in the catalog`);
    let target: EfsNodeIdentityAnnotations | undefined;
    try {
      target = parseEfsNodeIdentityAnnotations(entity);
    } catch (error) {
      if (error instanceof InvalidAnnotationError) {
        throw new InputError(`${entityRef}: ${error.message}`, error);
      }
      throw error;
    }
    if (!target) {
      throw new NotFoundError(
        `${entityRef} has no ${ANNOTATION_CLUSTER_ARN} annotation: not set up for efs-node-identity`,
      );
    }
    return { entity, entityRef: stringifyEntityRef(entity), target };
  }
}

const MIGRATIONS = {
  directory: resolvePackagePath('@efs-node-identity/backstage-plugin-backend', 'migrations'),
  // Its own bookkeeping tables, so the plugin's migrations never mix with another plugin's in a shared schema.
  tableName: 'efs_node_identity_knex_migrations',
};

/**
 * Runs the plugin's migrations. Replicas that start together must take turns: knex's own migration lock lives in a
 * table that the first run creates, so two first runs collide creating it (PostgreSQL: duplicate key in
 * pg_type_typname_nsp_index), and a run that finds the lock taken fails at once (MigrationLocked) instead of waiting.
 * On PostgreSQL a transaction-scoped advisory lock makes the others wait for the first, which leaves them nothing to do.
 */
async function migrateToLatest(db: Knex): Promise<void> {
  if (!String(db.client.config.client).match(/^(pg|postgres)/)) {
    await db.migrate.latest(MIGRATIONS);
    return;
  }
  await db.transaction(async (trx) => {
    await trx.raw("select pg_advisory_xact_lock(hashtext('efs_node_identity_migrations'))");
    await db.migrate.latest(MIGRATIONS);
  });
}

function toResponse(v: StoredVerification): EntityStatusResponse {
  return {
    entityRef: v.entityRef,
    clusterArn: v.clusterArn,
    fileSystemIds: v.fileSystemIds,
    ...(v.fileSystems ? { fileSystems: v.fileSystems } : {}),
    state: v.state,
    lastVerifiedAt: v.verifiedAt.toISOString(),
    findings: v.findings,
    counts: v.counts,
    notRead: v.notRead,
    ...(v.error !== undefined ? { error: v.error } : {}),
    ...(v.calls ? { calls: v.calls } : {}),
    ...(v.liveMounts ? { liveMounts: v.liveMounts } : {}),
  };
}

function notVerified(entityRef: string, target: EfsNodeIdentityAnnotations): EntityStatusResponse {
  return {
    entityRef,
    clusterArn: target.clusterArn,
    fileSystemIds: target.fileSystemIds,
    fileSystems: target.fileSystems,
    state: 'not-verified',
    findings: [],
    counts: { error: 0, warning: 0, info: 0 },
    notRead: [],
  };
}
