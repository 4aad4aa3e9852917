import type { Knex } from 'knex';

/** A case's timeline: opened, report filed, returned with a comment, accepted, re-tested, closed. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('case_events', (t) => {
    t.increments('id');
    t.integer('case_id').notNullable().references('id').inTable('cases');
    t.integer('actor_id').nullable().references('id').inTable('users');
    t.string('action', 32).notNullable();
    t.text('comment').nullable();
    t.string('created_at', 30).notNullable();
    t.index(['case_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('case_events');
}
