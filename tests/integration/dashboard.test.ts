import type { Unit } from '../../server/org/units-repo';
import { createTestApp, seedUnit, seedUser, signedIn, type Client, type TestApp } from '../support/app';
import { seedPhoneResults } from '../support/results-seed';
import { seedResponses, synthetic } from '../support/survey-seed';

/**
 * The dashboard through HTTP on a real database: its figures agree with an
 * independent count of the raw answers, unit heads see their own subtree,
 * bad filters are explained, weighting margins are entered and used.
 */
const now = new Date('2026-11-20T02:00:00Z');
let t: TestApp;
let agency: Unit;
let north: Unit;
let south: Unit;
let manager: Client;
let southHead: Client;
let channels: { north: number; south: number };

const months = (year: number, from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `${year}-${String(from + i).padStart(2, '0')}`);

beforeAll(async () => {
  t = await createTestApp({}, () => now);
  agency = await seedUnit(t, { parentId: null, code: 'A', nameZh: '甲區公所', nameEn: 'A District Office' });
  north = await seedUnit(t, { parentId: agency.id, code: 'A-N', nameZh: '北區服務台', nameEn: 'North desk' });
  south = await seedUnit(t, { parentId: agency.id, code: 'A-S', nameZh: '南區服務台', nameEn: 'South desk' });
  const db = t.testDb.db;
  const insert = async (unitId: number, code: string) =>
    (await db('channels').insert({ code, survey_key: 'citizen', unit_id: unitId, counter_name: '', mode: 'personal', codes_required: false, active: true, created_at: now.toISOString() }).returning('id'))[0].id as number;
  channels = { north: await insert(north.id, 'NORTH1'), south: await insert(south.id, 'SOUTH1') };
  const citizen = t.services.surveys.survey('citizen');
  const all = [...months(2025, 1, 12), ...months(2026, 1, 11)];
  await seedResponses(db, citizen, { id: channels.north, unitId: north.id }, synthetic(citizen, all, 12, 'north', { level: 0.8 }));
  await seedResponses(db, citizen, { id: channels.south, unitId: south.id }, synthetic(citizen, all, 12, 'south', { level: 0.45 }));
  manager = await signedIn(t.app, (await seedUser(t, 'manager', agency.id)).email);
  southHead = await signedIn(t.app, (await seedUser(t, 'unit_head', south.id)).email);
});
afterAll(() => t.close());

/** Satisfied (4 or 5) and valid (1–5) answers to the overall question, counted from the raw rows. */
async function rawOverall(unitIds: number[], from: string, to: string): Promise<{ satisfied: number; n: number }> {
  const rows = (await t.testDb
    .db('response_answers')
    .join('responses', 'responses.id', 'response_answers.response_id')
    .whereIn('responses.unit_id', unitIds)
    .andWhere('responses.counted', true)
    .andWhere('responses.month', '>=', from)
    .andWhere('responses.month', '<=', to)
    .andWhere('response_answers.question_key', 'overall')
    .select('response_answers.value')) as { value: string }[];
  const valid = rows.filter((r) => ['1', '2', '3', '4', '5'].includes(r.value));
  return { satisfied: valid.filter((r) => r.value === '4' || r.value === '5').length, n: valid.length };
}

function chart(html: string, id: string): { labels: string[]; series: { values: (number | null)[] }[]; lower?: (number | null)[]; upper?: (number | null)[] } {
  const m = new RegExp(`<script type="application/json" id="chart-${id}-data">([^<]*)</script>`).exec(html);
  if (!m?.[1]) throw new Error(`no ${id} chart`);
  return JSON.parse(m[1]) as ReturnType<typeof chart>;
}

const pct1 = (x: number) => (Math.round(x * 1000) / 10).toFixed(1);

describe('the citizen survey on the dashboard', () => {
  test('the headline share, n and margin of error agree with a count of the raw answers', async () => {
    const res = await manager.agent.get(`/dashboard?period=2026Q3&scope=${agency.id}&survey=citizen`);
    expect(res.status).toBe(200);
    const raw = await rawOverall([north.id, south.id], '2026-07', '2026-09');
    expect(raw.n).toBeGreaterThan(50);
    expect(res.text).toContain(`<strong>${pct1(raw.satisfied / raw.n)}%</strong>`);
    expect(res.text).toContain(`n = ${raw.n}<`);
    // Conservative margin: 1.959963984540054 × √(0.25 / n), in points with one decimal.
    const moe = 1.959963984540054 * Math.sqrt(0.25 / raw.n) * 100;
    expect(res.text).toContain(`在95%信心水準下，抽樣誤差為±${moe.toFixed(1)}個百分點。`);
    expect(res.text).toContain('115年第3季');
  });

  test('the monthly trend chart carries each month’s raw share; ROC labels; data table beside it', async () => {
    const res = await manager.agent.get(`/dashboard?period=2026&scope=${agency.id}`);
    const trend = chart(res.text, 'trend');
    expect(trend.labels).toHaveLength(12);
    expect(trend.labels[0]).toBe('115年1月');
    for (const [i, month] of months(2026, 1, 11).entries()) {
      const raw = await rawOverall([north.id, south.id], month, month);
      expect(trend.series[0]?.values[i]).toBeCloseTo((raw.satisfied / raw.n) * 100, 1);
      expect(trend.lower?.[i]).toBeLessThanOrEqual(trend.series[0]?.values[i] ?? NaN);
      expect(trend.upper?.[i]).toBeGreaterThanOrEqual(trend.series[0]?.values[i] ?? NaN);
    }
    // December has not happened yet: a gap, not a zero.
    expect(trend.series[0]?.values[11]).toBeNull();
    for (const id of ['dimensions', 'distribution', 'units']) expect(chart(res.text, id).labels.length).toBeGreaterThan(0);
    expect(res.text).toContain('<summary>數據表');
  });

  test('units compared: the more satisfied desk ranks first and is significantly above the rest', async () => {
    const res = await manager.agent.get(`/dashboard?period=2026&scope=${agency.id}`);
    const units = chart(res.text, 'units');
    expect(units.labels).toEqual(['北區服務台', '南區服務台']);
    const rawNorth = await rawOverall([north.id], '2026-01', '2026-12');
    expect(units.series[0]?.values[0]).toBeCloseTo((rawNorth.satisfied / rawNorth.n) * 100, 1);
    expect(res.text).toContain('顯著高於其他單位');
    expect(res.text).toContain('顯著低於其他單位');
  });

  test('a channel filter narrows the figures to that channel', async () => {
    const res = await manager.agent.get(`/dashboard?period=2026Q3&scope=${agency.id}&channel=${channels.south}`);
    const raw = await rawOverall([south.id], '2026-07', '2026-09');
    expect(res.text).toContain(`<strong>${pct1(raw.satisfied / raw.n)}%</strong>`);
    expect(chart(res.text, 'units').labels).toEqual(['南區服務台']);
  });

  test('English: the same figures, the English sentence and Western period labels', async () => {
    await manager.post('/lang', { lang: 'en', next: '/dashboard' });
    const res = await manager.agent.get(`/dashboard?period=2026Q3&scope=${agency.id}`);
    await manager.post('/lang', { lang: 'zh-TW', next: '/dashboard' });
    const raw = await rawOverall([north.id, south.id], '2026-07', '2026-09');
    const moe = 1.959963984540054 * Math.sqrt(0.25 / raw.n) * 100;
    expect(res.text).toContain(`At the 95% confidence level, the sampling error is ±${moe.toFixed(1)} percentage points.`);
    expect(res.text).toContain('2026 Q3');
  });
});

describe('phone tests on the dashboard', () => {
  beforeAll(async () => {
    const tester = await seedUser(t, 'tester', agency.id);
    const lost = (itemKey: string, points: number) => ({ itemKey, lost: points });
    await seedPhoneResults(t.testDb.db, agency.id, tester.id, [
      // 2025 Q3: north 80 → the same quarter a year earlier.
      { unitId: north.id, date: '2025-08-05', total: 80 },
      // 2026 Q3: north 90 and 70 (mean 80), south 60 and unreachable once.
      { unitId: north.id, date: '2026-07-06', total: 90, deductions: [lost('un.closing', 3)] },
      { unitId: north.id, date: '2026-08-06', total: 70, deductions: [lost('un.closing', 3), lost('un.surname', 3)] },
      { unitId: south.id, date: '2026-09-07', total: 60, deductions: [lost('un.surname', 3), lost('un.greeting', 3)] },
      { unitId: south.id, date: '2026-09-08', total: null },
    ]);
  });

  test('mean, bands, the share under the threshold, the change on last year, deductions and units', async () => {
    const res = await manager.agent.get(`/dashboard?period=2026Q3&scope=${agency.id}`);
    const phone = res.text.slice(res.text.indexOf('id="phone-title"'), res.text.indexOf('id="charts-title"'));
    // Scored: 90, 70, 60 → mean 73.3; the unreachable test is counted apart, never as 0.
    expect(phone).toContain('<strong>73.3</strong>');
    expect(phone).toContain('已評分 3 通，無法接通 1 通');
    // Under 80: 70 and 60.
    expect(phone).toMatch(/低於 80 分（需改善）<\/dt><dd>2 \(66\.7%/);
    expect(phone).toContain('優良 1、良好 0、普通 1、待改善 1');
    // (73.33 − 80) / 80 = −8.3 %.
    expect(phone).toContain('-8.3%（去年同期平均 80.0 分）');
    // Units: north mean 80 (2 tests), south 60 (1 scored, 1 unreachable).
    expect(phone).toMatch(/北區服務台<\/th><td>2<\/td><td>80\.0<\/td>/);
    expect(phone).toMatch(/南區服務台<\/th><td>1<\/td><td>60\.0<\/td><td>—<\/td><td>1<\/td><td>1<\/td>/);
    // Deductions: closing in 2 of 3 scored tests (66.7 %), surname 2 of 3, greeting 1 of 3.
    const deductions = chart(res.text, 'deductions');
    expect(deductions.series[0]?.values).toEqual([66.7, 66.7, 33.3]);
  });
});

describe('who sees what', () => {
  test('a unit head sees his own unit only, and asking for another is refused with an explanation', async () => {
    const own = await southHead.agent.get('/dashboard?period=2026');
    expect(own.status).toBe(200);
    expect(own.text).not.toContain('北區服務台');
    const raw = await rawOverall([south.id], '2026-01', '2026-12');
    expect(own.text).toContain(`n = ${raw.n}<`);
    const other = await southHead.agent.get(`/dashboard?period=2026&scope=${north.id}`);
    expect(other.status).toBe(422);
    expect(other.text).toContain('此範圍不存在或不在您的權限內');
    expect(other.text).not.toContain('北區服務台');
  });

  test('testers have no dashboard', async () => {
    const tester = await signedIn(t.app, (await seedUser(t, 'tester', agency.id)).email);
    expect((await tester.agent.get('/dashboard')).status).toBe(403);
  });
});

describe('bad filters', () => {
  test.each([
    ['period=2026Q5', '無法辨識此期間'],
    ['survey=nope', '沒有此問卷'],
    ['channel=999999', '此填答管道不屬於所選問卷'],
    ['scope=abc', '此範圍不存在'],
  ])('%s is explained, and the page still shows its defaults', async (query, message) => {
    const res = await manager.agent.get(`/dashboard?${query}`);
    expect(res.status).toBe(422);
    expect(res.text).toContain('error-summary');
    expect(res.text).toContain(message);
    expect(res.text).toContain('id="survey-title"');
  });

  test('a query string of any shape never gives a 500', async () => {
    for (const q of ['period[]=1', 'scope[a]=1', 'w=1&w=2', 'trend=%00', 'period=' + 'x'.repeat(5000)]) {
      const res = await manager.agent.get(`/dashboard?${q}`);
      expect([200, 422]).toContain(res.status);
    }
  });
});

describe('weighting', () => {
  test('margins: mistakes re-render with the answers kept; saved margins give weighted results beside unweighted', async () => {
    const bad = await manager.post('/dashboard/margins', { scope: String(agency.id), survey: 'citizen', m_sex_female: '500', m_sex_male: 'x', m_sex_other: '', source: '' });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('請輸入 0 以上的整數');
    expect(bad.text).toContain('請填寫資料來源');
    expect(bad.text).toContain('value="500"');
    expect(Number((await t.testDb.db('weighting_margins').count<{ n: number | string }[]>({ n: '*' }))[0]?.n)).toBe(0);

    const ok = await manager.post('/dashboard/margins', {
      scope: String(agency.id),
      survey: 'citizen',
      m_sex_female: '5200',
      m_sex_male: '4800',
      m_sex_other: '100',
      m_age_under30: '2500',
      m_age_age30_49: '3500',
      m_age_age50_64: '2500',
      m_age_age65_plus: '1800',
      source: '戶政統計 115年6月',
    });
    expect(ok.status).toBe(303);
    const res = await manager.agent.get(`/dashboard?period=2026&scope=${agency.id}&w=1`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('加權與未加權滿意度對照');
    expect(res.text).toMatch(/有效樣本數 \d+\.\d/);
    const stored = await t.testDb.db('weighting_margins').first();
    expect(JSON.parse(stored.margins)).toEqual({ sex: { female: 5200, male: 4800, other: 100 }, age: { under30: 2500, age30_49: 3500, age50_64: 2500, age65_plus: 1800 } });
  });

  test('a unit head cannot enter margins', async () => {
    expect((await southHead.post('/dashboard/margins', { scope: String(south.id), survey: 'citizen', source: 'x' })).status).toBe(403);
  });
});
