import type { Knex } from 'knex';

/** A unit's question bank: questions a tester may ask, with the points a right answer contains. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('unit_questions', (t) => {
    t.increments('id');
    t.integer('unit_id').notNullable().references('id').inTable('units');
    t.text('question').notNullable();
    t.text('key_points').notNullable();
    t.boolean('active').notNullable().defaultTo(true);
    t.string('created_at', 30).notNullable();
    t.index(['unit_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('unit_questions');
}
