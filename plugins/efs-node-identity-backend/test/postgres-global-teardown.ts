import type { TestPostgres } from '@efs-node-identity/test-postgres';

export default async function postgresGlobalTeardown(): Promise<void> {
  const started = (globalThis as Record<string, unknown>).__efsNodeIdentityPostgres as
    TestPostgres | undefined;
  await started?.stop();
}
