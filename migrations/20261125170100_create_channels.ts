import type { Knex } from 'knex';

/** Where a survey is answered: a survey at a unit (and counter), by personal phone, kiosk or staff link. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('channels', (t) => {
    t.increments('id');
    t.string('code', 16).notNullable().unique();
    t.string('survey_key', 64).notNullable();
    t.integer('unit_id').notNullable().references('id').inTable('units');
    t.string('counter_name', 100).notNullable().defaultTo('');
    t.string('mode', 16).notNullable();
    t.string('kiosk_key', 64).nullable();
    // Staff channels: answers need a single-use code handed out on paper or by e-mail.
    t.boolean('codes_required').notNullable().defaultTo(false);
    t.boolean('active').notNullable().defaultTo(true);
    t.integer('created_by').nullable().references('id').inTable('users');
    t.string('created_at', 30).notNullable();
    t.index(['unit_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('channels');
}
