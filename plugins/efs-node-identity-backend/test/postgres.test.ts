import { TestDatabases } from '@backstage/backend-test-utils';
import { resolvePackagePath } from '@backstage/backend-plugin-api';

const databases = TestDatabases.create({ ids: ['POSTGRES_18', 'SQLITE_3'] });

const migrate = (knex: Awaited<ReturnType<typeof databases.init>>) =>
  knex.migrate.latest({
    directory: resolvePackagePath('@efs-node-identity/backstage-plugin-backend', 'migrations'),
    tableName: 'efs_node_identity_knex_migrations',
  });

describe('test databases', () => {
  it('runs the PostgreSQL case for real: TestDatabases has the embedded server, and it is PostgreSQL 18', async () => {
    expect(process.env.BACKSTAGE_TEST_DATABASE_POSTGRES18_CONNECTION_STRING).toMatch(/^postgresql:\/\//);
    expect(databases.eachSupportedId()).toContainEqual(['POSTGRES_18']);
    const knex = await databases.init('POSTGRES_18');
    const { rows } = await knex.raw('select version() as version');
    expect(rows[0].version).toMatch(/^PostgreSQL 18\./);
  });

  // The migrations must run on both clients Backstage supports in practice (SQLite for local development).
  it.each(databases.eachSupportedId())('creates and drops the status table on %s', async (id) => {
    const knex = await databases.init(id);
    await migrate(knex);
    expect(await knex.schema.hasTable('efs_node_identity_entity_status')).toBe(true);
    await knex.migrate.rollback(
      {
        directory: resolvePackagePath('@efs-node-identity/backstage-plugin-backend', 'migrations'),
        tableName: 'efs_node_identity_knex_migrations',
      },
      true,
    );
    expect(await knex.schema.hasTable('efs_node_identity_entity_status')).toBe(false);
  });
});
