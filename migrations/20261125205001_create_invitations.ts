import type { Knex } from 'knex';

/**
 * One single-use survey invitation per petition case. The link's token and
 * the PIN are kept as hashes for checking; their plain values and the phone
 * number only until the invitation is answered or expires (then erased), as
 * the SMS reminder needs them. answered_month is all that is kept of when it
 * was answered, so that no answer can be matched to its case by time.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('invitations', (t) => {
    t.increments('id');
    t.integer('case_id').notNullable().unique().references('id').inTable('petition_cases');
    t.integer('channel_id').notNullable().references('id').inTable('channels');
    t.string('token_hash', 64).notNullable().unique();
    t.string('pin_hash', 64).notNullable();
    t.string('token', 64).nullable();
    t.string('pin', 12).nullable();
    t.string('phone_e164', 20).nullable();
    // mobile (SMS), landline (a keypad call instead), none (PIN on paper only).
    t.string('phone_kind', 10).notNullable();
    t.string('status', 10).notNullable();
    t.string('month', 7).notNullable();
    t.string('expires_at', 30).notNullable();
    t.string('answered_month', 7).nullable();
    t.integer('pin_failures').notNullable().defaultTo(0);
    // The SMS and its one reminder: ids in the SMS outbox (sms_messages), whose status is the delivery status.
    t.integer('sms_id').nullable();
    t.integer('reminder_sms_id').nullable();
    t.string('reminded_at', 30).nullable();
    // A keypad call to the petitioner (landlines): Twilio's last word, and whether it was answered.
    t.string('call_status', 20).nullable();
    t.boolean('call_answered').notNullable().defaultTo(false);
    // The number, token and PIN erased here (erased_at), and in the outbox's copies of the messages (sms_erased).
    t.string('erased_at', 30).nullable();
    t.boolean('sms_erased').notNullable().defaultTo(false);
    t.string('created_at', 30).notNullable();
    t.index(['status', 'expires_at']);
    t.index(['month']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('invitations');
}
