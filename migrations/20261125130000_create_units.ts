import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('units', (t) => {
    t.increments('id');
    t.integer('parent_id').nullable().references('id').inTable('units');
    // Materialised path of ids ("/1/5/"): a subtree is every path with this prefix.
    t.string('path', 1000).notNullable();
    t.string('code', 64).notNullable().unique();
    t.string('type', 16).notNullable();
    t.string('name_zh', 200).notNullable();
    t.string('name_en', 200).notNullable();
    t.string('phone_e164', 20).nullable();
    t.string('phone_ext', 10).nullable();
    t.boolean('active').notNullable().defaultTo(true);
    t.string('created_at', 30).notNullable();
    t.string('updated_at', 30).notNullable();
    t.index(['path']);
    t.index(['parent_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('units');
}
