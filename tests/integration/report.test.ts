import { seedDemo } from '../../server/demo/demo';
import type { CurrentUser } from '../../server/auth/current-user';
import { UnitsRepo, type Unit } from '../../server/org/units-repo';
import { createTestApp, signedIn, type Client, type TestApp } from '../support/app';
import { seedResponses } from '../support/survey-seed';

/**
 * The service-quality report over the demo agency (4 months, 2026-07 to
 * 2026-10, a small number of answers): its sections and figures are the
 * dashboard's own, a unit head sees only the own subtree, and a period that is
 * not a quarter, half-year or year is refused with 422 and the filters kept.
 */
let t: TestApp;
let current = new Date('2026-11-25T02:00:00Z');
let password = '';
let agency: Unit;
let hhr: Unit;
let soc: Unit;
let manager: Client;

const textOf = (html: string) =>
  html
    .replace(/<script[\s\S]*?<\/script>/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');

beforeAll(async () => {
  t = await createTestApp({}, () => current);
  ({ password } = await seedDemo(t.services, (d) => (current = d), new Date('2026-11-25T02:00:00Z'), () => undefined, { months: 4, answersPerMonth: 12 }));
  current = new Date('2026-11-25T02:00:00Z');
  const units = new UnitsRepo(t.testDb.db);
  [agency, hhr, soc] = (await units.findByCodes(['DEMO', 'DEMO-HHR', 'DEMO-SOC'])).sort((a, b) => ['DEMO', 'DEMO-HHR', 'DEMO-SOC'].indexOf(a.code) - ['DEMO', 'DEMO-HHR', 'DEMO-SOC'].indexOf(b.code)) as [Unit, Unit, Unit];
  manager = await signedIn(t.app, 'manager@demo.example.gov.tw', password);
}, 180_000);
afterAll(() => t.close());

async function userOf(email: string): Promise<CurrentUser> {
  const row = await t.testDb.db('users').where({ email }).first<{ id: number }>();
  const user = await t.services.auth.currentUser(row.id);
  if (!user) throw new Error(email);
  return user;
}

test('the quarterly report of the agency: cover in ROC dates, every section, and the dashboard\'s figures', async () => {
  const res = await manager.agent.get(`/report?scope=${agency.id}&period=2026Q3`);
  expect(res.status).toBe(200);
  const text = textOf(res.text);
  // Cover: agency, scope, period in ROC dates.
  expect(text).toContain('臺北市示範區公所 提升服務品質成果報告');
  expect(text).toContain('115年第3季：民國115年7月1日至民國115年9月30日');
  for (const heading of ['壹、調查設計與抽樣設計', '貳、調查結果與趨勢分析', '參、填答管道檢查', '肆、電話禮貌測試', '伍、改善案件及複測結果', '陸、檢討改善', '柒、計算方式']) expect(text).toContain(heading);

  // The citizen survey's headline, margin and α are the dashboard's for the same scope and period.
  const view = await t.services.dashboard.view(await userOf('manager@demo.example.gov.tw'), { period: '2026Q3', scope: String(agency.id), trend: 'quarter' });
  const s = view.survey;
  if (!s.headline?.share || !s.margin) throw new Error('the demo quarter has citizen answers');
  expect(text).toContain(`${(Math.round(s.headline.share.p * 1000) / 10).toFixed(1)}% （95% 信賴區間 ${(Math.round(s.headline.share.lower * 1000) / 10).toFixed(1)}%–${(Math.round(s.headline.share.upper * 1000) / 10).toFixed(1)}%） · n = ${s.headline.n}`);
  expect(text).toContain(`在95%信心水準下，抽樣誤差為±${(s.margin.conservative * 100).toFixed(1)}個百分點。`);
  for (const d of s.dimensions) expect(text).toContain(`${d.title['zh-TW']} ${d.summary.n} ${d.summary.alpha === null ? '— 單題構面，不計算 α' : d.summary.alpha.toFixed(3)}`);
  // The trend is over quarters, as the dashboard's quarterly view.
  if (s.trend?.fit) expect(text).toContain(`每期變化 ${(s.trend.fit.slope * 100).toFixed(2)} 個百分點`);
  expect(text).toContain('未加權：此範圍未輸入母體結構。');

  // The staff survey: the whole year; the group of staff who named no unit has no headcount, so no response rate.
  expect(text).toContain('機關同仁不記名內部滿意度調查');
  expect(text).toContain('115年（民國115年1月1日至民國115年12月31日）');
  expect(text).toContain('回收率 無法計算：列入的單位中有單位未填本年度員額。');

  // Phone tests: the dashboard's mean, and the monthly score table with a column per month of the quarter.
  const mean = view.phone.summary.mean;
  if (!mean) throw new Error('the demo quarter has phone tests');
  expect(text).toContain(`平均分數 ${mean.mean.toFixed(1)}`);
  for (const m of ['民國115年7月', '民國115年8月', '民國115年9月']) expect(text).toContain(m);
  expect(res.text).not.toContain('民國115年10月</th>');
  // Improvement cases: the demo's are opened, reported, accepted and re-tested; their actions are listed.
  const cases = (await t.testDb.db('cases')) as { opened_at: string; actions: string }[];
  const inQuarter = cases.filter((c) => c.opened_at >= '2026-06-30T16:00:00.000Z' && c.opened_at < '2026-09-30T16:00:00.000Z');
  expect(inQuarter.length).toBeGreaterThan(0);
  for (const c of inQuarter) expect(text).toContain(c.actions);
  expect(text).toMatch(/複測達標|複測仍未達標/);
  // How each figure is computed.
  expect(text).toContain('滿意比例＝（非常滿意＋滿意）÷ 有效填答');
  // Charts: data in JSON blocks (no inline script) and the tables beside them.
  for (const id of ['citizen-trend', 'citizen-dimensions', 'citizen-units', 'phone', 'deductions']) expect(res.text).toContain(`id="chart-${id}-data"`);
  expect(res.text).toMatch(/<script src="\/static\/js\/report\.js\?v=[0-9a-f]+" defer><\/script>/);
  expect(res.text).not.toMatch(/<script>(?!<)/);
  expect(res.text).not.toContain(' style=');
});

test('a year and a half-year are report periods too; the dashboard links to its quarter\'s report', async () => {
  const year = await manager.agent.get(`/report?scope=${agency.id}&period=115`);
  expect(year.status).toBe(200);
  expect(textOf(year.text)).toContain('115年：民國115年1月1日至民國115年12月31日');
  expect(textOf(year.text)).toContain('與上期比較 全年報告的上期即去年，見下一列。');
  const half = await manager.agent.get(`/report?scope=${agency.id}&period=2026H2`);
  expect(half.status).toBe(200);
  expect(textOf(half.text)).toContain('115年下半年：民國115年7月1日至民國115年12月31日');
  const dash = await manager.agent.get(`/dashboard?period=2026-08&scope=${agency.id}`);
  expect(dash.text).toContain(`href="/report?period=2026Q3&amp;scope=${agency.id}"`);
});

test('a unit head: the own unit by default, never another unit, not even by its id', async () => {
  const head = await signedIn(t.app, 'head-demo-hhr@demo.example.gov.tw', password);
  const own = await head.agent.get('/report?period=2026Q3');
  expect(own.status).toBe(200);
  const text = textOf(own.text);
  expect(text).toContain('範圍 戶政事務所（DEMO-HHR）');
  expect(text).not.toContain('社會課');
  // The own unit's staff answers against its headcount: the response rate.
  const headcount = (await t.testDb.db('unit_headcounts').where({ unit_id: hhr.id, year: 2026 }).first<{ headcount: number }>()).headcount;
  const staffN = Number((await t.testDb.db('responses').where({ unit_id: hhr.id, month: '2026-05' }).count<{ n: number }[]>({ n: '*' }))[0]?.n);
  expect(text).toContain(`回收率 ${((Math.round((staffN / headcount) * 1000) / 10).toFixed(1))}%（填答 ${staffN} 人 ÷ 員額 ${headcount} 人）`);
  // The scope list holds the own subtree only.
  expect(own.text).toContain(`<option value="${hhr.id}" selected>`);
  expect(own.text).not.toContain(`<option value="${agency.id}"`);
  for (const scope of [agency.id, soc.id, 999999]) {
    const other = await head.agent.get(`/report?period=2026Q3&scope=${scope}`);
    expect(other.status).toBe(422);
    expect(textOf(other.text)).toContain('此範圍不存在或不在您的權限內。');
    expect(other.text).not.toContain('report-cover');
    expect(other.text).not.toContain('社會課');
  }
});

test('a period that is not a quarter, half-year or year: 422, the message, the filters kept, no report', async () => {
  for (const bad of ['2026-07', 'soon', '2026Q5', '1999']) {
    const res = await manager.agent.get(`/report?scope=${soc.id}&period=${encodeURIComponent(bad)}`);
    expect(res.status).toBe(422);
    expect(res.text).toContain('<a href="#period">請輸入季、半年或全年');
    expect(res.text).toContain(`id="period" name="period" type="text" value="${bad}"`);
    expect(res.text).toContain('aria-invalid="true"');
    expect(res.text).toContain(`<option value="${soc.id}" selected>`);
    expect(res.text).not.toContain('report-cover');
  }
  // A long one is refused too, and only its start is echoed back.
  const long = await manager.agent.get(`/report?scope=${soc.id}&period=${'2026Q3'.repeat(50)}`);
  expect(long.status).toBe(422);
  expect(long.text).toContain(`value="${'2026Q3'.repeat(50).slice(0, 40)}"`);
});

test('in English, with ROC years beside the Western dates', async () => {
  await manager.post('/lang', { lang: 'en', next: '/report' });
  try {
    const res = await manager.agent.get(`/report?scope=${agency.id}&period=2026Q3`);
    expect(res.status).toBe(200);
    const text = textOf(res.text);
    expect(text).toContain('Service quality improvement report');
    expect(text).toContain('2026 Q3: 2026-07-01 (ROC 115) to 2026-09-30 (ROC 115)');
    expect(text).toContain('1. Survey and sampling design');
    expect(text).toContain('At the 95% confidence level');
  } finally {
    await manager.post('/lang', { lang: 'zh-TW', next: '/report' });
  }
});

test('with population margins for the scope: the weighting used is named, and the weighted figures are the dashboard\'s', async () => {
  const user = await userOf('manager@demo.example.gov.tw');
  const margins: Record<string, Record<string, number>> = {};
  // Every level of every weighting question, in equal numbers: the demo's answers cover them all.
  for (const v of t.services.dashboard.weightingVariables('citizen')) margins[v.key] = Object.fromEntries(v.options.map((o) => [o.value, 1000]));
  await t.services.dashboard.saveMargins(user, agency.id, 'citizen', margins, '示範區戶籍統計 115年6月');
  try {
    const res = await manager.agent.get(`/report?scope=${agency.id}&period=2026Q3`);
    expect(res.status).toBe(200);
    const text = textOf(res.text);
    expect(text).toContain('已依母體結構（資料來源：示範區戶籍統計 115年6月）以反覆比例加權（raking）');
    const w = (await t.services.dashboard.view(user, { period: '2026Q3', scope: String(agency.id), w: '1' })).survey.weighted;
    if (!w?.ok) throw new Error('the demo answers cover every level, so the dashboard weights them');
    expect(text).toContain(`有效樣本數 ${w.effectiveN.toFixed(1)}，設計效應 ${w.designEffect.toFixed(2)}`);
    expect(text).toContain('加權與未加權滿意度對照（115年第3季）');
    const overall = w.shares.get('overall');
    if (!overall) throw new Error('a weighted overall share');
    expect(text).toContain(`${(Math.round(overall.p * 1000) / 10).toFixed(1)}% (${(Math.round(overall.lower * 1000) / 10).toFixed(1)}–${(Math.round(overall.upper * 1000) / 10).toFixed(1)})`);
    // The staff survey is never weighted.
    expect(text).toContain('未加權：員工問卷一律不加權。');
  } finally {
    await t.services.dashboard.deleteMargins(user, agency.id, 'citizen');
  }
});

test('the response rate counts every staff respondent, also those who left the overall question as not applicable', async () => {
  const channel = await t.testDb.db('channels').where({ survey_key: 'staff' }).first<{ id: number; unit_id: number }>();
  const before = Number((await t.testDb.db('responses').where({ unit_id: hhr.id, month: '2026-05' }).count<{ n: number }[]>({ n: '*' }))[0]?.n);
  // Two more respondents of the own unit who rated one item and marked the overall question not applicable.
  const answers = new Map([
    ['work.space', { value: '4', text: null }],
    ['overall', { value: 'na', text: null }],
    ['unit', { value: String(hhr.id), text: null }],
  ]);
  await seedResponses(t.testDb.db, t.services.surveys.survey('staff'), { id: channel.id, unitId: channel.unit_id }, [{ month: '2026-05', answers }, { month: '2026-05', answers }]);
  const head = await signedIn(t.app, 'head-demo-hhr@demo.example.gov.tw', password);
  const text = textOf((await head.agent.get('/report?period=2026Q3')).text);
  const headcount = (await t.testDb.db('unit_headcounts').where({ unit_id: hhr.id, year: 2026 }).first<{ headcount: number }>()).headcount;
  const respondents = before + 2;
  expect(text).toContain(`回收率 ${(Math.round((respondents / headcount) * 1000) / 10).toFixed(1)}%（填答 ${respondents} 人 ÷ 員額 ${headcount} 人）`);
  // The overall question's valid answers are fewer: they are not what the rate counts.
  const user = await userOf('head-demo-hhr@demo.example.gov.tw');
  const section = (await t.services.dashboard.view(user, { period: '2026', survey: 'staff' })).survey;
  expect(section.headline?.n).toBe(before);
  expect(section.respondents).toBe(respondents);
});
