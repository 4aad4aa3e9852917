import type { Knex } from 'knex';

/**
 * Nothing reads responses by source_hash: the limits on one source are kept in
 * memory (surveys/service.ts), and the hash stays with the response only as a
 * record. Its index cost every stored response a write and is dropped.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('responses', (t) => {
    t.dropIndex(['source_hash', 'submitted_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('responses', (t) => {
    t.index(['source_hash', 'submitted_at']);
  });
}
