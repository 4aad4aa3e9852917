import type { Knex } from 'knex';

/** Every version of every scoring sheet ever used, by content hash, so that old results keep theirs. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('scoresheet_versions', (t) => {
    t.increments('id');
    t.string('sheet_key', 64).notNullable();
    t.string('version', 16).notNullable().unique();
    t.text('content').notNullable();
    t.string('created_at', 30).notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('scoresheet_versions');
}
