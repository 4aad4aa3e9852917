import fs from 'node:fs';
import path from 'node:path';
import { buildServices } from '../../server/app';
import { draftPlansJob } from '../../server/courtesy/jobs';
import { openDb } from '../../server/platform/db';
import { createLogger } from '../../server/platform/logger';
import type { Unit } from '../../server/org/units-repo';
import { createTestApp, seedUnit, seedUser, signedIn, type Client, type TestApp } from '../support/app';

let t: TestApp;
let agency: Unit;
let other: Unit;
let sections: Unit[];
let testers: { id: number; email: string }[];
let manager: Client;
let otherManager: Client;

beforeAll(async () => {
  // A fixed day before the plans' months (December 2026 on): a tester's list runs from today on.
  t = await createTestApp({}, () => new Date('2026-11-20T02:00:00Z'));
  agency = await seedUnit(t, { parentId: null, code: 'A', nameZh: '甲機關' });
  other = await seedUnit(t, { parentId: null, code: 'B', nameZh: '乙機關' });
  await seedUnit(t, { parentId: agency.id, code: 'A-SW', type: 'switchboard', nameZh: '總機', phoneE164: '+886223456000', phoneExt: null });
  sections = [];
  for (let i = 1; i <= 8; i += 1) {
    sections.push(await seedUnit(t, { parentId: agency.id, code: `A-S${i}`, nameZh: `第${i}科`, phoneE164: '+886223456789', phoneExt: String(100 + i) }));
  }
  await seedUnit(t, { parentId: other.id, code: 'B-S1', nameZh: '乙第一科' });
  testers = [];
  for (let i = 0; i < 3; i += 1) testers.push(await seedUser(t, 'tester', (sections[i] as Unit).id));
  await seedUser(t, 'tester', other.id);
  manager = await signedIn(t.app, (await seedUser(t, 'manager', agency.id)).email);
  otherManager = await signedIn(t.app, (await seedUser(t, 'manager', other.id)).email);
  const calendar = fs.readFileSync(path.resolve(__dirname, '../../../shared/fixtures/calendar/2026.csv'), 'utf8');
  await t.services.calendar.importCsv(calendar, null);
});
afterAll(() => t.close());

const planIdFrom = (location: string) => Number(/\/plans\/(\d+)$/.exec(location)?.[1]);
const assignmentsOf = (planId: number) => t.testDb.db('assignments').where({ plan_id: planId }).orderBy('id');

describe('drafting, reviewing and publishing a month', () => {
  let planId: number;

  test('a manager drafts the plan: five units, each with a tester from another unit, a working day, a window and a reason', async () => {
    const res = await manager.post('/plans', { scopeId: String(agency.id), month: '2026-12' });
    expect(res.status).toBe(303);
    planId = planIdFrom(res.headers.location as string);
    const rows = await assignmentsOf(planId);
    expect(rows).toHaveLength(5);
    const testerUnit = new Map(testers.map((x, i) => [x.id, (sections[i] as Unit).id]));
    const working = new Set((await t.services.calendar.month('2026-12')).workingDays);
    for (const a of rows) {
      expect(testerUnit.get(a.tester_id)).toBeDefined();
      expect(testerUnit.get(a.tester_id)).not.toBe(a.unit_id);
      expect(working.has(a.date)).toBe(true);
      expect(a.reason_key).toBe('plan.reason.never');
    }
    const page = await manager.agent.get(`/plans/${planId}`);
    expect(page.text).toContain('甲機關 民國115年12月 電話禮貌測試計畫');
    expect(page.text).toContain('從未受測');
    expect(page.text).not.toContain('尚未匯入官方辦公日曆');
  });

  test('drafting the same scope and month again returns the same plan', async () => {
    const again = await manager.post('/plans', { scopeId: String(agency.id), month: '2026-12' });
    expect(planIdFrom(again.headers.location as string)).toBe(planId);
    expect(Number((await t.testDb.db('plans').where({ scope_unit_id: agency.id, month: '2026-12' }).count({ n: '*' }).first())?.n)).toBe(1);
  });

  test("another agency's manager sees nothing of it", async () => {
    expect((await otherManager.agent.get(`/plans/${planId}`)).status).toBe(404);
    expect((await otherManager.agent.get('/plans')).text).not.toContain('甲機關');
    expect((await otherManager.post('/plans', { scopeId: String(agency.id), month: '2027-01' })).status).toBe(404);
  });

  test('an edit that breaks a rule is saved and the broken rule is shown; bad values are refused with nothing stored', async () => {
    const [first] = await assignmentsOf(planId);
    const ownTester = testers[sections.findIndex((s) => s.id === first.unit_id)];
    const target = ownTester ?? testers[0];
    // Move the first call to a tester of that very unit (if the unit has one), else onto a Saturday.
    const form = ownTester
      ? { testerId: String(target?.id), date: first.date, windowStart: first.window_start }
      : { testerId: String(first.tester_id), date: '2026-12-05', windowStart: first.window_start };
    expect((await manager.post(`/plans/${planId}/assignments/${first.id}`, form)).status).toBe(303);
    const page = await manager.agent.get(`/plans/${planId}`);
    expect(page.text).toMatch(ownTester ? /屬於該單位，不得測試/ : /2026-12-05 不是上班日/);

    const before = await assignmentsOf(planId);
    const outside = await manager.post(`/plans/${planId}/assignments/${first.id}`, { testerId: '', date: '2027-01-04', windowStart: '12:15' });
    expect(outside.status).toBe(422);
    expect(outside.text).toContain('日期必須在這份計畫的月份內');
    const foreign = await t.testDb.db('users').join('units', 'units.id', 'users.unit_id').where('units.code', 'B').andWhere('users.role', 'tester').first('users.id');
    const wrongTester = await manager.post(`/plans/${planId}/assignments/${first.id}`, { testerId: String(foreign.id), date: '', windowStart: '' });
    expect(wrongTester.status).toBe(422);
    expect(await assignmentsOf(planId)).toEqual(before);

    const fixed = await manager.post(`/plans/${planId}/assignments/${first.id}`, { testerId: String(first.tester_id), date: first.date, windowStart: first.window_start });
    expect(fixed.status).toBe(303);
  });

  test('units can be added and removed; every step is in the history', async () => {
    const planned = new Set((await assignmentsOf(planId)).map((a: { unit_id: number }) => a.unit_id));
    const extra = sections.find((s) => !planned.has(s.id)) as Unit;
    const added = await manager.post(`/plans/${planId}/add`, { unitId: String(extra.id), testerId: '', date: '', windowStart: '' });
    expect(added.status).toBe(303);
    expect((await manager.agent.get(`/plans/${planId}`)).text).toContain('尚未指定測試人員或時段');
    const row = await t.testDb.db('assignments').where({ plan_id: planId, unit_id: extra.id }).first();
    expect((await manager.post(`/plans/${planId}/assignments/${row.id}/remove`)).status).toBe(303);
    const events = await t.testDb.db('plan_events').where({ plan_id: planId }).orderBy('id');
    expect(events.map((e: { action: string }) => e.action)).toEqual(['draft', 'edit', 'edit', 'add', 'remove']);
  });

  test('publishing notifies each tester of his or her calls; a tester sees only his or her own; a unit head sees no plan', async () => {
    const rows = await assignmentsOf(planId);
    expect((await manager.post(`/plans/${planId}/publish`)).status).toBe(303);
    expect((await manager.post(`/plans/${planId}/publish`)).status).toBe(409);
    for (const tester of testers) {
      const mine = rows.filter((a: { tester_id: number }) => a.tester_id === tester.id);
      const note = await t.testDb.db('notifications').where({ user_id: tester.id }).first();
      if (mine.length === 0) {
        expect(note).toBeUndefined();
        continue;
      }
      expect(JSON.parse(note.params)).toEqual({ month: '2026-12', calls: mine.length });
    }
    const busiest = testers.find((x) => rows.some((a: { tester_id: number }) => a.tester_id === x.id)) as { id: number; email: string };
    const session = await signedIn(t.app, busiest.email);
    expect((await session.agent.get('/notifications')).text).toContain('2026-12 的電話禮貌測試計畫已公布');
    // The published plan is for next month as seen from the test clock, so list from today on.
    const plans = t.services.plans;
    const user = await t.services.auth.currentUser(busiest.id);
    const mine = await plans.myAssignments(user as NonNullable<typeof user>);
    expect(mine.every((a) => a.testerId === busiest.id)).toBe(true);
    expect(mine.length).toBe(rows.filter((a: { tester_id: number }) => a.tester_id === busiest.id).length);
    const page = await session.agent.get('/my/assignments');
    for (const a of rows) {
      const unit = sections.find((s) => s.id === a.unit_id);
      if (!unit) continue;
      if (a.tester_id === busiest.id) expect(page.text).toContain(unit.nameZh);
      else expect(page.text).not.toContain(`<h2>${unit.nameZh}</h2>`);
    }
    expect((await session.agent.get(`/plans/${planId}`)).status).toBe(403);
    const head = await signedIn(t.app, (await seedUser(t, 'unit_head', (sections[4] as Unit).id)).email);
    expect((await head.agent.get(`/plans/${planId}`)).status).toBe(403);
    expect((await head.agent.get('/plans')).status).toBe(403);
  });

  test('a change after publishing is kept in the history and the testers concerned are told', async () => {
    const [first] = await assignmentsOf(planId);
    const newTester = testers.find((x) => x.id !== first.tester_id && !sections.some((s, i) => s.id === first.unit_id && testers[i]?.id === x.id)) as { id: number };
    await manager.post(`/plans/${planId}/assignments/${first.id}`, { testerId: String(newTester.id), date: first.date, windowStart: first.window_start });
    const last = await t.testDb.db('plan_events').where({ plan_id: planId }).orderBy('id', 'desc').first();
    expect(last.action).toBe('edit');
    expect(JSON.parse(last.detail)).toMatchObject({ before: { testerId: first.tester_id }, after: { testerId: newTester.id } });
    for (const id of [first.tester_id, newTester.id]) {
      expect(await t.testDb.db('notifications').where({ user_id: id, message_key: 'notify.planChanged' }).first()).toBeDefined();
    }
  });

  test('the allocation table prints with ROC dates and downloads as CSV with a BOM', async () => {
    const page = await manager.agent.get(`/plans/${planId}/allocation`);
    expect(page.text).toContain('電話禮貌測試分配表');
    expect(page.text).toMatch(/民國115年12月\d+日/);
    const csv = await manager.agent.get(`/plans/${planId}/allocation.csv`);
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.text.startsWith('\uFEFF月份,單位代碼,受測單位,測試部分,電話／分機,測試人員,日期,日期（民國）,時段,排入原因\r\n')).toBe(true);
    expect(csv.text.trim().split('\r\n')).toHaveLength(1 + (await assignmentsOf(planId)).length);
    expect(csv.text).toMatch(/2026-12-\d\d,民國115年12月\d+日/);
  });
});

test("a tester's unavailable dates are respected by the next draft", async () => {
  const tester = await signedIn(t.app, (testers[0] as { email: string }).email);
  expect((await tester.post('/my/unavailable', { from: '2027-02-01', to: '2027-02-28' })).status).toBe(303);
  const bad = await tester.post('/my/unavailable', { from: '2027-03-10', to: '2027-03-01' });
  expect(bad.status).toBe(422);
  expect(bad.text).toContain('結束日期不能早於開始日期');
  const { plan } = await t.services.plans.draft(null, agency.id, '2027-02');
  const rows = await assignmentsOf(plan.id);
  expect(rows.length).toBeGreaterThan(0);
  expect(rows.some((a: { tester_id: number }) => a.tester_id === testers[0]?.id)).toBe(false);
  // 2027 has no official calendar here: the plan page says so.
  expect((await manager.agent.get(`/plans/${plan.id}`)).text).toContain('2027 年暫以週末與國定假日推算');
});

describe('the drafting job', () => {
  test('runs from the draft day (Taiwan time), once per month', async () => {
    const job = (iso: string) => draftPlansJob(t.testDb.db, t.services.plans, new Date(iso));
    expect(await job('2027-03-19T15:59:00Z')).toEqual({ ran: false, month: null }); // 19 March, 23:59 in Taipei
    expect(await job('2027-03-19T16:00:00Z')).toEqual({ ran: true, month: '2027-04' });
    expect(await job('2027-03-25T00:00:00Z')).toEqual({ ran: false, month: '2027-04' });
    const made = await t.testDb.db('plans').where({ month: '2027-04' });
    expect(made.map((p: { scope_unit_id: number }) => p.scope_unit_id).sort()).toEqual([agency.id, other.id].sort());
  });

  test('two server instances on the same database: one runs it, one plan per agency and month', async () => {
    const second = openDb({ databaseUrl: t.testDb.databaseUrl, dataDir: t.testDb.dataDir });
    try {
      const otherServices = buildServices({ db: second, config: t.config, logger: createLogger('silent'), sessionSecret: 'x'.repeat(40) });
      const now = new Date('2027-05-21T02:00:00Z');
      const results = await Promise.all([
        draftPlansJob(t.testDb.db, t.services.plans, now),
        draftPlansJob(second, otherServices.plans, now),
        draftPlansJob(t.testDb.db, t.services.plans, now),
        draftPlansJob(second, otherServices.plans, now),
      ]);
      expect(results.filter((r) => r.ran)).toHaveLength(1);
      const rows = await t.testDb.db('plans').where({ month: '2027-06' });
      expect(rows).toHaveLength(2);
      // Even without the job lock, the database keeps one plan per agency and month.
      const direct = await Promise.all([t.services.plans.draft(null, agency.id, '2027-07'), otherServices.plans.draft(null, agency.id, '2027-07')]);
      expect(direct.filter((d) => d.created)).toHaveLength(1);
      expect(direct[0].plan.id).toBe(direct[1].plan.id);
    } finally {
      await second.destroy();
    }
  });
});
