import type { Knex } from 'knex';

/** Setup and password-reset links: only a hash of the token is kept. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('one_time_tokens', (t) => {
    t.increments('id');
    t.string('purpose', 16).notNullable();
    t.string('token_hash', 64).notNullable().unique();
    t.integer('user_id').nullable().references('id').inTable('users');
    t.string('expires_at', 30).notNullable();
    t.string('used_at', 30).nullable();
    t.string('created_at', 30).notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('one_time_tokens');
}
