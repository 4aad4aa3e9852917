import type { Knex } from 'knex';

/**
 * One submitted questionnaire. No IP address is kept: source_hash is a salted
 * hash rotated daily, used only to see bursts from one source.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('responses', (t) => {
    t.increments('id');
    // A random reference set by the server, so that a batch of responses can be inserted in one statement
    // and their ids read back whatever order the database returns them in.
    t.string('ref', 24).notNullable().unique();
    t.integer('survey_version_id').notNullable().references('id').inTable('survey_versions');
    t.integer('channel_id').notNullable().references('id').inTable('channels');
    // The unit the answers are about (the channel's), or for staff the unit the respondent chose (0: not given).
    t.integer('unit_id').notNullable();
    t.string('month', 7).notNullable();
    t.string('submitted_at', 30).notNullable();
    t.string('source_hash', 64).nullable();
    // honeypot or burst: stored, excluded from statistics until a manager includes it.
    t.string('flag', 16).nullable();
    t.boolean('counted').notNullable();
    t.index(['channel_id', 'submitted_at']);
    t.index(['source_hash', 'submitted_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('responses');
}
