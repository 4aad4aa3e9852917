import type { Knex } from 'knex';

/**
 * A tester's blind score of one call of a round, as the scoring form left it
 * (answers, reasons and flags as JSON, the total in tenths). One per tester
 * and call; never changed once submitted.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('calibration_scores', (t) => {
    t.increments('id');
    t.integer('call_id').notNullable().references('id').inTable('calibration_calls');
    t.integer('tester_id').notNullable().references('id').inTable('users');
    t.text('answers').notNullable();
    t.text('reasons').notNullable();
    t.text('flags').notNullable();
    t.integer('total_tenths').notNullable();
    t.string('submitted_at', 30).notNullable();
    t.unique(['call_id', 'tester_id']);
    t.index(['tester_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('calibration_scores');
}
