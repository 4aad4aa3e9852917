import type { Knex } from 'knex';

/** Fixed-window counters shared by every server instance (login failures, later public submissions). */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('rate_limits', (t) => {
    t.string('key', 128).primary();
    t.integer('count').notNullable();
    t.string('window_start', 30).notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('rate_limits');
}
