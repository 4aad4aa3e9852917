import type { Knex } from 'knex';

/** Single-use codes for the staff survey. A code is never linked to the answer it allowed. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('staff_codes', (t) => {
    t.increments('id');
    t.integer('channel_id').notNullable().references('id').inTable('channels');
    t.string('code_hash', 64).notNullable().unique();
    t.string('used_at', 30).nullable();
    t.string('created_at', 30).notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('staff_codes');
}
