import type { CurrentUser } from '../../server/auth/current-user';
import { rng } from '../../server/courtesy/random';
import type { Unit } from '../../server/org/units-repo';
import { syntheticAnswers } from '../../server/surveys/synthetic';
import { createTestApp, seedUnit, seedUser, signedIn, type TestApp } from '../support/app';
import { seedResponses } from '../support/survey-seed';

/**
 * The staff survey's anonymity rule under attack: an attacker with every
 * filter the dashboard accepts (scope, period of any kind, channel, weighting)
 * collects every count it shows and tries to isolate fewer than 5 people,
 * either directly (a figure of 1–4 respondents) or by difference (a figure
 * minus one it contains leaves 1–4).
 */
let t: TestApp;
let agency: Unit;
let dept: Unit;
const units: Unit[] = [];
let admin: CurrentUser;
let adminEmail: string;

/** Staff respondents per unit index (-1: "unit not given") and year: several groups of 1–4 on purpose. */
const PLAN: Record<number, Record<number, number>> = {
  2025: { 0: 7, 1: 3, 2: 12, 3: 4, [-1]: 2 },
  2026: { 0: 6, 1: 9, 2: 1, 3: 5, [-1]: 6 },
};

beforeAll(async () => {
  t = await createTestApp({}, () => new Date('2026-11-20T02:00:00Z'));
  agency = await seedUnit(t, { parentId: null, code: 'S', nameZh: '丙局' });
  dept = await seedUnit(t, { parentId: agency.id, code: 'S-D', nameZh: '業務處' });
  units.push(await seedUnit(t, { parentId: dept.id, code: 'S-D1', nameZh: '第一科' }));
  units.push(await seedUnit(t, { parentId: dept.id, code: 'S-D2', nameZh: '第二科' }));
  units.push(await seedUnit(t, { parentId: agency.id, code: 'S-P', nameZh: '人事室' }));
  units.push(await seedUnit(t, { parentId: agency.id, code: 'S-A', nameZh: '會計室' }));
  const db = t.testDb.db;
  const channels = [] as number[];
  for (const code of ['STAFFLINK', 'STAFFCODE']) {
    const [row] = await db('channels')
      .insert({ code, survey_key: 'staff', unit_id: agency.id, counter_name: '', mode: 'staff', codes_required: code === 'STAFFCODE', active: true, created_at: new Date().toISOString() })
      .returning('id');
    channels.push((row as { id: number }).id);
  }
  const staff = t.services.surveys.survey('staff');
  const random = rng('staff-leak');
  for (const [year, byUnit] of Object.entries(PLAN)) {
    for (const [index, count] of Object.entries(byUnit)) {
      const unit = Number(index) >= 0 ? units[Number(index)] : undefined;
      for (let i = 0; i < count; i += 1) {
        const answers = syntheticAnswers(staff.survey, random, { level: 0.6, units: unit ? [unit.id] : [] });
        // The unit question is optional: answer it (or not) exactly as planned.
        if (unit) answers.set('unit', { value: String(unit.id), text: null });
        else answers.delete('unit');
        // Spread over months and both channels, so that month, quarter and channel filters have something to split.
        const month = `${year}-${String((i % 12) + 1).padStart(2, '0')}`;
        await seedResponses(db, staff, { id: channels[i % 2] as number, unitId: 0 }, [{ month, answers }]);
      }
    }
  }
  // Another agency's staff who named no unit: never part of this agency's figures.
  const other = await seedUnit(t, { parentId: null, code: 'T', nameZh: '丁局' });
  const [otherChannel] = await db('channels')
    .insert({ code: 'OTHERSTAFF', survey_key: 'staff', unit_id: other.id, counter_name: '', mode: 'staff', codes_required: false, active: true, created_at: new Date().toISOString() })
    .returning('id');
  // And a third agency's 3: a group too small to show anywhere, even pooled with others who named no unit.
  const third = await seedUnit(t, { parentId: null, code: 'U', nameZh: '戊局' });
  const [thirdChannel] = await db('channels')
    .insert({ code: 'THIRDSTAFF', survey_key: 'staff', unit_id: third.id, counter_name: '', mode: 'staff', codes_required: false, active: true, created_at: new Date().toISOString() })
    .returning('id');
  for (const [channelId, count] of [[(otherChannel as { id: number }).id, 7], [(thirdChannel as { id: number }).id, 3]] as const) {
    for (let i = 0; i < count; i += 1) {
      const answers = syntheticAnswers(staff.survey, random, { level: 0.6 });
      answers.delete('unit');
      await seedResponses(db, staff, { id: channelId, unitId: 0 }, [{ month: '2026-04', answers }]);
    }
  }
  const user = await seedUser(t, 'admin', agency.id);
  adminEmail = user.email;
  const found = await t.services.auth.currentUser(user.id);
  if (!found) throw new Error('no admin');
  admin = found;
});
afterAll(() => t.close());

interface Figure {
  /** Who is counted: the scope's path, the year, and a unit id (null: the whole scope). */
  scope: string;
  year: number;
  unitId: number | null;
  n: number;
  where: string;
}

// About 1,300 dashboard views: more time than the default, for a loaded machine.
test('no filter combination shows, or lets one subtract down to, fewer than 5 staff respondents', async () => {
  const db = t.testDb.db;
  const channels = ((await db('channels').where({ survey_key: 'staff' }).select('id')) as { id: number }[]).map((c) => String(c.id));
  const scopes = ['all', String(agency.id), String(dept.id), ...units.map((u) => String(u.id))];
  const periods = ['2025', '2026', '2026Q1', '2026Q3', '2026H2', '2026-05', '2025-01', '114', '115Q2'];
  const pathOf = new Map([[agency.id, agency.path], [dept.id, dept.path], ...units.map((u) => [u.id, u.path] as [number, string])]);
  const figures: Figure[] = [];
  let views = 0;
  for (const scope of scopes) {
    for (const period of periods) {
      for (const channel of ['', ...channels]) {
        for (const w of ['', '1']) {
          const view = await t.services.dashboard.view(admin, { survey: 'staff', scope, period, channel, w });
          views += 1;
          const s = view.survey;
          const scopePath = view.filters.scope?.path ?? '/';
          const year = view.filters.period.year;
          const where = `scope=${scope} period=${period} channel=${channel} w=${w}`;
          if (s.headline) figures.push({ scope: scopePath, year, unitId: null, n: s.headline.n, where: `${where} headline` });
          for (const q of s.questions) figures.push({ scope: scopePath, year, unitId: null, n: q.summary.n, where: `${where} question ${q.question.key}` });
          for (const d of s.dimensions) figures.push({ scope: scopePath, year, unitId: null, n: d.summary.n, where: `${where} dimension ${d.key}` });
          for (const u of s.units) figures.push({ scope: scopePath, year, unitId: u.unitId, n: u.n, where: `${where} unit ${u.unitId}` });
          s.trend?.points.forEach((p, i) => {
            const y = s.trendBuckets[i]?.period.year ?? 0;
            figures.push({ scope: scopePath, year: y, unitId: null, n: p.n, where: `${where} trend ${p.label}` });
          });
          // Weighting and channel filters never apply to the staff survey.
          expect(s.weighted).toBeNull();
          expect(view.filters.channelId).toBeNull();
          expect(view.filters.period.kind).toBe('year');
        }
      }
    }
  }
  expect(views).toBe(scopes.length * periods.length * (channels.length + 1) * 2);

  // 1. Nothing shown counts 1–4 people.
  expect(figures.filter((f) => f.n > 0 && f.n < 5).map((f) => `${f.where}: ${f.n}`)).toEqual([]);

  // 2. No figure minus a figure it contains leaves 1–4 people.
  const contains = (a: Figure, b: Figure) => {
    if (a.year !== b.year) return false;
    if (a.unitId !== null) return b.unitId === a.unitId;
    // "Unit not given" belongs to the scope of the channels' unit, the agency.
    if (b.unitId !== null) return (b.unitId === 0 ? agency.path : (pathOf.get(b.unitId) ?? '')).startsWith(a.scope);
    return b.scope.startsWith(a.scope);
  };
  const leaks: string[] = [];
  for (const a of figures) {
    for (const b of figures) {
      const gap = a.n - b.n;
      if (a !== b && gap > 0 && gap < 5 && contains(a, b)) leaks.push(`${a.where} (${a.n}) − ${b.where} (${b.n})`);
    }
  }
  expect(leaks.slice(0, 5)).toEqual([]);

  // Totals are exactly the shown groups: this agency's 2026 is 第一科 6 + 第二科 9 + 會計室 5 + not given 6;
  // the whole tree adds the other agency's 7 who named no unit, never the third agency's 3.
  const headline = async (scope: string) => (await t.services.dashboard.view(admin, { survey: 'staff', scope, period: '2026' })).survey.headline?.n;
  expect(await headline(String(agency.id))).toBe(26);
  expect(await headline('all')).toBe(33);

  // The rule is not vacuous: the groups of five or more are shown.
  expect(figures.some((f) => f.unitId === units[0]?.id && f.year === 2025 && f.n === 7)).toBe(true);
  expect(figures.some((f) => f.unitId === 0 && f.year === 2026 && f.n === 6)).toBe(true);
}, 120_000);

test('the rendered page names no unit below the threshold, and says why', async () => {
  const manager = await signedIn(t.app, adminEmail);
  const res = await manager.agent.get(`/dashboard?survey=staff&scope=${agency.id}&period=2026`);
  expect(res.status).toBe(200);
  // 2026: 第一科 6, 第二科 9, 會計室 5 are shown; 人事室 (1) is not.
  expect(res.text).toContain('第一科');
  expect(res.text).toContain('會計室');
  const figures = res.text.slice(res.text.indexOf('id="survey-title"'));
  expect(figures).not.toContain('人事室');
  expect(res.text).toContain('填答人數少於 5 人的單位');
});
