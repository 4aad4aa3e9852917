import type { Knex } from 'knex';

/**
 * Population margins a manager entered for a scope and survey (e.g. the
 * district's residents by sex and by age band), used to rake results.
 * One row per scope and survey; margins is JSON {question: {level: count}}.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('weighting_margins', (t) => {
    t.increments('id');
    t.integer('unit_id').notNullable().references('id').inTable('units');
    t.string('survey_key', 64).notNullable();
    t.text('margins').notNullable();
    t.string('source', 200).notNullable();
    t.integer('updated_by').notNullable().references('id').inTable('users');
    t.string('updated_at', 30).notNullable();
    t.unique(['unit_id', 'survey_key']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('weighting_margins');
}
