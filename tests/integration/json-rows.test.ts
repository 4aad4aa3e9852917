import { column, jsonInsert } from '../../server/platform/json-rows';
import { createTestDb, type TestDb } from '../support/db';

/** One statement, one parameter: the rows come back exactly, whatever their text, on SQLite and PostgreSQL. */
let t: TestDb;

const insert = jsonInsert({
  table: 'scratch_rows',
  columns: [column.text('k'), column.text('label'), column.integer('n'), column.double('x'), column.boolean('ok')],
  returning: ['id', 'k'],
});
const add = jsonInsert({
  table: 'scratch_sums',
  columns: [column.text('a'), column.integer('b'), column.integer('n')],
  conflict: { key: ['a', 'b'], add: 'n' },
});

beforeAll(async () => {
  t = await createTestDb();
  await t.db.schema.createTable('scratch_rows', (table) => {
    table.increments('id');
    table.string('k', 20).notNullable().unique();
    table.text('label').nullable();
    table.integer('n').nullable();
    table.double('x').nullable();
    table.boolean('ok').nullable();
  });
  await t.db.schema.createTable('scratch_sums', (table) => {
    table.string('a', 20).notNullable();
    table.integer('b').notNullable();
    table.integer('n').notNullable();
    table.primary(['a', 'b']);
  });
});
afterAll(() => t.drop());

const AWKWARD = ["it's", 'say "hi"', 'back\\slash', 'line\nbreak\ttab', '櫃檯人員很親切', '😀 𠀋', '$.label', 'what?', '?::json', "'); drop table scratch_rows; --"];

test('rows of any text are stored as given, and RETURNING names each one', async () => {
  const rows = AWKWARD.map((label, i) => ({ k: `k${i}`, label, n: i - 3, x: i / 4, ok: i % 2 === 0 }));
  rows.push({ k: 'nulls', label: null as unknown as string, n: null as unknown as number, x: null as unknown as number, ok: null as unknown as boolean });
  const returned = await insert(t.db, rows);
  expect(returned.map((r) => r.k).sort()).toEqual(rows.map((r) => r.k).sort());
  const stored = await t.db('scratch_rows').orderBy('k');
  type Stored = { id: number; k: string; label: string | null; n: number | null; x: number | null; ok: boolean | number | null };
  const byKey = new Map(stored.map((r: Stored) => [r.k, r]));
  for (const r of returned) expect(Number(byKey.get(r.k as string)?.id)).toBe(Number(r.id));
  for (const row of rows) {
    const got = byKey.get(row.k) as Stored;
    expect(got.label).toBe(row.label);
    expect(got.n === null ? null : Number(got.n)).toBe(row.n);
    expect(got.x === null ? null : Number(got.x)).toBe(row.x);
    expect(got.ok === null ? null : Boolean(got.ok)).toBe(row.ok);
  }
  expect(await t.db('scratch_rows').count<{ n: number | string }[]>({ n: '*' })).toEqual([{ n: t.db.client.config.client === 'pg' ? '11' : 11 }]);
});

test('on a clash the new count is added to the stored one; no rows, no statement', async () => {
  await add(t.db, [{ a: 'x', b: 1, n: 2 }, { a: 'y', b: 1, n: 5 }]);
  await add(t.db, [{ a: 'x', b: 1, n: 3 }, { a: 'x', b: 2, n: 1 }]);
  expect(await add(t.db, [])).toEqual([]);
  const rows = (await t.db('scratch_sums').orderBy(['a', 'b'])).map((r: { a: string; b: number; n: number }) => [r.a, Number(r.b), Number(r.n)]);
  expect(rows).toEqual([['x', 1, 5], ['x', 2, 1], ['y', 1, 5]]);
});

test('a failing statement stores nothing of its rows', async () => {
  await expect(insert(t.db, [{ k: 'fresh', label: 'a' }, { k: 'k0', label: 'duplicate key' }])).rejects.toThrow();
  expect(await t.db('scratch_rows').where({ k: 'fresh' })).toEqual([]);
});

test('names are checked when the statement is built', () => {
  expect(() => jsonInsert({ table: 'scratch_rows; drop', columns: [column.text('k')] })).toThrow('not a plain identifier');
  expect(() => jsonInsert({ table: 'scratch_rows', columns: [column.text("k'")] })).toThrow('not a plain identifier');
});
