import type { Knex } from 'knex';

/**
 * One row per scheduled job and period: the instance that inserts it runs the
 * job, every other instance sees the row and skips (several servers, one run).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('job_runs', (t) => {
    t.string('job', 64).notNullable();
    t.string('period', 32).notNullable();
    t.string('started_at', 30).notNullable();
    t.string('finished_at', 30).nullable();
    t.primary(['job', 'period']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('job_runs');
}
