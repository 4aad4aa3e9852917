import type { Knex } from 'knex';

/** A plan's history: drafted, edited (who, what, before and after), published. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('plan_events', (t) => {
    t.increments('id');
    t.integer('plan_id').notNullable().references('id').inTable('plans');
    t.integer('actor_id').nullable().references('id').inTable('users');
    t.string('action', 32).notNullable();
    t.text('detail').notNullable();
    t.string('created_at', 30).notNullable();
    t.index(['plan_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('plan_events');
}
