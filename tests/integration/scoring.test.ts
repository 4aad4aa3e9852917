import { caseRemindersJob } from '../../server/courtesy/jobs';
import type { Unit } from '../../server/org/units-repo';
import { revisionHash } from '../../server/courtesy/results-repo';
import { createTestApp, seedUnit, seedUser, signedIn, type Client, type TestApp } from '../support/app';
import { fullMarksUnitAnswers } from '../support/score-answers';

/**
 * The evidence trail through HTTP: a tester's attempts and scoring sheet, the
 * result and its revisions, the improvement case and the re-test that closes it.
 */
let now = new Date('2026-12-07T02:00:00Z'); // Monday 7 December 2026, 10:00 in Taipei
let t: TestApp;
let agency: Unit;
let secretariat: Unit;
let personnel: Unit;
let testerA: { id: number; email: string };
let testerB: { id: number; email: string };
let tester: Client;
let otherTester: Client;
let head: Client;
let manager: Client;
let foreignManager: Client;
let version: string;

/** A published plan for December with one call per unit given, all to tester A unless said. */
async function publishedAssignment(unit: Unit, testerId: number, date: string, windowStart = '09:30'): Promise<number> {
  const db = t.testDb.db;
  const existing = await db('plans').where({ scope_unit_id: agency.id, month: date.slice(0, 7) }).first();
  const planId =
    existing?.id ??
    (
      await db('plans')
        .insert({ scope_unit_id: agency.id, month: date.slice(0, 7), status: 'published', seed: 's', warnings: '[]', created_at: now.toISOString(), published_at: now.toISOString() })
        .returning('id')
    )[0].id;
  const [row] = await db('assignments')
    .insert({
      plan_id: planId,
      unit_id: unit.id,
      part: 'unit',
      tester_id: testerId,
      date,
      window_start: windowStart,
      window_end: `${String(Number(windowStart.slice(0, 2)) + 1).padStart(2, '0')}${windowStart.slice(2)}`,
      reason_key: 'plan.reason.never',
      reason_params: '{}',
      created_at: now.toISOString(),
      updated_at: now.toISOString(),
    })
    .returning('id');
  return row.id;
}

/** Every answer of the unit part, all full marks, with overrides. */
const answers = (overrides: Record<string, string> = {}) => fullMarksUnitAnswers(version, overrides);

// 14 s (half of 15 → 7.5), surname no (−3), closing no (−3), tone neutral (−1.5), answer partly right (−5).
// Courtesy: applicable 25 − 6 (N/A) = 19, earned 19 − 3 − 3 − 1.5 = 11.5 → 11.5 × 25/19 = 15.1315…
// Total: 7.5 + 15.1315… + 10 = 32.6315… of 55 → × 100/55 = 59.33… → 59.3.
const poor = () => answers({ 'a_un.answer': '14', 'a_un.surname': 'no', 'a_un.closing': 'no', 'a_un.tone': '1', 'a_un.answer_quality': '1', 'r_un.surname': '未詢問貴姓' });

beforeAll(async () => {
  t = await createTestApp({}, () => now);
  agency = await seedUnit(t, { parentId: null, code: 'A', nameZh: '甲機關' });
  secretariat = await seedUnit(t, { parentId: agency.id, code: 'A-SEC', nameZh: '秘書室', phoneE164: '+886223456789', phoneExt: '123' });
  personnel = await seedUnit(t, { parentId: agency.id, code: 'A-PER', nameZh: '人事室' });
  const third = await seedUnit(t, { parentId: agency.id, code: 'A-ACC', nameZh: '會計室' });
  const other = await seedUnit(t, { parentId: null, code: 'B', nameZh: '乙機關' });
  testerA = await seedUser(t, 'tester', personnel.id);
  testerB = await seedUser(t, 'tester', third.id);
  const sign = async (email: string) => {
    const c = await signedIn(t.app, email);
    emails.set(c, email);
    return c;
  };
  tester = await sign(testerA.email);
  otherTester = await sign(testerB.email);
  head = await sign((await seedUser(t, 'unit_head', secretariat.id)).email);
  manager = await sign((await seedUser(t, 'manager', agency.id)).email);
  foreignManager = await sign((await seedUser(t, 'manager', other.id)).email);
  version = (await t.services.results.currentSheet()).sheet.version;
});
afterAll(() => t.close());

/** Moves the clock; sessions idle longer than the timeout end, so everyone signs in again. */
async function travel(iso: string): Promise<void> {
  now = new Date(iso);
  for (const c of [tester, otherTester, head, manager, foreignManager]) {
    const page = await c.agent.get('/login');
    if (page.status === 200) {
      const fresh = await signedIn(t.app, emails.get(c) as string);
      Object.assign(c, { agent: fresh.agent, csrf: fresh.csrf, post: fresh.post });
    }
  }
}
const emails = new Map<Client, string>();

const count = async (table: string) => Number((await t.testDb.db(table).count({ n: '*' }).first())?.n);

describe('the tester scores a call', () => {
  let assignmentId: number;
  let resultId: number;

  beforeAll(async () => {
    assignmentId = await publishedAssignment(secretariat, testerA.id, '2026-12-07');
  });

  test("today's call is listed first with the number to dial", async () => {
    await publishedAssignment(personnel, testerB.id, '2026-12-07');
    const page = (await tester.agent.get('/my/assignments')).text;
    expect(page).toContain('秘書室');
    expect(page).toContain('href="tel:+886223456789,123"');
    expect(page).not.toContain('人事室'); // tester B's call
  });

  test('bad input on the scoring form is refused with a message per field, and nothing is stored', async () => {
    const cases: [Record<string, string>, string][] = [
      [answers({ 'a_un.answer': '999' }), '請輸入 0 到 600 之間的秒數'],
      [answers({ 'a_un.tone': '7' }), '請從選項中選擇'],
      [answers({ 'a_un.greeting': 'na' }), '這一項不能選「不適用」'],
      [answers({ 'a_sb.bogus': 'yes' }), '評分表沒有這一項'],
      [{ ...answers(), 'a_un.referral': '' }, '請回答這一項'],
    ];
    for (const [form, message] of cases) {
      const res = await tester.post(`/assignments/${assignmentId}/score`, form);
      expect(res.status).toBe(422);
      expect(res.text).toContain(message);
      expect(res.text).toMatch(/name="a_un\.identify" value="yes" checked/); // the answers given are kept
    }
    const stale = await tester.post(`/assignments/${assignmentId}/score/confirm`, answers({ version: '0123456789abcdef' }));
    expect(stale.status).toBe(409);
    expect(stale.text).toContain('評分表在您填寫時已更新');
    expect((await otherTester.post(`/assignments/${assignmentId}/score/confirm`, answers())).status).toBe(404);
    expect(await count('results')).toBe(0);
  });

  test('the server computes the score and the tester sees it before confirming', async () => {
    const preview = await tester.post(`/assignments/${assignmentId}/score`, poor());
    expect(/<div class="error-summary"[\s\S]*?<\/div>/.exec(preview.text)?.[0]).toBeUndefined();
    expect(preview.status).toBe(200);
    expect(preview.text).toContain('59.3');
    expect(preview.text).toContain('待改善');
    expect(preview.text).toContain('這個結果須由受測單位提出改善報告並安排複測');
    expect(await count('results')).toBe(0);
    const confirmed = await tester.post(`/assignments/${assignmentId}/score/confirm`, poor());
    expect(confirmed.status).toBe(303);
    resultId = Number(/\/results\/(\d+)/.exec(confirmed.headers.location as string)?.[1]);
    const rev = await t.testDb.db('result_revisions').where({ result_id: resultId }).first();
    expect(rev).toMatchObject({ number: 1, total_tenths: 593, band: 'poor', ring_seconds: 14, reason: null });
    expect(JSON.parse(rev.reasons)).toEqual({ 'un.surname': '未詢問貴姓' });
    const stored = await t.testDb.db('results').where({ id: resultId }).first();
    const sheet = await t.testDb.db('scoresheet_versions').where({ id: stored.sheet_version_id }).first();
    expect(sheet.version).toBe(version);
    expect((await tester.post(`/assignments/${assignmentId}/score/confirm`, poor())).status).toBe(409);
  });

  test('a result under the threshold opens a case for the unit head, who sees the result without the tester', async () => {
    const c = await t.testDb.db('cases').where({ result_id: resultId }).first();
    expect(c).toMatchObject({ status: 'open', due_date: '2026-12-21', unit_id: secretariat.id });
    expect((await head.agent.get('/notifications')).text).toContain(`改善案件 #${c.id} 已開案`);
    const seen = await head.agent.get(`/results/${resultId}`);
    expect(seen.status).toBe(200);
    expect(seen.text).toContain('59.3');
    expect(seen.text).toContain('請教來電者貴姓');
    expect(seen.text).not.toContain('tester ');
    expect((await tester.agent.get(`/results/${resultId}`)).text).toContain('tester ');
    expect((await otherTester.agent.get(`/results/${resultId}`)).status).toBe(404);
    expect((await foreignManager.agent.get(`/results/${resultId}`)).status).toBe(404);
  });

  test('a correction needs a reason; both revisions stay visible and chained', async () => {
    const noReason = await tester.post(`/results/${resultId}/revise`, { ...poor(), reason: '' });
    expect(noReason.status).toBe(422);
    expect(noReason.text).toContain('請說明原因');
    expect(await t.testDb.db('result_revisions').where({ result_id: resultId })).toHaveLength(1);
    expect((await head.post(`/results/${resultId}/revise`, { ...poor(), reason: 'x' })).status).toBe(403);

    const fixed = await tester.post(`/results/${resultId}/revise`, { ...poor(), 'a_un.closing': 'yes', reason: '結束語誤勾' });
    expect(fixed.status).toBe(303);
    const revisions = await t.testDb.db('result_revisions').where({ result_id: resultId }).orderBy('number');
    expect(revisions.map((r: { total_tenths: number }) => r.total_tenths)).toEqual([593, 665]);
    const page = (await manager.agent.get(`/results/${resultId}`)).text;
    expect(page).toContain('第 1 版');
    expect(page).toContain('第 2 版');
    expect(page).toContain('原因：結束語誤勾');
    // The second revision's hash covers the first: recompute the chain from the stored rows.
    let previous = '';
    for (const r of revisions) {
      const content = {
        answers: JSON.parse(r.answers),
        reasons: JSON.parse(r.reasons),
        flags: JSON.parse(r.flags),
        ringSeconds: r.ring_seconds,
        total: r.total_tenths / 10,
        band: r.band,
        deductions: [],
        createdBy: r.created_by,
        reason: r.reason,
      };
      expect(revisionHash(previous, resultId, r.number, content, r.created_at)).toBe(r.hash);
      previous = r.hash;
    }
  });

  test('the improvement loop: report, return with a comment, report again, accept; the next draft re-tests by another tester in the other half-day', async () => {
    const c = await t.testDb.db('cases').where({ result_id: resultId }).first();
    expect((await head.post(`/cases/${c.id}/report`, { cause: '', actions: '' })).status).toBe(422);
    expect((await head.post(`/cases/${c.id}/report`, { cause: '新進同仁不熟悉應對用語', actions: '辦理電話禮貌訓練' })).status).toBe(303);
    const noComment = await manager.post(`/cases/${c.id}/decision`, { decision: 'return', comment: '' });
    expect(noComment.status).toBe(422);
    expect(noComment.text).toContain('退回時請寫下意見');
    expect((await manager.post(`/cases/${c.id}/decision`, { decision: 'return', comment: '請具體說明訓練日期' })).status).toBe(303);
    expect((await head.agent.get('/notifications')).text).toContain('被退回');
    expect((await head.post(`/cases/${c.id}/report`, { cause: '新進同仁不熟悉應對用語', actions: '12/15 辦理電話禮貌訓練' })).status).toBe(303);
    await travel('2026-12-10T02:00:00Z');
    expect((await manager.post(`/cases/${c.id}/decision`, { decision: 'accept', comment: '' })).status).toBe(303);
    const events = await t.testDb.db('case_events').where({ case_id: c.id }).orderBy('id');
    expect(events.map((e: { action: string }) => e.action)).toEqual(['opened', 'submitted', 'returned', 'submitted', 'accepted']);

    const { plan } = await t.services.plans.draft(null, agency.id, '2027-01');
    const retest = await t.testDb.db('assignments').where({ plan_id: plan.id, unit_id: secretariat.id }).first();
    expect(retest).toMatchObject({ retest_case_id: c.id, reason_key: 'plan.reason.retest' });
    expect(retest.tester_id).not.toBe(testerA.id);
    expect(retest.window_start >= '13:30').toBe(true); // the original call was at 09:30
    expect(retest.date <= '2027-01-09').toBe(true); // within 30 days of acceptance on 10 December

    await t.testDb.db('plans').where({ id: plan.id }).update({ status: 'published' });
    await travel(`${retest.date}T06:00:00Z`);
    const retester = retest.tester_id === testerB.id ? otherTester : await signedIn(t.app, (await t.testDb.db('users').where({ id: retest.tester_id }).first()).email);
    const done = await retester.post(`/assignments/${retest.id}/score/confirm`, answers());
    expect(done.status).toBe(303);
    const closed = await t.testDb.db('cases').where({ id: c.id }).first();
    expect(closed.status).toBe('closed');
    expect(closed.retest_result_id).toBe(Number(/\/results\/(\d+)/.exec(done.headers.location as string)?.[1]));
    expect((await head.agent.get(`/cases/${c.id}`)).text).toContain('完成複測');
  });

  test('a critical lapse opens a case whatever the score', async () => {
    await travel('2026-12-08T02:00:00Z');
    const id = await publishedAssignment(personnel, testerB.id, '2026-12-08');
    const res = await otherTester.post(`/assignments/${id}/score/confirm`, { ...answers(), flags: 'rude' });
    expect(res.status).toBe(303);
    const resultRow = await t.testDb.db('results').where({ assignment_id: id }).first();
    expect((await t.testDb.db('result_revisions').where({ result_id: resultRow.id }).first()).total_tenths).toBe(1000);
    expect(await t.testDb.db('cases').where({ result_id: resultRow.id }).first()).toBeDefined();
  });
});

describe('unanswered calls', () => {
  test('attempts at different times; the third ends the test as unreachable with an improvement case', async () => {
    await travel('2026-12-09T01:00:00Z');
    const id = await publishedAssignment(secretariat, testerA.id, '2026-12-09', '08:30');
    expect((await tester.post(`/assignments/${id}/attempts`, { outcome: 'no_answer' })).status).toBe(303);
    await travel('2026-12-09T01:10:00Z');
    const soon = await tester.post(`/assignments/${id}/attempts`, { outcome: 'busy' });
    expect(soon.status).toBe(422);
    expect(soon.text).toContain('距離上次撥打不到 30 分鐘');
    expect((await tester.post(`/assignments/${id}/attempts`, { outcome: 'fax' })).status).toBe(422);
    await travel('2026-12-09T03:00:00Z');
    expect((await tester.post(`/assignments/${id}/attempts`, { outcome: 'busy' })).status).toBe(303);
    expect(await t.testDb.db('results').where({ assignment_id: id }).first()).toBeUndefined();
    await travel('2026-12-09T06:00:00Z');
    expect((await tester.post(`/assignments/${id}/attempts`, { outcome: 'voicemail' })).status).toBe(303);
    const result = await t.testDb.db('results').where({ assignment_id: id }).first();
    expect(result.kind).toBe('unreachable');
    expect(await t.testDb.db('attempts').where({ assignment_id: id })).toHaveLength(3);
    expect(await t.testDb.db('cases').where({ result_id: result.id }).first()).toBeDefined();
    expect((await tester.post(`/assignments/${id}/attempts`, { outcome: 'busy' })).status).toBe(409);
  });
});

describe('the monthly score table and the overdue list', () => {
  test('units ranked by their mean score, with band, change and the most frequent deductions; withdrawn results left out', async () => {
    const page = await manager.agent.get(`/scores?month=2026-12&scope=${agency.id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('甲機關 民國115年12月 電話禮貌測試成績表');
    const csv = (await manager.agent.get(`/scores.csv?month=2026-12&scope=${agency.id}`)).text;
    const lines = csv.replace('\uFEFF', '').trim().split('\r\n');
    expect(lines[0]).toBe('名次,單位代碼,受測單位,測試次數,分數,等第,前次分數,與前次相比,月份,月份（民國）');
    // 人事室: one test at 100 → rank 1. 秘書室: 66.5 and an unreachable test without a score → 66.5, rank 2.
    expect(lines[1]).toBe('1,A-PER,人事室,1,100.0,優良,,,2026-12,民國115年12月');
    expect(lines[2]).toBe('2,A-SEC,秘書室,2,66.5,待改善,,,2026-12,民國115年12月');
    expect(page.text).toContain('請教來電者貴姓：1 次');

    const first = await t.testDb.db('results').where({ unit_id: personnel.id }).first();
    expect((await manager.post(`/results/${first.id}/withdraw`, { reason: '' })).status).toBe(422);
    expect((await manager.post(`/results/${first.id}/withdraw`, { reason: '撥錯電話' })).status).toBe(303);
    const after = (await manager.agent.get(`/scores.csv?month=2026-12&scope=${agency.id}`)).text;
    expect(after).not.toContain('A-PER');
    expect(await t.testDb.db('results').where({ id: first.id }).first()).toMatchObject({ withdraw_reason: '撥錯電話' });
    expect((await manager.agent.get(`/results/${first.id}`)).text).toContain('已撤回');
  });

  test('calls without a result after the deadline (the 3rd of the next month) are listed for the manager', async () => {
    await travel('2027-01-04T02:00:00Z');
    await publishedAssignment(personnel, testerA.id, '2026-12-15');
    const page = (await manager.agent.get('/results/overdue')).text;
    expect(page).toContain('人事室');
    expect(page).toContain('民國116年1月3日');
    expect((await foreignManager.agent.get('/results/overdue')).text).not.toContain('人事室');
  });
});

describe('reminders', () => {
  test('unit heads are reminded once of a case due within three days', async () => {
    const open = await t.testDb.db('cases').whereIn('status', ['open', 'returned']).orderBy('id');
    expect(open.length).toBeGreaterThan(0);
    const latestDue = open.map((c: { due_date: string }) => c.due_date).sort().pop() as string;
    const before = await t.testDb.db('notifications').where({ message_key: 'notify.caseDue' });
    const reminded = await t.services.cases.remindDue(new Date(`${latestDue}T00:00:00Z`));
    expect(reminded).toBe(open.length);
    const after = await t.testDb.db('notifications').where({ message_key: 'notify.caseDue' });
    expect(after.length).toBeGreaterThan(before.length);
    expect(await t.services.cases.remindDue(new Date(`${latestDue}T00:00:00Z`))).toBe(0);
  });

  test('the reminders job runs once per Taiwan calendar day, whatever the UTC date', async () => {
    const job = (iso: string) => caseRemindersJob(t.testDb.db, t.services.cases, new Date(iso));
    // 2027-02-01T16:30Z is 00:30 on 2 February in Taipei (UTC+8); 2027-02-02T15:59Z is 23:59 that day.
    expect(await job('2027-02-01T16:30:00Z')).toMatchObject({ ran: true, date: '2027-02-02' });
    expect(await job('2027-02-02T15:59:00Z')).toMatchObject({ ran: false, date: '2027-02-02' });
    expect(await job('2027-02-02T16:00:00Z')).toMatchObject({ ran: true, date: '2027-02-03' });
    const periods = await t.testDb.db('job_runs').where({ job: 'case-reminders' }).orderBy('period').pluck('period');
    expect(periods).toEqual(['2027-02-02', '2027-02-03']);
  });
});

describe('the settings decide the rules', () => {
  test('an administrator changes the follow-up threshold and the bands, with the order checked', async () => {
    const admin = await signedIn(t.app, (await seedUser(t, 'admin', agency.id)).email);
    const form = {
      officeStart: '08:30', lunchStart: '12:00', lunchEnd: '13:30', officeEnd: '17:30', windowMinutes: '60',
      unitsMode: 'count', unitsCount: '5', testsPerUnit: '1', parts: ['switchboard', 'unit'], draftDay: '20',
      bandExcellent: '90', bandGood: '80', bandFair: '70', followUpThreshold: '90', attemptsBeforeUnreachable: '3',
      unreachableRule: 'score', unreachableScore: '0', resultDeadlineDay: '3', caseDueDays: '14', retestWithinDays: '30',
    };
    const wrongOrder = await admin.post('/settings', { ...form, bandGood: '95' });
    expect(wrongOrder.status).toBe(422);
    expect(wrongOrder.text).toContain('等第門檻必須由高到低');
    expect((await admin.post('/settings', form)).status).toBe(303);
    const settings = await t.services.settings.get();
    expect(settings).toMatchObject({ followUpThreshold: 90, unreachableRule: 'score', unitsPerMonth: 5, parts: ['switchboard', 'unit'] });
  });
});
