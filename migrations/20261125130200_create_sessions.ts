import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('sessions', (t) => {
    t.string('sid', 128).primary();
    t.text('data').notNullable();
    // Kept beside the data so that all of a user's sessions can be ended at once.
    t.integer('user_id').nullable();
    t.string('expires_at', 30).notNullable();
    t.index(['expires_at']);
    t.index(['user_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('sessions');
}
