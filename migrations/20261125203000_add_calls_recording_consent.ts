import type { Knex } from 'knex';

/**
 * The tester's consent to record one call: who ticked the box (the unit was
 * told, or consent was obtained, as the agency's practice requires) and when.
 * Both null: the call was not to be recorded. Recording is asked of Twilio
 * only for a call with a consent, and only while the "record calls" setting is on.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('calls', (t) => {
    t.integer('recording_consent_by').nullable().references('id').inTable('users');
    t.string('recording_consent_at', 30).nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('calls', (t) => {
    t.dropForeign(['recording_consent_by']);
  });
  await knex.schema.alterTable('calls', (t) => {
    t.dropColumn('recording_consent_at');
    t.dropColumn('recording_consent_by');
  });
}
