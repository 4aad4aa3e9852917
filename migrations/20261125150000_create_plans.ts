import type { Knex } from 'knex';

/** One monthly test plan per scope (an agency) and month; drafted, reviewed, published. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('plans', (t) => {
    t.increments('id');
    t.integer('scope_unit_id').notNullable().references('id').inTable('units');
    t.string('month', 7).notNullable();
    t.string('status', 16).notNullable();
    t.string('seed', 64).notNullable();
    // The rules that gave way, as the planner or the last check reported them (JSON).
    t.text('warnings').notNullable();
    t.integer('created_by').nullable().references('id').inTable('users');
    t.string('created_at', 30).notNullable();
    t.integer('published_by').nullable().references('id').inTable('users');
    t.string('published_at', 30).nullable();
    t.unique(['scope_unit_id', 'month']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('plans');
}
