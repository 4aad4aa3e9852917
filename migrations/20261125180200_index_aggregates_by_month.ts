import type { Knex } from 'knex';

/**
 * Reports read the aggregates by survey and month range for a set of units;
 * the primary keys lead with the channel. These indexes cover those reads
 * (every column a report query touches is in the index).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('agg_counts', (t) => {
    t.index(['survey_key', 'month', 'unit_id', 'question_key', 'value', 'channel_id', 'n'], 'agg_counts_by_month');
  });
  await knex.schema.alterTable('agg_sections', (t) => {
    t.index(['survey_key', 'month', 'unit_id', 'section_key', 'item_i', 'item_j', 'channel_id', 'sum'], 'agg_sections_by_month');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('agg_sections', (t) => {
    t.dropIndex([], 'agg_sections_by_month');
  });
  await knex.schema.alterTable('agg_counts', (t) => {
    t.dropIndex([], 'agg_counts_by_month');
  });
}
