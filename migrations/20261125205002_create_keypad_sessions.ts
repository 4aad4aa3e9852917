import type { Knex } from 'knex';

/**
 * A phone keypad survey in progress (Twilio <Gather>): where the caller is,
 * and the digits given so far. When the call ends the answers become a
 * response (all of them, or what there is if the survey allows partial
 * answers) and the row is deleted, so that nothing ties the response to the
 * call or the invitation. status is 'active' while a row exists.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('keypad_sessions', (t) => {
    t.increments('id');
    t.string('call_sid', 34).notNullable().unique();
    t.integer('channel_id').notNullable().references('id').inTable('channels');
    t.integer('invitation_id').nullable().references('id').inTable('invitations');
    t.string('lang', 5).nullable();
    t.integer('position').notNullable().defaultTo(0);
    t.boolean('retried').notNullable().defaultTo(false);
    t.text('answers').nullable();
    t.string('status', 10).notNullable();
    t.string('created_at', 30).notNullable();
    t.string('updated_at', 30).notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('keypad_sessions');
}
