import type { Knex } from 'knex';

/**
 * Personal API tokens: a user's key to the read-only open-data API
 * (/api/v1). Only the SHA-256 of the token is kept (the token itself is shown
 * once, when it is made); `hint` is its first characters, so that the owner can
 * tell tokens apart. A revoked or expired token answers nothing.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('api_tokens', (t) => {
    t.increments('id');
    t.integer('user_id').notNullable().references('id').inTable('users');
    t.string('name', 100).notNullable();
    t.string('token_hash', 64).notNullable().unique();
    t.string('hint', 12).notNullable();
    t.string('created_at', 30).notNullable();
    t.string('expires_at', 30).nullable();
    t.string('last_used_at', 30).nullable();
    t.string('revoked_at', 30).nullable();
    t.index(['user_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('api_tokens');
}
