import { startPostgres } from '@efs-node-identity/test-postgres';

/**
 * Starts one real PostgreSQL 18 for the whole run and hands it to Backstage's TestDatabases through
 * BACKSTAGE_TEST_DATABASE_POSTGRES18_CONNECTION_STRING (without it, and without Docker, TestDatabases silently leaves
 * PostgreSQL out); TestDatabases creates a database per test in it.
 */
export default async function postgresGlobalSetup(): Promise<void> {
  // Docker is never used here, even with CI set (TestDatabases would try to start containers for the other ids).
  process.env.BACKSTAGE_TEST_DISABLE_DOCKER = '1';
  if (process.env.BACKSTAGE_TEST_DATABASE_POSTGRES18_CONNECTION_STRING) return; // a server given from outside
  const postgres = await startPostgres('efs-node-identity-backend');
  process.env.BACKSTAGE_TEST_DATABASE_POSTGRES18_CONNECTION_STRING = postgres.serverUrl;
  (globalThis as Record<string, unknown>).__efsNodeIdentityPostgres = postgres;
}
