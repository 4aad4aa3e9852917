import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { routeTable } from '../../server/app';
import { hashToken } from '../../server/api/tokens';
import { openApiPath } from '../../server/api/openapi';
import { periodsResponse, phoneTestsResponse, problemResponse, surveyResultsResponse, surveysResponse, unitsResponse } from '../../server/api/schema';
import { rng } from '../../server/courtesy/random';
import type { Unit } from '../../server/org/units-repo';
import type { Answers } from '../../server/surveys/submission';
import { syntheticAnswers } from '../../server/surveys/synthetic';
import { createTestApp, seedUnit, seedUser, signedIn, type Client, type TestApp } from '../support/app';
import { seedPhoneResults } from '../support/results-seed';
import { seedResponses } from '../support/survey-seed';

/**
 * The open-data API through HTTP on a real database: tokens (made on the page,
 * shown once, stored hashed, revocable, expiring), what is public, the unit
 * subtree of a unit head's token, the staff survey's suppression, the
 * parameters refused with a reason, and the OpenAPI document.
 */
let t: TestApp;
let now = new Date('2026-11-20T02:00:00Z');
let agency: Unit;
let a1: Unit;
let a1x: Unit;
let a2: Unit;
let admin: Client;
let manager: Client;
let head: Client;
let tester: Client;
let managerToken: string;
let headToken: string;

const overall = (value: string): Answers => new Map([['overall', { value, text: null }]]);

async function makeToken(c: Client, name: string, expires = ''): Promise<{ token: string; html: string; status: number }> {
  const res = await c.post('/account/tokens', { name, expires });
  const token = /value="(ctk_[A-Za-z0-9_-]{43})"/.exec(res.text)?.[1] ?? '';
  return { token, html: res.text, status: res.status };
}

const api = (p: string, token?: string) => {
  const r = request(t.app).get(p);
  return token ? r.set('Authorization', `Bearer ${token}`) : r;
};

beforeAll(async () => {
  t = await createTestApp({}, () => now);
  const db = t.testDb.db;
  agency = await seedUnit(t, { parentId: null, code: 'A', nameZh: '甲局', nameEn: 'Agency A', phoneE164: '+886227001234' });
  a1 = await seedUnit(t, { parentId: agency.id, code: 'A1', nameZh: '第一科' });
  a1x = await seedUnit(t, { parentId: a1.id, code: 'A1X', nameZh: '第一股' });
  a2 = await seedUnit(t, { parentId: agency.id, code: 'A2', nameZh: '第二科' });

  // Citizens: 第一科 10 answers in July (4×5, 3×4, 2×3, 1×1: 7 satisfied), 第二科 5 in August (all 5).
  const channel = async (code: string, unitId: number, surveyKey = 'citizen', mode = 'personal') =>
    ((await db('channels').insert({ code, survey_key: surveyKey, unit_id: unitId, counter_name: '', mode, codes_required: false, active: true, created_at: now.toISOString() }).returning('id')) as { id: number }[])[0]?.id ?? 0;
  const citizen = t.services.surveys.survey('citizen');
  await seedResponses(db, citizen, { id: await channel('CA1', a1.id), unitId: a1.id }, ['5', '5', '5', '5', '4', '4', '4', '3', '3', '1'].map((v) => ({ month: '2026-07', answers: overall(v) })));
  await seedResponses(db, citizen, { id: await channel('CA2', a2.id), unitId: a2.id }, ['5', '5', '5', '5', '5'].map((v) => ({ month: '2026-08', answers: overall(v) })));

  // Staff, 2026: 第一科 6 respondents, 第二科 3, and 2 who named no unit; only 第一科's group may show.
  const staff = t.services.surveys.survey('staff');
  const staffChannel = await channel('STAFF', agency.id, 'staff', 'staff');
  const random = rng('api-staff');
  for (const [unit, count] of [[a1, 6], [a2, 3], [null, 2]] as const) {
    const items = Array.from({ length: count }, (_, i) => {
      const answers = syntheticAnswers(staff.survey, random, { level: 0.6, units: unit ? [unit.id] : [] });
      if (unit) answers.set('unit', { value: String(unit.id), text: null });
      else answers.delete('unit');
      return { month: `2026-${String((i % 9) + 1).padStart(2, '0')}`, answers };
    });
    await seedResponses(db, staff, { id: staffChannel, unitId: 0 }, items);
  }

  // Phone tests in 2026Q3: 第一科 95 and 75 in July, 第二科 85 and one unreachable in August.
  const testerUser = await seedUser(t, 'tester', agency.id);
  await seedPhoneResults(db, agency.id, testerUser.id, [
    { unitId: a1.id, date: '2026-07-10', total: 95 },
    { unitId: a1.id, date: '2026-07-20', total: 75 },
    { unitId: a2.id, date: '2026-08-05', total: 85 },
    { unitId: a2.id, date: '2026-08-06', total: null },
  ]);

  admin = await signedIn(t.app, (await seedUser(t, 'admin', agency.id)).email);
  manager = await signedIn(t.app, (await seedUser(t, 'manager', agency.id)).email);
  head = await signedIn(t.app, (await seedUser(t, 'unit_head', a1.id)).email);
  tester = await signedIn(t.app, testerUser.email);
  managerToken = (await makeToken(manager, 'dashboard')).token;
  headToken = (await makeToken(head, 'unit view')).token;
});
afterAll(() => t.close());

describe('tokens', () => {
  test('a token is shown once, and only its SHA-256 is stored', async () => {
    const made = await makeToken(manager, '縣府儀表板');
    expect(made.status).toBe(201);
    expect(made.token).toMatch(/^ctk_/);
    const rows = (await t.testDb.db('api_tokens').select('*')) as Record<string, unknown>[];
    const row = rows.find((r) => r.name === '縣府儀表板');
    expect(row?.token_hash).toBe(hashToken(made.token));
    // The token itself is in no column of any token row.
    expect(JSON.stringify(rows)).not.toContain(made.token.slice(4));
    // The list shows its first characters only, never the token again.
    const list = await manager.agent.get('/account/tokens');
    expect(list.status).toBe(200);
    expect(list.text).toContain('縣府儀表板');
    expect(list.text).toContain(made.token.slice(0, 10));
    expect(list.text).not.toContain(made.token);
    expect((await api('/api/v1/units', made.token)).status).toBe(200);
  });

  test('nothing is public by default: every dataset needs a token, the document does not', async () => {
    for (const p of ['/api/v1/surveys', '/api/v1/units', '/api/v1/periods', '/api/v1/surveys/citizen/results?period=2026Q3', '/api/v1/phone-tests?period=2026Q3']) {
      const res = await api(p);
      expect([p, res.status]).toEqual([p, 401]);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
      expect(problemResponse.parse(res.body).status).toBe(401);
    }
    expect((await api('/api/openapi.json')).status).toBe(200);
  });

  test('a session cookie is not a token: the API ignores the signed-in session', async () => {
    expect((await manager.agent.get('/api/v1/units')).status).toBe(401);
  });

  test('unknown, malformed, revoked and expired tokens are refused with 401', async () => {
    const unknown = `ctk_${'A'.repeat(43)}`;
    for (const header of [`Bearer ${unknown}`, 'Bearer nonsense', `Basic ${Buffer.from('a:b').toString('base64')}`, 'Bearer']) {
      const res = await request(t.app).get('/api/v1/units').set('Authorization', header);
      expect([header, res.status]).toEqual([header, 401]);
      expect(res.body.detail).toContain('權杖無效');
    }
    const made = await makeToken(manager, 'to revoke');
    expect((await api('/api/v1/units', made.token)).status).toBe(200);
    const id = ((await t.testDb.db('api_tokens').where({ token_hash: hashToken(made.token) }).first()) as { id: number }).id;
    const revoked = await manager.post(`/account/tokens/${id}/revoke`);
    expect(revoked.status).toBe(303);
    expect((await api('/api/v1/units', made.token)).status).toBe(401);
    // Another user cannot revoke someone else's token.
    expect((await head.post(`/account/tokens/${id}/revoke`)).status).toBe(404);

    // Valid through the chosen Taiwan day, refused from the next.
    const expiring = await makeToken(manager, 'until today', '2026-11-20');
    expect((await api('/api/v1/units', expiring.token)).status).toBe(200);
    const before = now;
    now = new Date('2026-11-20T16:00:00Z'); // 2026-11-21 00:00 in Taiwan
    try {
      expect((await api('/api/v1/units', expiring.token)).status).toBe(401);
    } finally {
      now = before;
    }
    // The list says which tokens have expired (moved into the past here: the session would not survive the clock's jump).
    await t.testDb.db('api_tokens').where({ token_hash: hashToken(expiring.token) }).update({ expires_at: '2026-11-20T01:00:00.000Z' });
    expect((await api('/api/v1/units', expiring.token)).status).toBe(401);
    expect((await manager.agent.get('/account/tokens')).text).toContain('已過期');
  });

  test('a token carries its owner’s current rights: a tester’s is refused, a deactivated account’s is unknown', async () => {
    const email = (await seedUser(t, 'unit_head', a2.id)).email;
    const owner = await signedIn(t.app, email);
    const made = await makeToken(owner, 'rights');
    expect((await api('/api/v1/units', made.token)).status).toBe(200);
    const db = t.testDb.db;
    await db('users').where({ email }).update({ role: 'tester' });
    const refused = await api('/api/v1/units', made.token);
    expect(refused.status).toBe(403);
    expect(problemResponse.parse(refused.body).detail).toContain('角色');
    await db('users').where({ email }).update({ role: 'unit_head', active: false });
    expect((await api('/api/v1/units', made.token)).status).toBe(401);
  });

  test('a token records when it was last used', async () => {
    const made = await makeToken(admin, 'last used');
    const row = () => t.testDb.db('api_tokens').where({ token_hash: hashToken(made.token) }).first() as Promise<{ last_used_at: string | null }>;
    expect((await row()).last_used_at).toBeNull();
    await api('/api/v1/units', made.token);
    expect((await row()).last_used_at).toBe(now.toISOString());
  });

  test('the form explains a missing name and a bad or past date, and stores nothing', async () => {
    const count = async () => Number(((await t.testDb.db('api_tokens').count({ n: '*' })) as { n: number | string }[])[0]?.n);
    const before = await count();
    for (const [form, message] of [
      [{ name: '', expires: '' }, '請輸入名稱'],
      [{ name: 'x', expires: '2026-02-30' }, '請輸入有效日期'],
      [{ name: 'x', expires: '2026-11-19' }, '到期日不可早於今天'],
    ] as const) {
      const res = await manager.post('/account/tokens', form);
      expect(res.status).toBe(422);
      expect(res.text).toContain(message);
      expect(res.text).not.toMatch(/ctk_[A-Za-z0-9_-]{43}/);
    }
    expect(await count()).toBe(before);
  });

  test('testers have no tokens', async () => {
    expect((await tester.agent.get('/account/tokens')).status).toBe(403);
  });
});

describe('figures', () => {
  test('survey results: counts, distribution, satisfied share with interval and margin of error', async () => {
    const res = await api('/api/v1/surveys/citizen/results?period=2026Q3', managerToken);
    expect(res.status).toBe(200);
    const body = surveyResultsResponse.parse(res.body);
    expect(body.scope?.unitId).toBe(agency.id);
    // 15 answers, 12 satisfied (4 and 5); Wilson 95 % for 12/15 by hand: [0.548146, 0.929525].
    expect(body.overall?.n).toBe(15);
    expect(body.overall?.satisfied).toBe(12);
    expect(body.overall?.share?.p).toBeCloseTo(0.8, 10);
    expect(body.overall?.share?.lower).toBeCloseTo(0.548146, 5);
    expect(body.overall?.share?.upper).toBeCloseTo(0.929525, 5);
    // Conservative margin 1.959964 × √(0.25/15) = 0.253029.
    expect(body.marginOfError?.conservative).toBeCloseTo(0.253029, 5);
    const q = body.questions.find((x) => x.key === 'overall');
    expect(q?.distribution.map((d) => [d.value, d.n])).toEqual([[5, 9], [4, 3], [3, 2], [2, 0], [1, 1]]);
    expect(body.units.map((u) => [u.unitId, u.n])).toEqual([[a2.id, 5], [a1.id, 10]]);
    expect(body.period).toEqual({ key: '2026Q3', kind: 'quarter', firstMonth: '2026-07', lastMonth: '2026-09', label: { 'zh-TW': '115年第3季', en: '2026 Q3' } });

    // One unit and a month; the ROC period names the same quarter.
    const a1res = surveyResultsResponse.parse((await api(`/api/v1/surveys/citizen/results?period=115-07&unit=${a1.id}`, managerToken)).body);
    // 7 of 10; Wilson by hand: [0.396778, 0.892209].
    expect([a1res.overall?.n, a1res.overall?.satisfied]).toEqual([10, 7]);
    expect(a1res.overall?.share?.lower).toBeCloseTo(0.396778, 5);
    expect(a1res.overall?.share?.upper).toBeCloseTo(0.892209, 5);
    const roc = surveyResultsResponse.parse((await api('/api/v1/surveys/citizen/results?period=115Q3', managerToken)).body);
    expect(roc.overall?.n).toBe(15);
  });

  test('phone tests: per period, month and unit, with bands and the share under the threshold', async () => {
    const res = await api('/api/v1/phone-tests?period=2026Q3', managerToken);
    expect(res.status).toBe(200);
    const body = phoneTestsResponse.parse(res.body);
    expect(body.threshold).toBe(80);
    // Scores 95, 75, 85: mean 85, sd 10; t(0.975, 2) = 4.302653 gives 85 ± 24.841, cut at 100.
    expect(body.summary.n).toBe(3);
    expect(body.summary.unreachable).toBe(1);
    expect(body.summary.mean?.mean).toBeCloseTo(85, 10);
    expect(body.summary.mean?.sd).toBeCloseTo(10, 10);
    expect(body.summary.mean?.lower).toBeCloseTo(60.159, 3);
    expect(body.summary.mean?.upper).toBe(100);
    expect(body.summary.bands).toEqual({ excellent: 1, good: 1, fair: 1, poor: 0 });
    expect(body.summary.below).toBe(1);
    // Wilson 95 % for 1/3 by hand: [0.061492, 0.792340].
    expect(body.summary.belowShare?.lower).toBeCloseTo(0.061492, 5);
    expect(body.summary.belowShare?.upper).toBeCloseTo(0.79234, 5);
    expect(body.months.map((m) => [m.month, m.n, m.mean?.mean ?? null])).toEqual([['2026-07', 2, 85], ['2026-08', 1, 85], ['2026-09', 0, null]]);
    expect(body.units.map((u) => [u.code, u.summary.n, u.summary.unreachable, u.months.map((m) => m.month)])).toEqual([
      ['A1', 2, 0, ['2026-07']],
      ['A2', 1, 1, ['2026-08']],
    ]);
    expect(JSON.stringify(body)).not.toMatch(/tester/i);
    // The dashboard's own phone section, month by month and unit by unit: one computation for both.
    const section = await t.services.dashboard.phoneSection({ kind: 'quarter', year: 2026, index: 3 }, agency.path);
    expect(section.months.map((m) => [m.month, m.summary.n, m.summary.unreachable, m.summary.below])).toEqual(body.months.map((m) => [m.month, m.n, m.unreachable, m.below]));
    expect(section.byUnit.map((u) => [u.unitId, u.summary.n, u.months.map((m) => [m.month, m.summary.n, m.summary.mean?.mean ?? null])]).sort((x, y) => Number(x[0]) - Number(y[0]))).toEqual(
      body.units.map((u) => [u.unitId, u.summary.n, u.months.map((m) => [m.month, m.n, m.mean?.mean ?? null])]),
    );
  });

  test('lists: surveys, units (public fields only) and periods with data', async () => {
    const surveys = surveysResponse.parse((await api('/api/v1/surveys', managerToken)).body);
    expect(surveys.surveys.map((s) => s.key).sort()).toEqual(t.services.api.surveys.map((s) => s.survey.key).sort());
    expect(surveys.surveys.find((s) => s.key === 'staff')?.periodKinds).toEqual(['year']);
    const units = unitsResponse.parse((await api('/api/v1/units', managerToken)).body);
    expect(units.units.map((u) => u.code)).toEqual(expect.arrayContaining(['A', 'A1', 'A1X', 'A2']));
    expect(JSON.stringify(units)).not.toContain('886227001234');
    const periods = periodsResponse.parse((await api('/api/v1/periods', managerToken)).body);
    const citizen = periods.datasets.find((d) => d.dataset === 'survey:citizen');
    expect(citizen).toEqual({ dataset: 'survey:citizen', months: ['2026-08', '2026-07'], quarters: ['2026Q3'], halves: ['2026H2'], years: ['2026'] });
    expect(periods.datasets.find((d) => d.dataset === 'survey:staff')).toEqual({ dataset: 'survey:staff', months: [], quarters: [], halves: [], years: ['2026'] });
    expect(periods.datasets.find((d) => d.dataset === 'phone-tests')?.months).toEqual(['2026-08', '2026-07']);
  });

  test('a unit head’s token sees the unit’s subtree and nothing else', async () => {
    const units = unitsResponse.parse((await api('/api/v1/units', headToken)).body);
    expect(units.units.map((u) => u.code).sort()).toEqual(['A1', 'A1X']);
    const results = surveyResultsResponse.parse((await api('/api/v1/surveys/citizen/results?period=2026Q3', headToken)).body);
    expect(results.scope?.unitId).toBe(a1.id);
    expect(results.overall?.n).toBe(10);
    expect(results.units.map((u) => u.unitId)).toEqual([a1.id]);
    const phone = phoneTestsResponse.parse((await api('/api/v1/phone-tests?period=2026Q3', headToken)).body);
    expect(phone.summary.n).toBe(2);
    expect(phone.units.map((u) => u.code)).toEqual(['A1']);
    for (const p of [`/api/v1/surveys/citizen/results?period=2026Q3&unit=${a2.id}`, `/api/v1/phone-tests?period=2026Q3&unit=${agency.id}`]) {
      const res = await api(p, headToken);
      expect([p, res.status]).toEqual([p, 422]);
      expect(res.body.errors).toEqual([{ parameter: 'unit', message: '沒有這個單位，或不在您的權杖範圍內' }]);
    }
    expect((await api(`/api/v1/surveys/citizen/results?period=2026Q3&unit=${a1x.id}`, headToken)).status).toBe(200);
  });

  test('the staff survey never shows a group of fewer than 5 respondents', async () => {
    const all = surveyResultsResponse.parse((await api('/api/v1/surveys/staff/results?period=2026', managerToken)).body);
    // Only 第一科's 6 count: 第二科's 3 and the 2 who named no unit are left out of every figure, totals included.
    expect(all.staffMinimum).toBe(5);
    expect(all.suppressed).toBe(false);
    expect(all.overall?.n).toBe(6);
    expect(all.units.map((u) => [u.unitId, u.n])).toEqual([[a1.id, 6]]);
    const counts = (b: typeof all) => [b.overall?.n ?? 0, ...b.questions.map((q) => q.n), ...b.dimensions.map((d) => d.n), ...b.units.map((u) => u.n), ...b.trend.map((p) => p.n)];
    const small = await api(`/api/v1/surveys/staff/results?period=115&unit=${a2.id}`, managerToken);
    const hidden = surveyResultsResponse.parse(small.body);
    expect(hidden.suppressed).toBe(true);
    expect(hidden.overall).toBeNull();
    expect(hidden.marginOfError).toBeNull();
    expect(hidden.units).toEqual([]);
    for (const b of [all, hidden, surveyResultsResponse.parse((await api(`/api/v1/surveys/staff/results?period=2026&unit=${a1.id}`, managerToken)).body)]) {
      expect(counts(b).filter((n) => n > 0 && n < 5)).toEqual([]);
    }
    // Shorter periods would split the groups: refused with the reason.
    const quarter = await api('/api/v1/surveys/staff/results?period=2026Q3', managerToken);
    expect(quarter.status).toBe(422);
    expect(quarter.body.errors[0].parameter).toBe('period');
  });
});

describe('bad parameters are explained, never a 500', () => {
  test.each([
    ['/api/v1/surveys/citizen/results', 400, 'period', '必須提供此參數'],
    ['/api/v1/surveys/citizen/results?period=2026Q5', 400, 'period', '2026Q3'],
    ['/api/v1/surveys/citizen/results?period=1800', 400, 'period', '115Q3'],
    ['/api/v1/surveys/citizen/results?period=2026Q3&period=2026Q4', 400, 'period', '只能提供一次'],
    ['/api/v1/surveys/citizen/results?period=2026Q3&unit=abc', 400, 'unit', '單位編號'],
    ['/api/v1/surveys/citizen/results?period=2026Q3&unit=99999999999', 400, 'unit', '單位編號'],
    ['/api/v1/surveys/citizen/results?period=2026Q3&scope=1', 400, 'scope', '不認得的參數'],
    ['/api/v1/phone-tests?period=2026Q3&unit=999999', 422, 'unit', '沒有這個單位'],
    ['/api/v1/units?x=1', 400, 'x', '不認得的參數'],
  ])('%s → %i (%s)', async (p, status, parameter, message) => {
    const res = await api(p, managerToken);
    expect(res.status).toBe(status);
    const body = problemResponse.parse(res.body);
    expect(body.status).toBe(status);
    const error = body.errors?.find((e) => e.parameter === parameter);
    expect(error?.message).toContain(message);
  });

  test('in English when the caller asks for it', async () => {
    const res = await api('/api/v1/phone-tests?period=nope', managerToken).set('Accept-Language', 'en');
    expect(res.status).toBe(400);
    expect(res.body.title).toBe('Bad parameters');
    expect(res.body.errors[0].message).toMatch(/^The period is a month/);
  });

  test('an unknown survey is 404 with a token, 401 without; unknown paths and methods are JSON problems', async () => {
    expect((await api('/api/v1/surveys/nope/results?period=2026', managerToken)).status).toBe(404);
    expect((await api('/api/v1/surveys/nope/results?period=2026')).status).toBe(401);
    const missing = await api('/api/v2/whatever', managerToken);
    expect(missing.status).toBe(404);
    expect(missing.headers['content-type']).toMatch(/^application\/problem\+json/);
    const undecodable = await api('/api/v1/surveys/%E0%A4%A/results?period=2026', managerToken);
    expect(undecodable.status).toBe(400);
    expect(undecodable.headers['content-type']).toMatch(/^application\/problem\+json/);
    const posted = await request(t.app).post('/api/v1/units').set('Authorization', `Bearer ${managerToken}`).type('form').send({ a: '1' });
    expect(posted.status).toBe(404);
    expect(posted.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  test('odd query strings never reach a 500', async () => {
    const odd = ['period=%E0%A4%A', 'period[]=2026', 'period[a]=1', 'period=' + 'Q'.repeat(5000), 'period=2026Q3&unit=-1', 'period=2026Q3&unit=1.5', 'period=2026Q3&unit=', 'period= 2026Q3 ', 'period=115H2&unit=0'];
    for (const q of odd) {
      for (const base of ['/api/v1/surveys/citizen/results', '/api/v1/surveys/staff/results', '/api/v1/phone-tests']) {
        const res = await api(`${base}?${q}`, managerToken);
        expect([`${base}?${q}`, res.status < 500]).toEqual([`${base}?${q}`, true]);
      }
    }
  });
});

describe('public datasets', () => {
  afterAll(async () => {
    await admin.post('/settings/api', {});
  });

  test('an administrator marks datasets public; they answer without a token, the rest still need one', async () => {
    const form = await admin.agent.get('/settings/api');
    expect(form.status).toBe(200);
    expect(form.text).not.toContain('checked');
    expect((await manager.post('/settings/api', { datasets: 'units' })).status).toBe(403);
    const bad = await admin.post('/settings/api', { datasets: ['survey:citizen', 'survey:nope'] });
    expect(bad.status).toBe(422);
    expect((await api('/api/v1/surveys/citizen/results?period=2026Q3')).status).toBe(401);

    expect((await admin.post('/settings/api', { datasets: ['survey:citizen', 'survey:staff'] })).status).toBe(303);
    const open = await api('/api/v1/surveys/citizen/results?period=2026Q3');
    expect(open.status).toBe(200);
    expect(surveyResultsResponse.parse(open.body).overall?.n).toBe(15);
    expect((await api('/api/v1/phone-tests?period=2026Q3')).status).toBe(401);
    expect((await api('/api/v1/units')).status).toBe(401);
    const listed = surveysResponse.parse((await api('/api/v1/surveys')).body);
    expect(listed.surveys.map((s) => [s.key, s.public])).toEqual([['citizen', true], ['staff', true]].filter(([k]) => t.services.api.surveys.some((s) => s.survey.key === k)));
    const periods = periodsResponse.parse((await api('/api/v1/periods')).body);
    expect(periods.datasets.map((d) => d.dataset)).toEqual(['survey:citizen', 'survey:staff']);

    // Suppression holds for the public too.
    const staff = surveyResultsResponse.parse((await api('/api/v1/surveys/staff/results?period=2026')).body);
    expect(staff.overall?.n).toBe(6);
    expect(staff.units.map((u) => u.n)).toEqual([6]);

    // Public data is the same for everyone: a unit head's token does not narrow it.
    const viaHead = surveyResultsResponse.parse((await api('/api/v1/surveys/citizen/results?period=2026Q3', headToken)).body);
    expect(viaHead.overall?.n).toBe(15);
    // But a bad token is still refused.
    expect((await api('/api/v1/surveys/citizen/results?period=2026Q3', `ctk_${'B'.repeat(43)}`)).status).toBe(401);
  });

  test('public survey results withhold every figure of fewer than 5 answers, for every caller; a token for data that is not public sees them', async () => {
    // 2026 Q4: 第二科 6 answers in October, 第一股 (under 第一科) 3 in November (5, 4, 2).
    const db = t.testDb.db;
    const citizen = t.services.surveys.survey('citizen');
    const channel = async (code: string, unitId: number) =>
      ((await db('channels').insert({ code, survey_key: 'citizen', unit_id: unitId, counter_name: '', mode: 'personal', codes_required: false, active: true, created_at: now.toISOString() }).returning('id')) as { id: number }[])[0]?.id ?? 0;
    await seedResponses(db, citizen, { id: await channel('CQ4A2', a2.id), unitId: a2.id }, ['5', '5', '4', '4', '3', '1'].map((v) => ({ month: '2026-10', answers: overall(v) })));
    await seedResponses(db, citizen, { id: await channel('CQ4A1X', a1x.id), unitId: a1x.id }, ['5', '4', '2'].map((v) => ({ month: '2026-11', answers: overall(v) })));

    for (const token of [undefined, managerToken, headToken]) {
      // The public's view, with or without a token: the data is public, so the same for everyone.
      const all = surveyResultsResponse.parse((await api('/api/v1/surveys/citizen/results?period=2026Q4', token)).body);
      expect(all.publicMinimum).toBe(5);
      expect(all.overall).toMatchObject({ n: 9, satisfied: 6, suppressed: false });
      expect(all.units.map((u) => [u.unitId, u.n, u.share?.p ?? null, u.suppressed]).sort((x, y) => Number(x[0]) - Number(y[0]))).toEqual([
        [a1x.id, 3, null, true],
        [a2.id, 6, 4 / 6, false],
      ]);
      const points = new Map(all.trend.map((p) => [p.label, p]));
      expect(points.get('2026-10')).toMatchObject({ n: 6, suppressed: false });
      expect(points.get('2026-10')?.share?.p).toBeCloseTo(4 / 6, 10);
      expect(points.get('2026-11')).toEqual({ label: '2026-11', n: 3, share: null, suppressed: true });
      expect(points.get('2026-12')).toEqual({ label: '2026-12', n: 0, share: null, suppressed: false });

      // 第一股 alone: three answers, nothing computed from them.
      const small = surveyResultsResponse.parse((await api(`/api/v1/surveys/citizen/results?period=2026Q4&unit=${a1x.id}`, token)).body);
      expect(small.overall).toEqual({ question: 'overall', n: 3, satisfied: null, share: null, mean: null, suppressed: true });
      expect(small.marginOfError).toBeNull();
      const q = small.questions.find((x) => x.key === 'overall');
      expect(q).toMatchObject({ n: 3, satisfied: null, neutral: null, share: null, mean: null, distribution: [], suppressed: true });
      expect(small.units).toEqual([{ unitId: a1x.id, n: 3, share: null, small: true, suppressed: true }]);
      expect(small.dimensions.find((d) => d.key === 'overall')).toMatchObject({ n: 3, mean: null, alpha: null, suppressed: true });
      // No answer of the three is counted anywhere in the document.
      expect(small.questions.flatMap((x) => x.distribution).filter((d) => d.n > 0)).toEqual([]);
    }

    // Not public any more: the manager's token reads the small figures, and nothing says they are withheld.
    expect((await admin.post('/settings/api', { datasets: ['survey:staff'] })).status).toBe(303);
    expect((await api(`/api/v1/surveys/citizen/results?period=2026Q4&unit=${a1x.id}`)).status).toBe(401);
    const own = surveyResultsResponse.parse((await api(`/api/v1/surveys/citizen/results?period=2026Q4&unit=${a1x.id}`, managerToken)).body);
    expect(own.publicMinimum).toBeNull();
    // 5, 4, 2: two of three satisfied.
    expect(own.overall).toMatchObject({ n: 3, satisfied: 2, suppressed: false });
    expect(own.questions.find((x) => x.key === 'overall')?.distribution.map((d) => [d.value, d.n])).toEqual([[5, 1], [4, 1], [3, 0], [2, 1], [1, 0]]);
  });
});

describe('OpenAPI document', () => {
  let doc: { openapi: string; paths: Record<string, unknown> };
  beforeAll(async () => {
    doc = (await api('/api/openapi.json')).body as typeof doc;
  });

  const validate = (document: unknown): { valid: boolean; errors?: unknown } => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openapi-'));
    const file = path.join(dir, 'openapi.json');
    fs.writeFileSync(file, JSON.stringify(document));
    try {
      // The validator is an ECMAScript module: run its own command in a Node process rather than through jest's loader.
      const cli = require.resolve('@seriousme/openapi-schema-validator/bin/validate-api-cli.js');
      let out: string;
      try {
        out = execFileSync(process.execPath, [cli, file], { encoding: 'utf8' });
      } catch (err) {
        // It exits with 1 for an invalid document, its report still on standard output.
        out = String((err as { stdout?: unknown }).stdout ?? '');
      }
      return JSON.parse(out) as { valid: boolean; errors?: unknown };
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  };

  test('is a valid OpenAPI 3.1 document', () => {
    expect(doc.openapi).toBe('3.1.0');
    // The public data's small-figure rule is documented where the figures are.
    const results = (doc as unknown as { components: { schemas: Record<string, { properties: Record<string, { description?: string }> }> } }).components.schemas.SurveyResults;
    expect(results?.properties.publicMinimum?.description).toContain('every figure drawn from fewer than this many answers (but at least one) is withheld');
    expect(JSON.stringify(doc)).toContain('Public data withholds every figure of fewer than 5 answers');
    expect(validate(doc)).toEqual({ valid: true });
    // The validator does find faults: the same document without a required part is refused.
    const broken = { ...doc, info: { title: 'no version' } };
    expect(validate(broken).valid).toBe(false);
  });

  test('describes every /api/v1 route of the route table, and no other', () => {
    const routes = routeTable(t.services).filter((r) => r.path.startsWith('/api/v1/')).map((r) => openApiPath(r.path)).sort();
    expect(routes.length).toBe(5);
    expect(Object.keys(doc.paths).sort()).toEqual(routes);
  });
});

describe('rate limit', () => {
  let limited: TestApp;
  beforeAll(async () => {
    limited = await createTestApp({ API_REQUESTS_PER_MINUTE: '3' }, () => now);
  });
  afterAll(() => limited.close());

  test('the API answers 429 with Retry-After past the limit', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i += 1) statuses.push((await request(limited.app).get('/api/openapi.json')).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const res = await request(limited.app).get('/api/v1/units');
    expect(res.status).toBe(429);
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    expect(problemResponse.parse(res.body).status).toBe(429);
  });
});
