import type { Knex } from 'knex';

/** In-app notices to a user (a published plan, later reminders), as a message key and its parameters. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('notifications', (t) => {
    t.increments('id');
    t.integer('user_id').notNullable().references('id').inTable('users');
    t.string('message_key', 64).notNullable();
    t.text('params').notNullable();
    t.string('link', 200).nullable();
    t.string('created_at', 30).notNullable();
    t.string('read_at', 30).nullable();
    t.index(['user_id', 'read_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('notifications');
}
