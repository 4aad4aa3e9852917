import type { Knex } from 'knex';

/** Every version of every survey definition ever answered, by content hash. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('survey_versions', (t) => {
    t.increments('id');
    t.string('survey_key', 64).notNullable();
    t.string('version', 16).notNullable().unique();
    t.text('content').notNullable();
    t.string('created_at', 30).notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('survey_versions');
}
