import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('users', (t) => {
    t.increments('id');
    t.string('email', 254).notNullable().unique();
    t.string('name', 200).notNullable();
    t.string('role', 16).notNullable();
    t.integer('unit_id').notNullable().references('id').inTable('units');
    t.string('phone_e164', 20).nullable();
    t.string('phone_ext', 10).nullable();
    t.string('password_hash', 255).nullable();
    t.string('locale', 8).notNullable().defaultTo('zh-TW');
    t.boolean('active').notNullable().defaultTo(true);
    t.string('created_at', 30).notNullable();
    t.string('updated_at', 30).notNullable();
    t.index(['unit_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('users');
}
