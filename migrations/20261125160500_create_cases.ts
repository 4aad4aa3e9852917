import type { Knex } from 'knex';

/** Improvement cases (改善報告): opened by a result under the threshold or a critical lapse. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('cases', (t) => {
    t.increments('id');
    t.integer('unit_id').notNullable().references('id').inTable('units');
    t.integer('result_id').notNullable().unique().references('id').inTable('results');
    t.string('status', 16).notNullable();
    t.string('due_date', 10).notNullable();
    t.text('cause').nullable();
    t.text('actions').nullable();
    t.string('accepted_at', 30).nullable();
    t.integer('retest_result_id').nullable().references('id').inTable('results');
    t.string('closed_at', 30).nullable();
    t.string('reminded_at', 30).nullable();
    t.string('opened_at', 30).notNullable();
    t.index(['unit_id', 'status']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('cases');
}
