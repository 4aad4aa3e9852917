import type { Knex } from 'knex';

/** The testers invited to score a calibration round. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('calibration_raters', (t) => {
    t.increments('id');
    t.integer('round_id').notNullable().references('id').inTable('calibration_rounds');
    t.integer('tester_id').notNullable().references('id').inTable('users');
    t.unique(['round_id', 'tester_id']);
    t.index(['tester_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('calibration_raters');
}
