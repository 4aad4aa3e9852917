import type { Knex } from 'knex';

/** The answers of a response: a number (scale point, rating), an option, options, text, or 'na'. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('response_answers', (t) => {
    t.integer('response_id').notNullable().references('id').inTable('responses');
    t.string('question_key', 64).notNullable();
    t.string('value', 64).nullable();
    t.text('text').nullable();
    t.primary(['response_id', 'question_key']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('response_answers');
}
