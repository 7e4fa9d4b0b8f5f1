import type { Knex } from 'knex';
import type {
  FileSystemType,
  LiveMountsStatus,
  StatusFinding,
  VerificationState,
} from '@efs-node-identity/backstage-plugin-common';

const TABLE = 'efs_node_identity_entity_status';

/** The outcome of one verification of one entity, as stored. */
export interface StoredVerification {
  entityRef: string;
  clusterArn: string;
  fileSystemIds: string[];
  /** The file systems the verification read, with their type; absent in rows stored before the plugin kept it. */
  fileSystems?: Array<{ id: string; type: FileSystemType }>;
  state: Exclude<VerificationState, 'not-verified'>;
  verifiedAt: Date;
  findings: StatusFinding[];
  counts: { error: number; warning: number; info: number };
  error?: string;
  notRead: string[];
  calls?: { aws: number; kubernetes: number };
  /** Absent for an unverifiable outcome and for rows stored before the plugin reported it. */
  liveMounts?: LiveMountsStatus;
}

interface Row {
  entity_ref: string;
  cluster_arn: string;
  state: string;
  verified_at: Date | string;
  error_count: number;
  warning_count: number;
  info_count: number;
  result: string;
}

type ResultColumn = Pick<
  StoredVerification,
  'fileSystemIds' | 'fileSystems' | 'findings' | 'error' | 'notRead' | 'calls' | 'liveMounts'
>;

/** The plugin database's table of verification outcomes (knex: PostgreSQL in production, SQLite in development). */
export class VerificationStore {
  constructor(private readonly db: Knex) {}

  /** Inserts or replaces the entity's row: only the last verification is kept. */
  async save(v: StoredVerification): Promise<void> {
    const result: ResultColumn = {
      fileSystemIds: v.fileSystemIds,
      ...(v.fileSystems ? { fileSystems: v.fileSystems } : {}),
      findings: v.findings,
      notRead: v.notRead,
      ...(v.error !== undefined ? { error: v.error } : {}),
      ...(v.calls ? { calls: v.calls } : {}),
      ...(v.liveMounts ? { liveMounts: v.liveMounts } : {}),
    };
    const row: Row = {
      entity_ref: v.entityRef,
      cluster_arn: v.clusterArn,
      state: v.state,
      verified_at: v.verifiedAt,
      error_count: v.counts.error,
      warning_count: v.counts.warning,
      info_count: v.counts.info,
      result: JSON.stringify(result),
    };
    await this.db<Row>(TABLE).insert(row).onConflict('entity_ref').merge();
  }

  async get(entityRef: string): Promise<StoredVerification | undefined> {
    const row = await this.db<Row>(TABLE).where({ entity_ref: entityRef }).first();
    return row ? fromRow(row) : undefined;
  }

  /** The rows of these entities (the fleet list joins them with the catalog's annotated entities). */
  async getMany(entityRefs: string[]): Promise<Map<string, StoredVerification>> {
    const out = new Map<string, StoredVerification>();
    // Chunks keep the IN list under SQLite's default limit of 999 bound parameters.
    for (let i = 0; i < entityRefs.length; i += 500) {
      const rows = await this.db<Row>(TABLE).whereIn('entity_ref', entityRefs.slice(i, i + 500));
      for (const row of rows) out.set(row.entity_ref, fromRow(row));
    }
    return out;
  }
}

function fromRow(row: Row): StoredVerification {
  const result = JSON.parse(row.result) as ResultColumn;
  return {
    entityRef: row.entity_ref,
    clusterArn: row.cluster_arn,
    state: row.state as StoredVerification['state'],
    // PostgreSQL answers a Date, SQLite the stored text or epoch milliseconds.
    verifiedAt: row.verified_at instanceof Date ? row.verified_at : new Date(row.verified_at),
    counts: { error: row.error_count, warning: row.warning_count, info: row.info_count },
    fileSystemIds: result.fileSystemIds,
    ...(result.fileSystems ? { fileSystems: result.fileSystems } : {}),
    findings: result.findings,
    notRead: result.notRead,
    ...(result.error !== undefined ? { error: result.error } : {}),
    ...(result.calls ? { calls: result.calls } : {}),
    ...(result.liveMounts ? { liveMounts: result.liveMounts } : {}),
  };
}
