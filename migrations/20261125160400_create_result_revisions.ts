import type { Knex } from 'knex';

/**
 * Each revision of a result: the answers and the score computed from them,
 * who made it, when and why. Each revision's hash covers the previous one's,
 * so a row changed behind the product's back breaks the chain.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('result_revisions', (t) => {
    t.increments('id');
    t.integer('result_id').notNullable().references('id').inTable('results');
    t.integer('number').notNullable();
    t.text('answers').notNullable();
    t.text('reasons').notNullable();
    t.text('flags').notNullable();
    t.float('ring_seconds').nullable();
    // Tenths of a point, so that 84.3 is stored exactly on every database.
    t.integer('total_tenths').nullable();
    t.string('band', 16).nullable();
    t.text('deductions').notNullable();
    t.integer('created_by').notNullable().references('id').inTable('users');
    t.string('created_at', 30).notNullable();
    t.text('reason').nullable();
    t.string('hash', 64).notNullable();
    t.unique(['result_id', 'number']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('result_revisions');
}
