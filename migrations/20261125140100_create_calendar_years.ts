import type { Knex } from 'knex';

/** Which years have an official calendar, and who imported it when. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('calendar_years', (t) => {
    t.integer('year').primary();
    t.integer('working_days').notNullable();
    t.integer('imported_by').nullable().references('id').inTable('users');
    t.string('imported_at', 30).notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('calendar_years');
}
