import type { Knex } from 'knex';

/** Dates on which a tester cannot call (leave, training); the planner respects them. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('tester_unavailability', (t) => {
    t.integer('user_id').notNullable().references('id').inTable('users');
    t.string('date', 10).notNullable();
    t.primary(['user_id', 'date']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('tester_unavailability');
}
