import type { Knex } from 'knex';

/**
 * A calibration round: a manager asks several testers to score the same
 * recorded calls blind. status is open until every invited tester has scored
 * every call (complete), or until a manager closes it early (closed).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('calibration_rounds', (t) => {
    t.increments('id');
    t.string('due_on', 10).notNullable();
    t.string('status', 10).notNullable();
    t.integer('created_by').notNullable().references('id').inTable('users');
    t.string('created_at', 30).notNullable();
    t.string('completed_at', 30).nullable();
    t.integer('closed_by').nullable().references('id').inTable('users');
    t.string('closed_at', 30).nullable();
    t.index(['status']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('calibration_rounds');
}
