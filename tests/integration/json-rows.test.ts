import { column, commitWrites, JsonInsert, type Row } from '../../server/platform/json-rows';
import type { Db } from '../../server/platform/db';
import { createTestDb, type TestDb } from '../support/db';

/**
 * One statement, one parameter: the rows come back exactly, whatever their
 * text, on SQLite and PostgreSQL, whether sent statement by statement or
 * (commitWrites) on SQLite as one script with the rows written into it.
 */
let t: TestDb;

const insert = new JsonInsert({
  table: 'scratch_rows',
  columns: [column.text('k'), column.text('label'), column.integer('n'), column.double('x'), column.boolean('ok')],
});
const add = new JsonInsert({
  table: 'scratch_sums',
  columns: [column.text('a'), column.integer('b'), column.integer('n')],
  conflict: { key: ['a', 'b'], add: 'n' },
});
const note = new JsonInsert({
  table: 'scratch_notes',
  columns: [column.text('body')],
  lookup: { column: 'row_id', table: 'scratch_rows', key: 'k' },
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
  await t.db.schema.createTable('scratch_notes', (table) => {
    table.integer('row_id').notNullable().references('id').inTable('scratch_rows');
    table.text('body').notNullable();
  });
});
afterAll(() => t.drop());

const AWKWARD = [
  "it's", "''", 'say "hi"', 'back\\slash', 'line\nbreak\ttab', '櫃檯人員很親切', '😀 𠀋', '$.label', "$' $& $$ $`",
  'what?', '?::json', "'); drop table scratch_rows; --", "'); COMMIT; DELETE FROM scratch_rows; --",
];

type Stored = { id: number; k: string; label: string | null; n: number | null; x: number | null; ok: boolean | number | null };

/** The two ways of running an insert: alone, or as a transaction of its own (one script on SQLite). */
const ways: [string, (db: Db, i: JsonInsert, rows: Row[]) => Promise<void>][] = [
  ['one statement', (db, i, rows) => i.run(db, rows)],
  ['commitWrites', (db, i, rows) => commitWrites(db, [{ insert: i, rows }])],
];

describe.each(ways)('%s', (way, write) => {
  test('rows of any text are stored exactly as given', async () => {
    const rows = AWKWARD.map((label, i) => ({ k: `${way}${i}`, label, n: i - 3, x: i / 4, ok: i % 2 === 0 }));
    rows.push({ k: `${way}-nulls`, label: null as unknown as string, n: null as unknown as number, x: null as unknown as number, ok: null as unknown as boolean });
    await write(t.db, insert, rows);
    const stored = (await t.db('scratch_rows').where('k', 'like', `${way}%`)) as Stored[];
    const byKey = new Map(stored.map((r) => [r.k, r]));
    expect(stored).toHaveLength(rows.length);
    for (const row of rows) {
      const got = byKey.get(row.k) as Stored;
      expect(got.label).toBe(row.label);
      expect(got.n === null ? null : Number(got.n)).toBe(row.n);
      expect(got.x === null ? null : Number(got.x)).toBe(row.x);
      expect(got.ok === null ? null : Boolean(got.ok)).toBe(row.ok);
    }
  });

  test('on a clash the new count is added to the stored one; no rows, no statement', async () => {
    await write(t.db, add, [{ a: way, b: 1, n: 2 }, { a: `${way}y`, b: 1, n: 5 }]);
    await write(t.db, add, [{ a: way, b: 1, n: 3 }, { a: way, b: 2, n: 1 }]);
    await write(t.db, add, []);
    const rows = (await t.db('scratch_sums').where('a', 'like', `${way}%`).orderBy(['a', 'b'])).map((r: { a: string; b: number; n: number }) => [r.a, Number(r.b), Number(r.n)]);
    expect(rows).toEqual([[way, 1, 5], [way, 2, 1], [`${way}y`, 1, 5]]);
  });

  test('a failing statement stores nothing of its rows', async () => {
    await write(t.db, insert, [{ k: `${way}-once`, label: 'a' }]);
    await expect(write(t.db, insert, [{ k: `${way}-fresh`, label: 'a' }, { k: `${way}-once`, label: 'duplicate key' }])).rejects.toThrow();
    expect(await t.db('scratch_rows').where({ k: `${way}-fresh` })).toEqual([]);
  });
});

test('rows written together can name each other: a lookup finds the row by its key, and a row without a match is left out', async () => {
  await commitWrites(t.db, [
    { insert, rows: [{ k: 'parent-a', label: 'A' }, { k: 'parent-b', label: 'B' }] },
    { insert: note, rows: [{ k: 'parent-b', body: 'for b' }, { k: 'parent-a', body: "for a's" }, { k: 'nobody', body: 'lost' }] },
  ]);
  const notes = await t.db('scratch_notes').join('scratch_rows', 'scratch_rows.id', 'scratch_notes.row_id').orderBy('body').select('k', 'body');
  expect(notes).toEqual([{ k: 'parent-a', body: "for a's" }, { k: 'parent-b', body: 'for b' }]);
});

test('commitWrites is one transaction: when a later write fails, the earlier ones are undone, and the next commit works', async () => {
  await expect(
    commitWrites(t.db, [
      { insert: add, rows: [{ a: 'undone', b: 1, n: 1 }] },
      { insert, rows: [{ k: 'undone-1', label: 'x' }, { k: 'undone-1', label: 'same key twice' }] },
    ]),
  ).rejects.toThrow();
  expect(await t.db('scratch_sums').where({ a: 'undone' })).toEqual([]);
  expect(await t.db('scratch_rows').where({ k: 'undone-1' })).toEqual([]);
  await commitWrites(t.db, [{ insert: add, rows: [{ a: 'after', b: 1, n: 1 }] }]);
  expect((await t.db('scratch_sums').where({ a: 'after' })).map((r: { n: number | string }) => Number(r.n))).toEqual([1]);
});

test("the script form holds the rows as one string literal: no raw control character, every quote doubled", () => {
  const statement = insert.sqliteStatement([{ k: 'a', label: "x'y\u0000z\u001b" }]);
  expect([...statement].filter((c) => c.charCodeAt(0) < 0x20)).toEqual([]);
  expect(statement).toContain(`json_each('[{"k":"a","label":"x''y\\u0000z\\u001b"}]')`);
});

test('names are checked when the statement is built', () => {
  expect(() => new JsonInsert({ table: 'scratch_rows; drop', columns: [column.text('k')] })).toThrow('not a plain identifier');
  expect(() => new JsonInsert({ table: 'scratch_rows', columns: [column.text("k'")] })).toThrow('not a plain identifier');
  expect(() => new JsonInsert({ table: 'scratch_notes', columns: [column.text('body')], lookup: { column: 'row_id', table: 'x y', key: 'k' } })).toThrow('not a plain identifier');
});
