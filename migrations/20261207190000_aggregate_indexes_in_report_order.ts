import type { Knex } from 'knex';

/**
 * The reports' month-range indexes on the aggregates, with the unit moved
 * after what the reports group by. The dashboard's trend groups answer counts
 * by month, question and value: in this order the index hands them over
 * already grouped, where before the database sorted every row of two years
 * first (about half the dashboard's time). Section sums are grouped by month
 * too and added up in code (dashboard-repo.ts). Writes are unchanged: the
 * same columns, one index per table.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('agg_counts', (t) => {
    t.dropIndex([], 'agg_counts_by_month');
    t.index(['survey_key', 'month', 'question_key', 'value', 'unit_id', 'channel_id', 'n'], 'agg_counts_by_month_question');
  });
  await knex.schema.alterTable('agg_sections', (t) => {
    t.dropIndex([], 'agg_sections_by_month');
    t.index(['survey_key', 'month', 'section_key', 'item_i', 'item_j', 'unit_id', 'channel_id', 'sum'], 'agg_sections_by_month_item');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('agg_sections', (t) => {
    t.dropIndex([], 'agg_sections_by_month_item');
    t.index(['survey_key', 'month', 'unit_id', 'section_key', 'item_i', 'item_j', 'channel_id', 'sum'], 'agg_sections_by_month');
  });
  await knex.schema.alterTable('agg_counts', (t) => {
    t.dropIndex([], 'agg_counts_by_month_question');
    t.index(['survey_key', 'month', 'unit_id', 'question_key', 'value', 'channel_id', 'n'], 'agg_counts_by_month');
  });
}
