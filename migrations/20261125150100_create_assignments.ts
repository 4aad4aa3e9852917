import type { Knex } from 'knex';

/** A planned call: which unit, which part, by whom, on which day and in which window, and why. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('assignments', (t) => {
    t.increments('id');
    t.integer('plan_id').notNullable().references('id').inTable('plans');
    t.integer('unit_id').notNullable().references('id').inTable('units');
    t.string('part', 16).notNullable();
    t.integer('tester_id').nullable().references('id').inTable('users');
    t.string('date', 10).nullable();
    t.string('window_start', 5).nullable();
    t.string('window_end', 5).nullable();
    t.string('reason_key', 64).notNullable();
    t.text('reason_params').notNullable();
    t.integer('retest_case_id').nullable();
    t.string('created_at', 30).notNullable();
    t.string('updated_at', 30).notNullable();
    t.index(['plan_id']);
    t.index(['tester_id', 'date']);
    t.index(['unit_id', 'date']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('assignments');
}
