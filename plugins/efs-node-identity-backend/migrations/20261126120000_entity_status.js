// One row per catalog entity: the outcome of its last verification. Plain JavaScript, so knex runs it from the
// published package without a build step (how Backstage plugins ship their migrations).

/** @param {import('knex').Knex} knex */
exports.up = async function up(knex) {
  await knex.schema.createTable('efs_node_identity_entity_status', (table) => {
    table.comment('The last verification of each annotated catalog entity');
    // Entity refs are at most kind (63) + namespace (63) + name (63) and separators.
    table.string('entity_ref', 255).primary().notNullable();
    table.string('cluster_arn', 255).notNullable();
    table.string('state', 32).notNullable();
    table.timestamp('verified_at', { useTz: true }).notNullable();
    table.integer('error_count').notNullable();
    table.integer('warning_count').notNullable();
    table.integer('info_count').notNullable();
    // Findings, traces, notes and call counts as JSON text: read whole, never queried inside.
    table.text('result').notNullable();
    table.index(['cluster_arn'], 'efs_node_identity_entity_status_cluster_idx');
    table.index(['state'], 'efs_node_identity_entity_status_state_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('efs_node_identity_entity_status');
};
