import type { Knex } from 'knex';

/**
 * Sufficient statistics, kept in the same transaction as each response so that
 * reports never scan raw answers: per survey, channel, respondent unit and
 * month, a histogram per question (n, Σx and Σx² follow from it), and per
 * section over complete cases the item sums and cross-products (Cronbach's α).
 * unit_id 0 means "not given". Rebuilt from raw rows by `npm run aggregates -- rebuild`.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('agg_counts', (t) => {
    t.string('survey_key', 64).notNullable();
    t.integer('channel_id').notNullable();
    t.integer('unit_id').notNullable();
    t.string('month', 7).notNullable();
    t.string('question_key', 64).notNullable();
    t.string('value', 64).notNullable();
    t.integer('n').notNullable();
    t.primary(['survey_key', 'channel_id', 'unit_id', 'month', 'question_key', 'value']);
  });
  await knex.schema.createTable('agg_sections', (t) => {
    t.string('survey_key', 64).notNullable();
    t.integer('channel_id').notNullable();
    t.integer('unit_id').notNullable();
    t.string('month', 7).notNullable();
    t.string('section_key', 64).notNullable();
    t.string('item_i', 64).notNullable();
    // item_j = item_i for the item's own sum of squares; '' for the item's plain sum; '#' with item_i '#' for n.
    t.string('item_j', 64).notNullable();
    t.float('sum').notNullable();
    t.primary(['survey_key', 'channel_id', 'unit_id', 'month', 'section_key', 'item_i', 'item_j']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('agg_sections');
  await knex.schema.dropTable('agg_counts');
}
