import type { Knex } from 'knex';

/**
 * Calls placed through Twilio for an assignment: the tester's leg (call_sid,
 * from the REST answer) bridged to the unit's leg (unit_call_sid, from its
 * first status callback). status is the stage last computed from the stored
 * events; the ring time is never stored here but recomputed from call_events.
 * attempt says what the unit leg's no-answer or busy did (an attempt recorded
 * once, or why not); ring_* is what the tester did with the measured figure
 * when the scoring sheet was sent (confirmed it, or typed another with a reason).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('calls', (t) => {
    t.increments('id');
    t.integer('assignment_id').notNullable().references('id').inTable('assignments');
    t.integer('tester_id').notNullable().references('id').inTable('users');
    t.string('call_sid', 34).nullable().unique();
    t.string('unit_call_sid', 34).nullable().unique();
    t.boolean('answered_by_menu').notNullable();
    t.string('status', 20).notNullable();
    t.integer('error_code').nullable();
    t.string('error_message', 500).nullable();
    t.string('attempt', 12).nullable();
    t.integer('attempt_id').nullable().references('id').inTable('attempts');
    t.string('ring_confirmed_at', 30).nullable();
    t.double('ring_override_seconds').nullable();
    t.text('ring_override_reason').nullable();
    t.string('started_at', 30).notNullable();
    t.string('updated_at', 30).notNullable();
    t.index(['assignment_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('calls');
}
