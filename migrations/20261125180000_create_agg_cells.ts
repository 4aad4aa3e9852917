import type { Knex } from 'knex';

/**
 * Weighting cells: per survey, channel, unit and month, the respondents of
 * each combination of the weighting demographics (sex, age band, district)
 * and the Likert answers they gave, so that results can be raked to
 * population margins without reading raw answers. Kept and rebuilt with the
 * other aggregates; question_key '#' holds the cell's respondent count.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('agg_cells', (t) => {
    t.string('survey_key', 64).notNullable();
    t.integer('channel_id').notNullable();
    t.integer('unit_id').notNullable();
    t.string('month', 7).notNullable();
    t.string('cell', 200).notNullable();
    t.string('question_key', 64).notNullable();
    t.string('value', 64).notNullable();
    t.integer('n').notNullable();
    t.primary(['survey_key', 'channel_id', 'unit_id', 'month', 'cell', 'question_key', 'value']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('agg_cells');
}
