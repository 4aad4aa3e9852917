import type { Knex } from 'knex';

/**
 * The result of a test (one per assignment). Its scores live in revisions,
 * never overwritten; a withdrawn result stays, excluded from statistics.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('results', (t) => {
    t.increments('id');
    t.integer('assignment_id').notNullable().unique().references('id').inTable('assignments');
    t.integer('unit_id').notNullable().references('id').inTable('units');
    t.integer('tester_id').notNullable().references('id').inTable('users');
    t.integer('sheet_version_id').nullable().references('id').inTable('scoresheet_versions');
    t.string('kind', 16).notNullable();
    t.string('tested_on', 10).notNullable();
    t.string('withdrawn_at', 30).nullable();
    t.integer('withdrawn_by').nullable().references('id').inTable('users');
    t.text('withdraw_reason').nullable();
    t.string('created_at', 30).notNullable();
    t.index(['unit_id', 'tested_on']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('results');
}
