import type { Knex } from 'knex';

/**
 * Closed petition cases (陳情案件) registered for the satisfaction survey. Not
 * the improvement cases of phone tests (table cases). A case number is unique
 * in the installation: the petitioner types it with the PIN.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('petition_cases', (t) => {
    t.increments('id');
    t.string('case_number', 40).notNullable().unique();
    t.integer('unit_id').notNullable().references('id').inTable('units');
    t.string('closed_on', 10).notNullable();
    t.string('survey_key', 64).notNullable();
    t.integer('created_by').nullable().references('id').inTable('users');
    t.string('created_at', 30).notNullable();
    t.index(['unit_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('petition_cases');
}
