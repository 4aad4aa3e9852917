import type { Knex } from 'knex';

/** The official working calendar (DGPA 辦公日曆表), one row per day of each imported year. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('calendar_days', (t) => {
    t.string('date', 10).primary();
    t.integer('year').notNullable();
    t.boolean('day_off').notNullable();
    t.string('note', 200).notNullable().defaultTo('');
    t.index(['year']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('calendar_days');
}
