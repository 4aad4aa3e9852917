import { isPostgres, type Db } from './db';

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

export interface JsonInsert {
  table: string;
  columns: readonly JsonColumn[];
  /** On a clash with this key, add the new row's `add` column to the stored one. */
  conflict?: { key: readonly string[]; add: string };
  returning?: readonly string[];
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
export function jsonInsert(spec: JsonInsert): (db: Db, rows: readonly Record<string, unknown>[]) => Promise<Record<string, unknown>[]> {
  const names = [spec.table, ...spec.columns.map((c) => c.name), ...(spec.conflict?.key ?? []), ...(spec.returning ?? [])];
  // The statement is built from the spec, never from input: a bad name is a programming error.
  for (const name of names) if (!IDENTIFIER.test(name)) throw new Error(`not a plain identifier: ${name}`);
  const list = spec.columns.map((c) => c.name).join(', ');
  const tail = [
    spec.conflict ? ` ON CONFLICT (${spec.conflict.key.join(', ')}) DO UPDATE SET ${spec.conflict.add} = ${spec.table}.${spec.conflict.add} + excluded.${spec.conflict.add}` : '',
    spec.returning ? ` RETURNING ${spec.returning.join(', ')}` : '',
  ].join('');
  // SQLite needs the WHERE to tell an upsert's ON from a join's.
  const sqlite = `INSERT INTO ${spec.table} (${list}) SELECT ${spec.columns.map((c) => `value ->> '$.${c.name}'`).join(', ')} FROM json_each(?) WHERE true${tail}`;
  const pg = `INSERT INTO ${spec.table} (${list}) SELECT ${list} FROM json_to_recordset(?::json) AS x(${spec.columns.map((c) => `${c.name} ${c.pg}`).join(', ')})${tail}`;
  return async (db, rows) => {
    if (rows.length === 0) return [];
    const postgres = isPostgres(db);
    const result: unknown = await db.raw(postgres ? pg : sqlite, [JSON.stringify(rows)]);
    // knex.raw answers with the driver's own shape: pg a result with rows, sqlite3 the rows.
    const out = postgres ? (result as { rows: Record<string, unknown>[] }).rows : (result as Record<string, unknown>[]);
    return out ?? [];
  };
}
