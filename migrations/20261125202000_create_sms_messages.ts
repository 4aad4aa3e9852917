import type { Knex } from 'knex';

/**
 * The SMS outbox (server/telephony/sms-outbox.ts): one row per message the
 * product means to send, written in the transaction of whatever caused it.
 * status runs pending → sending (claimed by one dispatcher: claim_token) →
 * Twilio's queued / sent / delivered / undelivered / failed; skipped rows
 * (landline, no number) are never sent. send_after is the first moment a
 * dispatcher may try (Taiwan's quiet hours, retry back-off). dedupe_key, when
 * given, makes a second enqueue of the same message return the first row.
 * unit_id is the unit the message concerns: managers see the messages of
 * their subtree.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('sms_messages', (t) => {
    t.increments('id');
    t.string('purpose', 40).notNullable();
    t.string('reference', 100).nullable();
    t.string('dedupe_key', 150).nullable().unique();
    t.integer('unit_id').nullable().references('id').inTable('units');
    t.string('to_phone', 40).nullable();
    t.text('body').notNullable();
    t.integer('segments').notNullable();
    t.string('status', 16).notNullable();
    t.string('reason', 32).nullable();
    t.integer('error_code').nullable();
    t.string('error_message', 500).nullable();
    t.string('message_sid', 34).nullable().unique();
    t.integer('attempts').notNullable().defaultTo(0);
    t.string('send_after', 30).notNullable();
    t.string('claim_token', 32).nullable();
    t.string('claimed_at', 30).nullable();
    t.string('sent_at', 30).nullable();
    t.string('status_at', 30).nullable();
    t.string('created_at', 30).notNullable();
    t.string('updated_at', 30).notNullable();
    t.index(['status', 'send_after']);
    t.index(['unit_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('sms_messages');
}
