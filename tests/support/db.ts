import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import knex from 'knex';
import { openDb, type Db } from '../../server/platform/db';
import { migrateLatest } from '../../server/platform/migrations';

export interface TestDb {
  db: Db;
  kind: 'sqlite' | 'pg';
  /** What DATABASE_URL / DATA_DIR a server process would need to open the same database. */
  databaseUrl: string | undefined;
  dataDir: string;
  drop(): Promise<void>;
}

/**
 * A fresh, empty database for one test file: an SQLite file in a temporary
 * folder, or (integration-pg) a scratch database on the PostgreSQL server of
 * TEST_DATABASE_URL, dropped afterwards.
 */
export async function createTestDb(options: { migrate?: boolean } = {}): Promise<TestDb> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'courtesy-test-'));
  let result: TestDb;
  if (process.env.TEST_DB_KIND === 'pg') {
    const adminUrl = process.env.TEST_DATABASE_URL;
    if (!adminUrl) throw new Error('TEST_DATABASE_URL is not set');
    const name = `t_${Date.now()}_${crypto.randomBytes(4).toString('hex')}`;
    const admin = knex({ client: 'pg', connection: adminUrl });
    await admin.raw(`create database ${name}`);
    await admin.destroy();
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    const db = openDb({ databaseUrl: url.toString(), dataDir });
    result = {
      db,
      kind: 'pg',
      databaseUrl: url.toString(),
      dataDir,
      async drop() {
        await db.destroy();
        const again = knex({ client: 'pg', connection: adminUrl });
        await again.raw(`drop database if exists ${name} with (force)`);
        await again.destroy();
        fs.rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } else {
    const db = openDb({ dataDir });
    result = {
      db,
      kind: 'sqlite',
      databaseUrl: undefined,
      dataDir,
      async drop() {
        await db.destroy();
        fs.rmSync(dataDir, { recursive: true, force: true });
      },
    };
  }
  if (options.migrate !== false) await migrateLatest(result.db);
  return result;
}
