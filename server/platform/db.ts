import fs from 'node:fs';
import path from 'node:path';
import knex, { type Knex } from 'knex';

export type Db = Knex;

export interface DbOptions {
  /** PostgreSQL connection string; SQLite under dataDir when absent. */
  databaseUrl?: string | undefined;
  dataDir: string;
  /** SQLite file name inside dataDir. */
  sqliteFile?: string;
}

/**
 * Opens the database: PostgreSQL when a URL is given, otherwise an SQLite file
 * in WAL mode with foreign keys enforced and a busy timeout, so that a second
 * process (a CLI script next to the server) waits instead of failing.
 */
export function openDb(options: DbOptions): Db {
  if (options.databaseUrl) {
    return knex({ client: 'pg', connection: options.databaseUrl, pool: { min: 0, max: 10 }, compileSqlOnError: false });
  }
  fs.mkdirSync(options.dataDir, { recursive: true });
  return knex({
    client: 'sqlite3',
    connection: { filename: path.join(options.dataDir, options.sqliteFile ?? 'app.sqlite3') },
    useNullAsDefault: true,
    // A failed statement's error names it with its placeholders, not with the values (e-mail addresses, answers) written in.
    compileSqlOnError: false,
    pool: {
      min: 1,
      max: 1,
      afterCreate(conn: SqliteConnection, done: (err: Error | null, conn: SqliteConnection) => void) {
        conn.exec('PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;', (err) =>
          done(err, conn),
        );
      },
    },
  });
}

interface SqliteConnection {
  exec(sql: string, cb: (err: Error | null) => void): void;
}

/**
 * Runs a script of SQLite statements (a transaction, BEGIN to COMMIT) in one
 * call to the driver, on the pool's one connection. The driver stops at a
 * failing statement, inside the transaction: that is rolled back before the
 * connection goes back to the pool, so nothing of the script stays.
 */
export async function sqliteScript(db: Db, script: string): Promise<void> {
  const conn = (await db.client.acquireConnection()) as SqliteConnection;
  const exec = (sql: string) => new Promise<void>((resolve, reject) => conn.exec(sql, (err) => (err ? reject(err) : resolve())));
  try {
    await exec(script);
  } catch (err) {
    // Fails by itself when the error came before BEGIN or ended the transaction already.
    await exec('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    await db.client.releaseConnection(conn);
  }
}

export function isPostgres(db: Db): boolean {
  return db.client.config.client === 'pg';
}

/** A database round trip, for health checks. */
export async function ping(db: Db): Promise<void> {
  await db.raw('select 1 as ok');
}

/** SELECT … FOR UPDATE on PostgreSQL; SQLite has a single writer and needs no row lock. */
export function forUpdate<Q extends Knex.QueryBuilder>(db: Db, query: Q): Q {
  return isPostgres(db) ? (query.forUpdate() as Q) : query;
}
