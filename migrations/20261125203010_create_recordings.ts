import type { Knex } from 'knex';

/**
 * Twilio's recordings of calls (dual channel: the tester on one, the unit on
 * the other), one row per recording SID, written from the signed recording
 * status callbacks: status is Twilio's ('completed', or 'absent' when the call
 * made no file). duration_seconds and channels as Twilio reports them;
 * started_at is Twilio's RecordingStartTime, available_at when the completed
 * callback arrived (the retention period runs from it).
 *
 * Retention: deleted_at is set once Twilio has deleted the file (or no longer
 * has it); until then delete_attempts, delete_last_error and delete_next_at
 * (the earliest next try, backing off) track the retention job's failures.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('recordings', (t) => {
    t.increments('id');
    t.integer('call_id').notNullable().references('id').inTable('calls');
    t.string('recording_sid', 34).notNullable().unique();
    t.string('status', 16).notNullable();
    t.integer('duration_seconds').nullable();
    t.integer('channels').nullable();
    t.integer('error_code').nullable();
    t.string('started_at', 40).nullable();
    t.string('available_at', 30).nullable();
    t.string('created_at', 30).notNullable();
    t.string('updated_at', 30).notNullable();
    t.string('deleted_at', 30).nullable();
    t.integer('delete_attempts').notNullable().defaultTo(0);
    t.string('delete_last_error', 500).nullable();
    t.string('delete_next_at', 30).nullable();
    t.index(['call_id']);
    t.index(['deleted_at', 'available_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('recordings');
}
