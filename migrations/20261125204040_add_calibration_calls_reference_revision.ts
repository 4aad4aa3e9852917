import type { Knex } from 'knex';

/**
 * The reference score of a calibration call is the result's revision that was
 * current when the round was created, kept here, so that a later revision of
 * the result does not change a round's figures afterwards. Existing calls get
 * their result's latest revision (what the round pages showed until now).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('calibration_calls', (t) => {
    t.integer('reference_revision_id').nullable().references('id').inTable('result_revisions');
  });
  await knex('calibration_calls').update({
    reference_revision_id: knex('result_revisions')
      .where('result_revisions.result_id', knex.ref('calibration_calls.result_id'))
      .orderBy('result_revisions.number', 'desc')
      .limit(1)
      .select('result_revisions.id'),
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('calibration_calls', (t) => {
    t.dropColumn('reference_revision_id');
  });
}
