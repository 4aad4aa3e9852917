import { DemoRefused, seedDemo } from '../../server/demo/demo';
import { createTestApp, seedUnit, signedIn, type TestApp } from '../support/app';

/**
 * The demo agency, at a smaller size than `npm run demo` makes (4 months,
 * fewer answers), through the product's own services: what it leaves is
 * consistent, the dashboard has content, and a database with data is refused.
 */
let t: TestApp;
let current = new Date('2026-11-25T02:00:00Z');
let password = '';
const lines: string[] = [];

beforeAll(async () => {
  t = await createTestApp({}, () => current);
  ({ password } = await seedDemo(t.services, (d) => (current = d), new Date('2026-11-25T02:00:00Z'), (l) => lines.push(l), { months: 4, answersPerMonth: 12 }));
  current = new Date('2026-11-25T02:00:00Z');
}, 120_000);
afterAll(() => t.close());

test('an agency with a switchboard and units, testers, unit heads and a manager', async () => {
  const db = t.testDb.db;
  const count = async (table: string, where: Record<string, unknown> = {}) => Number((await db(table).where(where).count<{ n: number | string }[]>({ n: '*' }))[0]?.n);
  expect(await count('units', { type: 'agency' })).toBe(1);
  expect(await count('units', { type: 'switchboard' })).toBe(1);
  expect(await count('units', { type: 'unit' })).toBe(19);
  expect(await count('users', { role: 'tester' })).toBe(8);
  expect(await count('users', { role: 'manager' })).toBe(1);
  expect(lines[0]).toContain('20 units');
});

test('four months of published plans, every assignment scored, every case reported, accepted and closed by its re-test', async () => {
  const db = t.testDb.db;
  const plans = await db('plans').orderBy('month');
  expect(plans.map((p: { month: string; status: string }) => `${p.month} ${p.status}`)).toEqual(['2026-07 published', '2026-08 published', '2026-09 published', '2026-10 published']);
  const assignments = Number((await db('assignments').count<{ n: number }[]>({ n: '*' }))[0]?.n);
  expect(assignments).toBeGreaterThanOrEqual(80);
  expect(Number((await db('results').count<{ n: number }[]>({ n: '*' }))[0]?.n)).toBe(assignments);
  const cases = (await db('cases')) as { status: string; retest_result_id: number | null; cause: string | null }[];
  expect(cases.length).toBeGreaterThan(0);
  // A case opened in the last month waits for next month's re-test; every earlier one is closed by its re-test.
  for (const c of cases) {
    expect(c.cause).not.toBeNull();
    expect(['accepted', 'closed']).toContain(c.status);
    if (c.status === 'closed') expect(c.retest_result_id).not.toBeNull();
  }
  // Totals and bands are the scoring sheet's own: a band always matches its total.
  const revisions = (await db('result_revisions')) as { total_tenths: number; band: string }[];
  for (const r of revisions) expect(r.band).toBe(r.total_tenths >= 900 ? 'excellent' : r.total_tenths >= 800 ? 'good' : r.total_tenths >= 700 ? 'fair' : 'poor');
});

test('citizen and staff answers with their aggregates; the dashboard draws from them', async () => {
  const db = t.testDb.db;
  const responses = Number((await db('responses').count<{ n: number }[]>({ n: '*' }))[0]?.n);
  expect(responses).toBeGreaterThan(19 * 4 * 8);
  const manager = await signedIn(t.app, 'manager@demo.example.gov.tw', password);
  const res = await manager.agent.get('/dashboard?period=2026Q3');
  expect(res.status).toBe(200);
  for (const id of ['trend', 'dimensions', 'distribution', 'units', 'phone', 'deductions']) expect(res.text).toContain(`id="chart-${id}-data"`);
  const staff = await manager.agent.get('/dashboard?period=2026&survey=staff');
  expect(staff.status).toBe(200);
  expect(staff.text).toContain('id="chart-units-data"');
});

test('a database that already holds data is refused, and left as it was', async () => {
  const before = Number((await t.testDb.db('units').count<{ n: number }[]>({ n: '*' }))[0]?.n);
  await expect(seedDemo(t.services, () => undefined, new Date(), () => undefined)).rejects.toBeInstanceOf(DemoRefused);
  expect(Number((await t.testDb.db('units').count<{ n: number }[]>({ n: '*' }))[0]?.n)).toBe(before);
  // Even one unit is data.
  const other = await createTestApp();
  try {
    await seedUnit(other, { parentId: null, code: 'REAL' });
    await expect(seedDemo(other.services, () => undefined, new Date(), () => undefined)).rejects.toThrow('only fills an empty database');
  } finally {
    await other.close();
  }
});
