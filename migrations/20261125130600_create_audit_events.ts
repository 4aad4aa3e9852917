import type { Knex } from 'knex';

/** Who changed what: users, units, imports. Never rewritten. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('audit_events', (t) => {
    t.increments('id');
    t.integer('actor_id').nullable().references('id').inTable('users');
    t.string('action', 64).notNullable();
    t.string('subject', 64).notNullable();
    t.text('detail').nullable();
    t.string('created_at', 30).notNullable();
    t.index(['subject']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('audit_events');
}
