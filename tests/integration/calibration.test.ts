import { CalibrationRepo } from '../../server/courtesy/calibration-repo';
import { ResultsRepo } from '../../server/courtesy/results-repo';
import type { Unit } from '../../server/org/units-repo';
import { createTestApp, seedUnit, seedUser, signedIn, type Client, type TestApp } from '../support/app';
import { seedRecordedResult } from '../support/calibration-seed';
import { FAKE_ACCOUNT_SID, FAKE_AUTH_TOKEN, FakeTwilio } from '../support/fake-twilio';
import { fullMarksUnitAnswers } from '../support/score-answers';

/**
 * Calibration rounds through HTTP on a migrated database (SQLite, and PostgreSQL in integration-pg):
 * creating a round, the blind rule (pages and direct URLs), scoring, completion, the figures, closing
 * early, the history, and who may do what.
 */

let t: TestApp;
let fake: FakeTwilio;
let recordingSids: string[];
let agency: Unit;
let unit: Unit;
let version: string;
const people: Record<string, { id: number; email: string }> = {};
const as: Record<string, Client> = {};
let recorded1: { resultId: number; total: number };
let recorded2: { resultId: number; total: number };
let unrecorded: { resultId: number };
let roundId: number;
let callIds: number[];

/** A urlencoded body with repeated keys for lists (checkboxes), and the session's CSRF token. */
function body(c: Client, fields: Record<string, string | string[] | number | number[]>): string {
  const p = new URLSearchParams({ _csrf: c.csrf });
  for (const [k, v] of Object.entries(fields)) for (const x of Array.isArray(v) ? v : [v]) p.append(k, String(x));
  return p.toString();
}
const send = (c: Client, path: string, fields: Record<string, string | string[] | number | number[]>) => c.agent.post(path).type('form').send(body(c, fields));

beforeAll(async () => {
  // Twilio configured, its SDK pointed at the local fake: the recordings are streamed from there.
  fake = await FakeTwilio.start();
  const env = { TWILIO_ACCOUNT_SID: FAKE_ACCOUNT_SID, TWILIO_AUTH_TOKEN: FAKE_AUTH_TOKEN, TWILIO_CALLER_ID: '+886277001234', PUBLIC_BASE_URL: 'https://courtesy.example.gov.tw' };
  t = await createTestApp(env, undefined, undefined, { twilioHttpClient: fake.httpClient });
  agency = await seedUnit(t, { parentId: null, code: 'A' });
  unit = await seedUnit(t, { parentId: agency.id, code: 'A1', nameZh: '戶政科', nameEn: 'Household Registration' });
  const other = await seedUnit(t, { parentId: null, code: 'B' });
  people.manager = await seedUser(t, 'manager', agency.id);
  people.admin = await seedUser(t, 'admin', agency.id);
  people.scorer = await seedUser(t, 'tester', unit.id);
  people.t1 = await seedUser(t, 'tester', unit.id);
  people.t2 = await seedUser(t, 'tester', unit.id);
  people.t3 = await seedUser(t, 'tester', unit.id);
  people.head = await seedUser(t, 'unit_head', unit.id);
  people.otherManager = await seedUser(t, 'manager', other.id);
  for (const [k, u] of Object.entries(people)) as[k] = await signedIn(t.app, u.email);
  version = (await t.services.results.currentSheet()).sheet.version;
  const scorer = people.scorer?.id ?? 0;
  // The first call's unit leg rang for 6 seconds (the reference scored 6); the second's has no events.
  recorded1 = await seedRecordedResult(t.testDb.db, { agencyId: agency.id, unitId: unit.id, testerId: scorer, date: '2026-10-05', ringSeconds: 6 });
  recorded2 = await seedRecordedResult(t.testDb.db, { agencyId: agency.id, unitId: unit.id, testerId: scorer, date: '2026-10-07' });
  unrecorded = await seedRecordedResult(t.testDb.db, { agencyId: agency.id, unitId: unit.id, testerId: scorer, date: '2026-10-09', recorded: false });
  recordingSids = (await t.testDb.db('recordings').orderBy('id').select('recording_sid')).map((r: { recording_sid: string }) => r.recording_sid);
});

afterAll(async () => {
  await t.close();
  await fake.close();
});

const m = () => as.manager as Client;
const id = (k: string) => people[k]?.id ?? 0;

describe('creating a round', () => {
  it('offers only scored calls with a playable recording, and the testers in reach', async () => {
    const res = await m().agent.get('/calibration/new');
    expect(res.status).toBe(200);
    expect(res.text).toContain(`name="calls" value="${recorded1.resultId}"`);
    expect(res.text).toContain(`name="calls" value="${recorded2.resultId}"`);
    expect(res.text).not.toContain(`name="calls" value="${unrecorded.resultId}"`);
    expect(res.text).toContain(`name="testers" value="${id('t1')}"`);
  });

  it('takes the newest calls that have a playable recording, however many newer calls have none', async () => {
    // A call whose recording was deleted per the retention period is no candidate either.
    const gone = await seedRecordedResult(t.testDb.db, { agencyId: agency.id, unitId: unit.id, testerId: id('scorer'), date: '2026-10-08' });
    await t.testDb.db('recordings').where({ id: gone.recordingId }).update({ deleted_at: new Date().toISOString() });
    // Limit 2: the unrecorded call of 10-09 and the deleted one of 10-08 are newer, yet both recorded ones come.
    const candidates = await new CalibrationRepo(t.testDb.db).candidates(agency.path, 2);
    const recordingOf = async (resultId: number) => {
      const r = await t.testDb.db('results').where({ id: resultId }).first();
      return (await t.testDb.db('recordings').join('calls', 'calls.id', 'recordings.call_id').where('calls.assignment_id', r.assignment_id).first('recordings.id')).id;
    };
    expect(candidates.map((c) => [c.resultId, c.recordingId])).toEqual([
      [recorded2.resultId, await recordingOf(recorded2.resultId)],
      [recorded1.resultId, await recordingOf(recorded1.resultId)],
    ]);
    const res = await m().agent.get('/calibration/new');
    expect(res.text).not.toContain(`name="calls" value="${gone.resultId}"`);
  });

  it('refuses bad input with a message per field, the choices kept, and stores nothing', async () => {
    const res = await send(m(), '/calibration', { testers: [id('t1')], due_on: '2020-01-01' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('請至少選一通電話');
    expect(res.text).toContain('請至少選兩位測試人員');
    expect(res.text).toMatch(new RegExp(`name="testers" value="${id('t1')}" checked`));
    const past = await send(m(), '/calibration', { calls: [recorded1.resultId], testers: [id('t1'), id('t2')], due_on: '2020-01-01' });
    expect(past.status).toBe(422);
    expect(past.text).toContain('期限不能早於今天');
    expect(past.text).toContain('value="2020-01-01"');
    const badDate = await send(m(), '/calibration', { calls: [recorded1.resultId], testers: [id('t1'), id('t2')], due_on: '2099-02-31' });
    expect(badDate.status).toBe(422);
    expect(badDate.text).toContain('請輸入日期');
    const junk = await send(m(), '/calibration', { calls: ['x'], testers: ['1; drop'], due_on: 'soon' });
    expect(junk.status).toBe(422);
    expect(Number((await t.testDb.db('calibration_rounds').count({ n: '*' }).first())?.n)).toBe(0);
  });

  it('refuses a call without a recording, and the tester who gave the reference score', async () => {
    const noRec = await send(m(), '/calibration', { calls: [unrecorded.resultId], testers: [id('t1'), id('t2')], due_on: '2099-12-31' });
    expect(noRec.status).toBe(422);
    expect(noRec.text).toContain('有錄音且已評分');
    const own = await send(m(), '/calibration', { calls: [recorded1.resultId], testers: [id('t1'), id('scorer')], due_on: '2099-12-31' });
    expect(own.status).toBe(422);
    expect(own.text).toContain('原評分的測試人員不能受邀');
    expect(Number((await t.testDb.db('calibration_rounds').count({ n: '*' }).first())?.n)).toBe(0);
  });

  it('creates the round and tells the invited testers', async () => {
    const res = await send(m(), '/calibration', { calls: [recorded1.resultId, recorded2.resultId], testers: [id('t1'), id('t2')], due_on: '2099-12-31' });
    expect(res.status).toBe(303);
    roundId = Number(/\/calibration\/(\d+)$/.exec(res.headers.location ?? '')?.[1]);
    expect(roundId).toBeGreaterThan(0);
    const calls = await t.testDb.db('calibration_calls').where({ round_id: roundId }).orderBy('position');
    callIds = calls.map((c: { id: number }) => c.id);
    expect(calls.map((c: { result_id: number }) => c.result_id)).toEqual([recorded1.resultId, recorded2.resultId]);
    const raters = await t.testDb.db('calibration_raters').where({ round_id: roundId }).orderBy('tester_id');
    expect(raters.map((r: { tester_id: number }) => r.tester_id)).toEqual([id('t1'), id('t2')]);
    const notes = await t.testDb.db('notifications').whereIn('user_id', [id('t1'), id('t2'), id('t3')]).where({ message_key: 'notify.calibrationInvited' });
    expect(notes.map((n: { user_id: number }) => n.user_id).sort((a: number, b: number) => a - b)).toEqual([id('t1'), id('t2')]);
  });
});

describe('blind scoring', () => {
  const task = (n: number) => `/calibration/${roundId}/calls/${callIds[n]}`;

  it('lists the tester’s calls to score, on the calibration page and the day page', async () => {
    const list = await (as.t1 as Client).agent.get('/calibration');
    expect(list.status).toBe(200);
    expect(list.text).toContain(`href="${task(0)}"`);
    expect(list.text).toContain(`href="${task(1)}"`);
    const day = await (as.t1 as Client).agent.get('/my/assignments');
    expect(day.text).toContain('您有 2 通校準電話待盲評');
    const none = await (as.t3 as Client).agent.get('/calibration');
    expect(none.text).not.toContain(`/calibration/${roundId}/calls/`);
  });

  it('shows the form with the recording, and nothing of the reference', async () => {
    const res = await (as.t1 as Client).agent.get(task(0));
    expect(res.status).toBe(200);
    expect(res.text).toContain(`<audio controls preload="none" src="${task(0)}/recording"`);
    expect(res.text).toContain('name="a_un.greeting"');
    expect(res.text).not.toContain('checked');
    expect(res.text).not.toContain(`/results/${recorded1.resultId}`);
  });

  it('streams the recording to the invited testers and managers in reach, and to nobody else', async () => {
    const audio = await (as.t1 as Client).agent.get(`${task(0)}/recording`).set('Range', 'bytes=0-43');
    expect(audio.status).toBe(206);
    expect(audio.headers['content-type']).toMatch(/^audio\/(x-)?wav/);
    expect(audio.headers['cache-control']).toBe('private, no-store');
    expect(fake.mediaRequests.at(-1)).toEqual({ recordingSid: recordingSids[0], range: 'bytes=0-43' });
    expect((await m().agent.get(`${task(1)}/recording`)).status).toBe(200);
    expect(fake.mediaRequests.at(-1)?.recordingSid).toBe(recordingSids[1]);
    const before = fake.mediaRequests.length;
    expect((await (as.t3 as Client).agent.get(`${task(0)}/recording`)).status).toBe(404);
    expect((await (as.otherManager as Client).agent.get(`${task(0)}/recording`)).status).toBe(404);
    expect((await (as.head as Client).agent.get(`${task(0)}/recording`)).status).toBe(403);
    expect(fake.mediaRequests.length).toBe(before);
    // The recordings page's own rule still lets only the tester who made the call play it there.
    const recordingId = (await t.testDb.db('recordings').where({ recording_sid: recordingSids[0] }).first()).id;
    expect((await (as.t1 as Client).agent.get(`/recordings/${recordingId}/audio`)).status).toBe(404);
  });

  it('fills in the measured ring time with its source (the recording starts at the answer)', async () => {
    const measured = await (as.t1 as Client).agent.get(task(0));
    expect(measured.text).toContain('系統量得 6 秒。');
    expect(measured.text).toContain('實測：從受測單位電話響起到接聽');
    expect(measured.text).toMatch(/name="a_un.answer" value="6"/);
    expect(measured.text).toContain('name="ring_reason"');
    // No events for the second call: nothing measured, the field is empty.
    const unmeasured = await (as.t1 as Client).agent.get(task(1));
    expect(unmeasured.text).not.toContain('系統量得');
    expect(unmeasured.text).toMatch(/name="a_un.answer" value=""/);
  });

  it('asks why when another figure than the measured one is sent, and stores nothing', async () => {
    const res = await send(as.t2 as Client, task(0), fullMarksUnitAnswers(version, { 'a_un.answer': '12' }));
    expect(res.status).toBe(422);
    expect(res.text).toContain('href="#ring_reason"');
    expect(res.text).toMatch(/name="a_un.answer" value="12"/);
    expect(Number((await t.testDb.db('calibration_scores').count({ n: '*' }).first())?.n)).toBe(0);
  });

  it('keeps the answers and names the field when one is missing, and stores nothing', async () => {
    const answers = fullMarksUnitAnswers(version, { 'a_un.greeting': 'no' });
    delete (answers as Record<string, string>)['a_un.closing'];
    const res = await send(as.t1 as Client, task(0), answers);
    expect(res.status).toBe(422);
    expect(res.text).toContain('href="#a_un.closing"');
    expect(res.text).toMatch(/name="a_un.greeting" value="no" checked/);
    expect(Number((await t.testDb.db('calibration_scores').count({ n: '*' }).first())?.n)).toBe(0);
  });

  it('refuses other testers, unit heads and managers of other agencies, by page and by URL', async () => {
    expect((await (as.t3 as Client).agent.get(task(0))).status).toBe(404);
    expect((await send(as.t3 as Client, task(0), fullMarksUnitAnswers(version))).status).toBe(404);
    expect((await (as.scorer as Client).agent.get(task(0))).status).toBe(404);
    expect((await (as.head as Client).agent.get(task(0))).status).toBe(403);
    expect((await (as.head as Client).agent.get(`/calibration/${roundId}`)).status).toBe(403);
    expect((await (as.head as Client).agent.get('/calibration')).status).toBe(403);
    expect((await m().agent.get(task(0))).status).toBe(403);
    expect((await (as.otherManager as Client).agent.get(`/calibration/${roundId}`)).status).toBe(404);
    expect((await (as.otherManager as Client).agent.get(`/calibration/testers/${id('t1')}`)).status).toBe(404);
    // A call id of another round, or one that does not exist.
    expect((await (as.t1 as Client).agent.get(`/calibration/${roundId}/calls/999999`)).status).toBe(404);
    expect((await (as.t1 as Client).agent.get(`/calibration/${roundId + 1}/calls/${callIds[0]}`)).status).toBe(404);
  });

  it('keeps everyone’s scores and the reference hidden until all have submitted', async () => {
    // Rater 1 (t1): call 1 without the greeting, call 2 full marks.
    expect((await send(as.t1 as Client, task(0), fullMarksUnitAnswers(version, { 'a_un.greeting': 'no' }))).status).toBe(303);
    expect((await send(as.t1 as Client, task(1), fullMarksUnitAnswers(version))).status).toBe(303);
    expect((await (as.t1 as Client).agent.get(task(0))).status).toBe(409);
    expect((await send(as.t1 as Client, task(0), fullMarksUnitAnswers(version))).status).toBe(409);
    // The testers: the round page and the reference result are closed to them, the other tester's form shows nothing.
    for (const who of ['t1', 't2', 't3']) expect((await (as[who] as Client).agent.get(`/calibration/${roundId}`)).status).toBe(404);
    expect((await (as.t1 as Client).agent.get(`/results/${recorded1.resultId}`)).status).toBe(404);
    const t2form = await (as.t2 as Client).agent.get(task(0));
    expect(t2form.text).not.toContain('checked');
    // The manager sees who has submitted, but no score and no statistic.
    const page = await m().agent.get(`/calibration/${roundId}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('已送出');
    expect(page.text).toContain('尚未送出');
    expect(page.text).not.toContain('92.8');
    expect(page.text).not.toContain('ICC(2,1)');
    expect(page.text).toContain('所有受邀者送出前');
  });

  it('completes the round with the last score, and then shows the figures', async () => {
    // Rater 2 (t2): call 1 with a neutral tone (half of 3 points), call 2 full marks.
    expect((await send(as.t2 as Client, task(0), fullMarksUnitAnswers(version, { 'a_un.tone': '1' }))).status).toBe(303);
    const last = await send(as.t2 as Client, task(1), fullMarksUnitAnswers(version));
    expect(last.status).toBe(303);
    const round = await t.testDb.db('calibration_rounds').where({ id: roundId }).first();
    expect(round.status).toBe('complete');
    const scores = await t.testDb.db('calibration_scores').orderBy(['call_id', 'tester_id']);
    // Unit part, courtesy section 25 points over 19 applicable (message and hold N/A):
    // 16/19 → (15 + 25·16/19 + 15)·100/55 = 92.82… → 92.8; 17.5/19 → 96.41… → 96.4.
    expect(scores.map((s: { total_tenths: number }) => Number(s.total_tenths))).toEqual([928, 964, 1000, 1000]);

    const page = await m().agent.get(`/calibration/${roundId}`);
    expect(page.status).toBe(200);
    // ICC(2,1) of [[92.8, 96.4], [100, 100]]: numpy/scipy from the Shrout & Fleiss and McGraw & Wong formulas
    // (tests/unit/stats-calibration.test.ts shows the snippet) → 0.8000, 95% CI [−0.6306, 0.9997].
    expect(page.text).toContain('0.80（95% 信賴區間 -0.63 至 1.00；2 通電話，2 位測試人員）');
    expect(page.text).toContain('解讀：總分一致性良好');
    // Ordinal α over the 18 pairable (call, item) units (message and hold are N/A for both): the same
    // numpy coincidence-matrix snippet → −0.0294.
    expect(page.text).toContain('-0.03（18 個電話項目，共 36 個評分）');
    expect(page.text).toContain('項目評分不夠一致');
    // Greeting: 3 of 4 answers match the reference; spread: call 1 [0, 3] → 3, call 2 [3, 3] → 0: mean 1.50.
    expect(page.text).toMatch(/使用問候語[\s\S]*?<td>3<\/td>\s*<td>3 \/ 4（75\.0%）<\/td>\s*<td>1\.50<\/td>/);
    // Alignment over 49 compared points per call: t1 lost 3 → 1 − 3/98 = 96.9%; t2 lost 1.5 → 1 − 1.5/98 = 98.5%.
    expect(page.text).toContain('<td><strong>96.9%</strong></td>');
    expect(page.text).toContain('<td><strong>98.5%</strong></td>');
    // The reference totals are shown now.
    expect(page.text).toMatch(/<td>92\.8<\/td>\s*<td>96\.4<\/td>\s*<td>100\.0<\/td>/);

    // A participating tester sees the round now, the others anonymised; a tester not in it still does not.
    const mine = await (as.t1 as Client).agent.get(`/calibration/${roundId}`);
    expect(mine.status).toBe(200);
    // The letters were drawn when the round was created and kept with it; t2 is shown by its own.
    const positions = await t.testDb.db('calibration_raters').where({ round_id: roundId }).orderBy('tester_id').select('tester_id', 'label_position');
    expect(positions.map((r: { label_position: number }) => Number(r.label_position)).sort()).toEqual([1, 2]);
    const t2Letter = Number(positions.find((r: { tester_id: number }) => r.tester_id === id('t2'))?.label_position) === 1 ? 'A' : 'B';
    expect(mine.text).toContain(`測試人員 ${t2Letter}`);
    expect(mine.text).not.toContain(`測試人員 ${t2Letter === 'A' ? 'B' : 'A'}`);
    expect((await (as.t2 as Client).agent.get(`/calibration/${roundId}`)).text).toContain(`測試人員 ${t2Letter === 'A' ? 'B' : 'A'}`);
    const nameOf = (k: string) => `tester ${(people[k]?.email ?? '').replace(/\D/g, '')}`;
    expect(mine.text).not.toContain(nameOf('t2'));
    expect(page.text).toContain(nameOf('t2'));
    expect(mine.text).not.toContain(`/results/${recorded1.resultId}`);
    expect((await (as.t3 as Client).agent.get(`/calibration/${roundId}`)).status).toBe(404);
    // The round is over: no more scoring, no closing.
    expect((await (as.t1 as Client).agent.get(task(0))).status).toBe(409);
    expect((await send(m(), `/calibration/${roundId}/close`, { confirm: 'yes' })).status).toBe(409);
  });

  it('reads the same in English', async () => {
    const admin = as.admin as Client;
    await admin.post('/lang', { lang: 'en', next: '/calibration' });
    const page = await admin.agent.get(`/calibration/${roundId}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('0.80 (95% confidence interval -0.63 to 1.00; 2 calls, 2 testers)');
    expect(page.text).toContain('Reading: good agreement on totals');
    expect(page.text).toContain('3 of 4 (75.0%)');
  });

  it('shows a tester’s history to managers: stricter on the greeting', async () => {
    const res = await m().agent.get(`/calibration/testers/${id('t1')}`);
    expect(res.status).toBe(200);
    expect(res.text).toMatch(/使用問候語<\/th>\s*<td>2<\/td>\s*<td>-1\.50<\/td>\s*<td>1 \/ 0<\/td>/);
    expect((await (as.t1 as Client).agent.get(`/calibration/testers/${id('t1')}`)).status).toBe(403);
  });
});

describe('a result revised after its round', () => {
  it('keeps the reference the round was created with: the figures and the history do not change', async () => {
    const before = await m().agent.get(`/calibration/${roundId}`);
    const history = await m().agent.get(`/calibration/testers/${id('t1')}`);
    const stored = await t.testDb.db('calibration_calls').where({ round_id: roundId }).orderBy('position');
    const firstRevisions = await t.testDb.db('result_revisions').whereIn('result_id', [recorded1.resultId, recorded2.resultId]).orderBy('result_id').select('id');
    expect(stored.map((c: { reference_revision_id: number }) => Number(c.reference_revision_id))).toEqual(firstRevisions.map((r: { id: number }) => r.id));
    // A reviewer revises call 1 afterwards: no greeting, total 94.5.
    const results = new ResultsRepo(t.testDb.db);
    const latest = (await results.revisions(recorded1.resultId)).at(-1);
    if (!latest) throw new Error('no revision');
    const t1Score = await t.testDb.db('calibration_scores').where({ call_id: callIds[0], tester_id: id('t1') }).first();
    const answers = { ...latest.answers, 'un.greeting': (JSON.parse(t1Score.answers) as Record<string, unknown>)['un.greeting'] } as typeof latest.answers;
    await t.testDb.db.transaction((trx) =>
      results.addRevision(recorded1.resultId, { ...latest, answers, total: 94.5, createdBy: id('manager'), reason: 'reviewed' }, new Date().toISOString(), trx),
    );
    const after = await m().agent.get(`/calibration/${roundId}`);
    expect(after.text).toMatch(/<td>92\.8<\/td>\s*<td>96\.4<\/td>\s*<td>100\.0<\/td>/);
    expect(after.text).toContain('3 / 4（75.0%）');
    expect(after.text).toBe(before.text);
    expect((await m().agent.get(`/calibration/testers/${id('t1')}`)).text).toBe(history.text);
  });
});

describe('closing early', () => {
  let second: number;
  let call: number;

  beforeAll(async () => {
    const res = await send(m(), '/calibration', { calls: [recorded1.resultId], testers: [id('t1'), id('t3')], due_on: '2099-12-31' });
    second = Number(/\/calibration\/(\d+)$/.exec(res.headers.location ?? '')?.[1]);
    call = (await t.testDb.db('calibration_calls').where({ round_id: second }).first()).id;
    expect((await send(as.t1 as Client, `/calibration/${second}/calls/${call}`, fullMarksUnitAnswers(version))).status).toBe(303);
  });

  it('needs the explicit confirmation', async () => {
    const res = await send(m(), `/calibration/${second}/close`, {});
    expect(res.status).toBe(422);
    expect(res.text).toContain('請勾選確認後再提前結束');
    expect((await t.testDb.db('calibration_rounds').where({ id: second }).first()).status).toBe('open');
    expect((await send(as.t1 as Client, `/calibration/${second}/close`, { confirm: 'yes' })).status).toBe(403);
  });

  it('closes, names who did not submit, and takes no more scores', async () => {
    expect((await send(m(), `/calibration/${second}/close`, { confirm: 'yes' })).status).toBe(303);
    const round = await t.testDb.db('calibration_rounds').where({ id: second }).first();
    expect(round.status).toBe('closed');
    expect(round.closed_by).toBe(id('manager'));
    const page = await m().agent.get(`/calibration/${second}`);
    expect(page.text).toContain(`以下人員未送出全部評分：tester`);
    expect(page.text).toMatch(new RegExp(`未送出全部評分：[^<]*${`tester ${(people.t3?.email ?? '').replace(/\D/g, '')}`}`));
    // One call and one rater: neither statistic can be computed, and the page says why.
    expect(page.text).toContain('無法計算：需要至少兩通電話');
    expect((await (as.t3 as Client).agent.get(`/calibration/${second}/calls/${call}`)).status).toBe(409);
    expect((await (as.t1 as Client).agent.get(`/calibration/${second}`)).status).toBe(200);
  });
});

describe('submissions at the same moment', () => {
  it('the last two scores sent together complete the round; a double send stores one score', async () => {
    const res = await send(m(), '/calibration', { calls: [recorded2.resultId], testers: [id('t1'), id('t2')], due_on: '2099-12-31' });
    const round = Number(/\/calibration\/(\d+)$/.exec(res.headers.location ?? '')?.[1]);
    const call = (await t.testDb.db('calibration_calls').where({ round_id: round }).first()).id;
    const path = `/calibration/${round}/calls/${call}`;
    const statuses = await Promise.all([
      send(as.t1 as Client, path, fullMarksUnitAnswers(version)),
      send(as.t1 as Client, path, fullMarksUnitAnswers(version)),
      send(as.t2 as Client, path, fullMarksUnitAnswers(version)),
    ]).then((all) => all.map((r) => r.status));
    expect(statuses.slice(0, 2).sort()).toEqual([303, 409]);
    expect(statuses[2]).toBe(303);
    const scores = await t.testDb.db('calibration_scores').where({ call_id: call }).orderBy('tester_id');
    expect(scores.map((s: { tester_id: number }) => s.tester_id)).toEqual([id('t1'), id('t2')]);
    expect((await t.testDb.db('calibration_rounds').where({ id: round }).first()).status).toBe('complete');
  });
});

describe('a tester’s history and the manager’s reach', () => {
  it('leaves out rounds with calls of units the manager cannot reach', async () => {
    const intro = (n: number) => `已結束的 ${n} 個校準回合中`;
    const before = await m().agent.get(`/calibration/testers/${id('t1')}`);
    expect(before.text).toContain(intro(3));
    const greetingRow = /使用問候語<\/th>\s*<td>\d+<\/td>\s*<td>[^<]*<\/td>/.exec(before.text)?.[0];
    // An administrator's round on a call of the other agency, t1 stricter on the greeting, closed early.
    const other = await t.testDb.db('units').where({ code: 'B' }).first();
    const far = await seedRecordedResult(t.testDb.db, { agencyId: other.id, unitId: other.id, testerId: id('scorer'), date: '2026-10-10', ringSeconds: 9 });
    const admin = as.admin as Client;
    await admin.post('/lang', { lang: 'zh-TW', next: '/calibration' });
    const res = await send(admin, '/calibration', { calls: [far.resultId], testers: [id('t1'), id('t2')], due_on: '2099-12-31' });
    expect(res.status).toBe(303);
    const round = Number(/\/calibration\/(\d+)$/.exec(res.headers.location ?? '')?.[1]);
    const call = (await t.testDb.db('calibration_calls').where({ round_id: round }).first()).id;
    // t1 hears 6 seconds rather than the 9 measured, and says why: the reason is kept with the score.
    const scored = await send(as.t1 as Client, `/calibration/${round}/calls/${call}`, { ...fullMarksUnitAnswers(version, { 'a_un.greeting': 'no' }), ring_reason: 'rang twice only' });
    expect(scored.status).toBe(303);
    const stored = await t.testDb.db('calibration_scores').where({ call_id: call, tester_id: id('t1') }).first();
    expect(JSON.parse(stored.reasons)).toEqual({ ring_reason: 'rang twice only' });
    expect((await send(admin, `/calibration/${round}/close`, { confirm: 'yes' })).status).toBe(303);
    // The administrator reaches both agencies: the round counts; the manager of agency A sees the same as before.
    expect((await admin.agent.get(`/calibration/testers/${id('t1')}`)).text).toContain(intro(4));
    const after = await m().agent.get(`/calibration/testers/${id('t1')}`);
    expect(after.text).toContain(intro(3));
    expect(greetingRow).toBeDefined();
    expect(after.text).toContain(greetingRow);
  });
});
