import type { Knex } from 'knex';

/**
 * Every status callback Twilio sent for a call, as received (params is the
 * whole form, JSON). Twilio numbers each leg's callbacks (SequenceNumber) and
 * may deliver one twice: (call_sid, sequence_number) is unique, and a repeat
 * is ignored on insert.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('call_events', (t) => {
    t.increments('id');
    t.integer('call_id').notNullable().references('id').inTable('calls');
    t.string('leg', 8).notNullable();
    t.string('call_sid', 34).notNullable();
    t.integer('sequence_number').notNullable();
    t.string('status', 16).notNullable();
    t.string('event_timestamp', 40).notNullable();
    t.text('params').notNullable();
    t.string('received_at', 30).notNullable();
    t.unique(['call_sid', 'sequence_number']);
    t.index(['call_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('call_events');
}
