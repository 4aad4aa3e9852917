import type { Knex } from 'knex';

/** How many staff each unit has in a year, for the staff survey's response rate. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('unit_headcounts', (t) => {
    t.integer('unit_id').notNullable().references('id').inTable('units');
    t.integer('year').notNullable();
    t.integer('headcount').notNullable();
    t.primary(['unit_id', 'year']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('unit_headcounts');
}
