import type { Knex } from 'knex';

/**
 * On SQLite, response_answers becomes a WITHOUT ROWID table: its rows are
 * stored in the order of its primary key (response_id, question_key), so a
 * response's answers are read from one place instead of through an index and
 * then the table. Same columns, primary key and foreign key. PostgreSQL has no
 * such thing and is left as it is.
 */
const columns = `
  response_id integer not null references responses (id),
  question_key varchar(64) not null,
  value varchar(64) null,
  text text null,
  primary key (response_id, question_key)`;

function isPostgres(knex: Knex): boolean {
  return knex.client.config.client === 'pg';
}

async function rebuild(knex: Knex, options: string): Promise<void> {
  await knex.transaction(async (trx) => {
    await trx.raw(`create table response_answers_rebuilt (${columns}\n)${options}`);
    await trx.raw('insert into response_answers_rebuilt (response_id, question_key, value, text) select response_id, question_key, value, text from response_answers order by response_id, question_key');
    await trx.raw('drop table response_answers');
    await trx.raw('alter table response_answers_rebuilt rename to response_answers');
  });
}

export async function up(knex: Knex): Promise<void> {
  if (isPostgres(knex)) return;
  await rebuild(knex, ' without rowid');
}

export async function down(knex: Knex): Promise<void> {
  if (isPostgres(knex)) return;
  await rebuild(knex, '');
}
