import fs from 'node:fs';
import path from 'node:path';
import { createTestApp, seedUnit, seedUser, signedIn, type Client, type TestApp } from '../support/app';

const fixture = (year: number) => fs.readFileSync(path.resolve(__dirname, `../../../shared/fixtures/calendar/${year}.csv`), 'utf8');

let t: TestApp;
let admin: Client;
beforeAll(async () => {
  t = await createTestApp();
  const agency = await seedUnit(t, { parentId: null });
  admin = await signedIn(t.app, (await seedUser(t, 'admin', agency.id)).email);
});
afterAll(() => t.close());

const upload = (csv: string) =>
  admin.agent.post('/calendar/import').field('_csrf', admin.csrf).attach('file', Buffer.from(csv, 'utf8'), { filename: 'calendar.csv', contentType: 'text/csv' });

test('the official 2023 file imports; its make-up Saturdays count and its holidays do not', async () => {
  const res = await upload(fixture(2023));
  expect(res.status).toBe(303);
  expect((await admin.agent.get('/calendar')).text).toContain('已匯入 2023 年辦公日曆：249 個上班日');
  const jan = await t.services.calendar.month('2023-01');
  expect(jan.source).toBe('official');
  expect(jan.workingDays).toContain('2023-01-07'); // 補行上班
  expect(jan.workingDays).not.toContain('2023-01-23'); // Lunar New Year
  expect(jan.workingDays).toHaveLength(16);
});

test('a bad file names its line and imports nothing; a corrected file for the same year replaces it', async () => {
  const lines = fixture(2024).split(/\r?\n/);
  lines[5] = lines[5]?.replace(/,0,|,2,/, ',1,') ?? '';
  lines[9] = '2024013x,三,0,';
  const res = await upload(lines.join('\n'));
  expect(res.status).toBe(422);
  expect(res.text).toContain('第 6 行');
  expect(res.text).toContain('是否放假欄必須是 0 或 2');
  expect(res.text).toContain('第 10 行');
  expect(await t.testDb.db('calendar_days').where({ year: 2024 }).first()).toBeUndefined();

  expect((await upload(fixture(2024))).status).toBe(303);
  const edited = fixture(2024).replace('20241231,二,0,', '20241231,二,2,假想的放假日');
  expect((await upload(edited)).status).toBe(303);
  expect(Number((await t.testDb.db('calendar_days').where({ year: 2024 }).count({ n: '*' }).first())?.n)).toBe(366);
  expect((await t.services.calendar.month('2024-12')).workingDays).not.toContain('2024-12-31');
  expect((await admin.agent.get('/calendar')).text).toContain('已以新檔案取代 2024 年辦公日曆');
});

test('a file missing a day, or with a day whose weekday is wrong, is refused', async () => {
  const missing = fixture(2025)
    .split(/\r?\n/)
    .filter((l) => !l.startsWith('20250704'))
    .join('\n');
  const res = await upload(missing);
  expect(res.status).toBe(422);
  expect(res.text).toContain('缺少 2025-07-04 這一天');
  const shifted = fixture(2025).replace('20250704,五,', '20250704,四,');
  expect((await upload(shifted)).text).toContain('2025-07-04 的星期欄是「四」');
});

test('a year without an official file falls back to weekends and national holidays, and says so', async () => {
  const month = await t.services.calendar.month('2027-02');
  expect(month.source).toBe('fallback');
  expect(month.workingDays).not.toContain('2027-02-06'); // a Saturday
  expect(month.workingDays.every((d) => ![0, 6].includes(new Date(`${d}T00:00:00Z`).getUTCDay()))).toBe(true);
  expect((await admin.agent.get('/calendar')).text).toContain('2027 年暫以週末與國定假日推算');
});

test('only administrators import calendars', async () => {
  const agency = await seedUnit(t, { parentId: null });
  const manager = await signedIn(t.app, (await seedUser(t, 'manager', agency.id)).email);
  expect((await manager.agent.get('/calendar')).status).toBe(403);
  const res = await manager.agent.post('/calendar/import').field('_csrf', manager.csrf).attach('file', Buffer.from(fixture(2026)), 'c.csv');
  expect(res.status).toBe(403);
  expect(await t.testDb.db('calendar_years').where({ year: 2026 }).first()).toBeUndefined();
});
