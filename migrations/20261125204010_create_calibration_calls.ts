import type { Knex } from 'knex';

/**
 * The scored calls of a calibration round. The result's latest revision at the
 * time the round is read is the reference score; the testers score with the
 * sheet version that result was scored with.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('calibration_calls', (t) => {
    t.increments('id');
    t.integer('round_id').notNullable().references('id').inTable('calibration_rounds');
    t.integer('result_id').notNullable().references('id').inTable('results');
    t.integer('position').notNullable();
    t.unique(['round_id', 'result_id']);
    t.index(['result_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('calibration_calls');
}
