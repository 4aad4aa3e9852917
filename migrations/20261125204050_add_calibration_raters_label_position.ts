import type { Knex } from 'knex';

/**
 * The letter a rater of a calibration round goes by for the other testers
 * ("Tester A, B, …"): 1 = A. Drawn at random when the round is created and
 * kept, so that the letters do not follow the raters' names. Existing raters
 * get their order of invitation (row id) within the round.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('calibration_raters', (t) => {
    t.integer('label_position').nullable();
  });
  await knex('calibration_raters').update({
    label_position: knex('calibration_raters as earlier')
      .where('earlier.round_id', knex.ref('calibration_raters.round_id'))
      .where('earlier.id', '<=', knex.ref('calibration_raters.id'))
      .count('*'),
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('calibration_raters', (t) => {
    t.dropColumn('label_position');
  });
}
