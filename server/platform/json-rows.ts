import { isPostgres, sqliteScript, type Db } from './db';

/** A column of a JSON-rows insert, with its PostgreSQL type (json_to_recordset needs one). */
export interface JsonColumn {
  name: string;
  pg: 'text' | 'integer' | 'boolean' | 'double precision';
}

/** Column constructors, one per PostgreSQL type used. */
export const column = {
  text: (name: string): JsonColumn => ({ name, pg: 'text' }),
  integer: (name: string): JsonColumn => ({ name, pg: 'integer' }),
  boolean: (name: string): JsonColumn => ({ name, pg: 'boolean' }),
  double: (name: string): JsonColumn => ({ name, pg: 'double precision' }),
};

export interface JsonInsertSpec {
  table: string;
  columns: readonly JsonColumn[];
  /** On a clash with this key, add the new row's `add` column to the stored one. */
  conflict?: { key: readonly string[]; add: string };
  /**
   * A column filled from another table: `column` takes the id of the row of
   * `table` whose `key` equals the row's `key` field (rows without a match are
   * not inserted). Rows written in the same transaction can be referred to
   * this way without reading their ids back first.
   */
  lookup?: { column: string; table: string; key: string };
}

export type Row = Readonly<Record<string, unknown>>;

/** Rows for one JSON-rows insert, to run later with others (runWrites, commitWrites). */
export interface JsonWrite {
  insert: JsonInsert;
  rows: readonly Row[];
}

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

/**
 * Inserts many rows in one statement with one parameter: the rows as a JSON
 * array, unpacked by the database (SQLite's json_each, PostgreSQL's
 * json_to_recordset). The statement's text is the same for any number of
 * rows, and nothing is bound per value: for the citizen's submissions, where
 * a batch of answers is hundreds of values, this is several times cheaper
 * than a multi-row VALUES built by the query builder, and it has no row limit
 * (SQLite allows at most 500 rows in knex's compound insert).
 */
export class JsonInsert {
  /** The SQLite statement, before and after its one parameter. */
  private readonly sqlite: readonly [string, string];
  private readonly pg: string;

  constructor(spec: JsonInsertSpec) {
    const { table, columns, conflict, lookup } = spec;
    const names = [table, ...columns.map((c) => c.name), ...(conflict?.key ?? []), ...(lookup ? [lookup.column, lookup.table, lookup.key] : [])];
    // The statement is built from the spec, never from input: a bad name is a programming error.
    for (const name of names) if (!IDENTIFIER.test(name)) throw new Error(`not a plain identifier: ${name}`);
    const list = [...columns.map((c) => c.name), ...(lookup ? [lookup.column] : [])].join(', ');
    const upsert = conflict ? ` ON CONFLICT (${conflict.key.join(', ')}) DO UPDATE SET ${conflict.add} = ${table}.${conflict.add} + excluded.${conflict.add}` : '';
    const found = lookup ? ', l.id' : '';
    // SQLite needs the WHERE to tell an upsert's ON from a join's.
    const sqliteJoin = lookup ? ` JOIN ${lookup.table} AS l ON l.${lookup.key} = j.value ->> '$.${lookup.key}'` : '';
    this.sqlite = [`INSERT INTO ${table} (${list}) SELECT ${columns.map((c) => `j.value ->> '$.${c.name}'`).join(', ')}${found} FROM json_each(`, `) AS j${sqliteJoin} WHERE true${upsert}`];
    const pgColumns = [...columns, ...(lookup && !columns.some((c) => c.name === lookup.key) ? [column.text(lookup.key)] : [])];
    const pgJoin = lookup ? ` JOIN ${lookup.table} AS l ON l.${lookup.key} = x.${lookup.key}` : '';
    this.pg = `INSERT INTO ${table} (${list}) SELECT ${columns.map((c) => `x.${c.name}`).join(', ')}${found} FROM json_to_recordset(?::json) AS x(${pgColumns.map((c) => `${c.name} ${c.pg}`).join(', ')})${pgJoin}${upsert}`;
  }

  /** Inserts the rows (none: no statement). */
  async run(db: Db, rows: readonly Row[]): Promise<void> {
    if (rows.length === 0) return;
    await db.raw(isPostgres(db) ? this.pg : this.sqlite.join('?'), [JSON.stringify(rows)]);
  }

  /**
   * The SQLite statement with the rows written into it as a string literal,
   * for a script run in one call (commitWrites). JSON.stringify escapes every
   * control character (NUL included) and lone surrogate, and doubling the
   * quote is the only escape a SQLite string literal has, so the rows can
   * only ever be read as one string.
   */
  sqliteStatement(rows: readonly Row[]): string {
    return `${this.sqlite[0]}'${JSON.stringify(rows).replaceAll("'", "''")}'${this.sqlite[1]}`;
  }
}

/** Runs the writes in turn, in the caller's transaction. */
export async function runWrites(db: Db, writes: readonly JsonWrite[]): Promise<void> {
  for (const w of writes) await w.insert.run(db, w.rows);
}

/**
 * Runs the writes in one transaction of their own. On SQLite they go to the
 * driver as one script: each statement sent separately costs two trips to
 * the driver's thread and back, which under load wait for the busy main
 * thread, and those waits, not the database, were most of a write's time.
 */
export async function commitWrites(db: Db, writes: readonly JsonWrite[]): Promise<void> {
  const pending = writes.filter((w) => w.rows.length > 0);
  if (pending.length === 0) return;
  if (isPostgres(db)) {
    await db.transaction((trx) => runWrites(trx, pending));
    return;
  }
  await sqliteScript(db, ['BEGIN', ...pending.map((w) => w.insert.sqliteStatement(w.rows)), 'COMMIT;'].join(';\n'));
}
