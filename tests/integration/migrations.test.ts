import { migrationConfig } from '../../server/platform/migrations';
import { createTestDb, type TestDb } from '../support/db';

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb({ migrate: false });
});
afterAll(() => t.drop());

async function tables(): Promise<string[]> {
  const rows: { name: string }[] =
    t.kind === 'pg'
      ? (await t.db.raw("select tablename as name from pg_tables where schemaname = 'public'")).rows
      : await t.db.raw("select name from sqlite_master where type = 'table' and name not like 'sqlite_%'");
  return rows.map((r) => r.name).filter((n) => !n.startsWith('knex_')).sort();
}

test('every migration runs up, down and up again', async () => {
  const config = migrationConfig();
  const [, pending] = (await t.db.migrate.list(config)) as [unknown[], unknown[]];
  expect(pending.length).toBeGreaterThan(0);

  await t.db.migrate.latest(config);
  const afterUp = await tables();
  expect(afterUp).toEqual(expect.arrayContaining(['units', 'users', 'sessions', 'one_time_tokens', 'rate_limits', 'settings', 'audit_events']));

  // Down one at a time, so every down() runs against the schema its up() made.
  while ((await t.db.migrate.currentVersion(config)) !== 'none') await t.db.migrate.down(config);
  expect(await tables()).toEqual([]);

  await t.db.migrate.latest(config);
  expect(await tables()).toEqual(afterUp);
});

test('migration files are named YYYYMMDDHHMMSS_what_changes and sort in the order they were written', async () => {
  const source = migrationConfig().migrationSource;
  if (!source) throw new Error('no migration source');
  const names = await source.getMigrations([]);
  for (const name of names as string[]) expect(name).toMatch(/^\d{14}_[a-z0-9_]+$/);
  expect([...(names as string[])].sort()).toEqual(names);
});
