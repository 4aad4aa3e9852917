import type { Knex } from 'knex';

/** Calls that did not reach anyone: no answer, busy, voicemail. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('attempts', (t) => {
    t.increments('id');
    t.integer('assignment_id').notNullable().references('id').inTable('assignments');
    t.string('outcome', 16).notNullable();
    t.string('attempted_at', 30).notNullable();
    t.integer('recorded_by').notNullable().references('id').inTable('users');
    t.index(['assignment_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('attempts');
}
