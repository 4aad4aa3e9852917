import request from 'supertest';
import type { Unit } from '../../server/org/units-repo';
import {
  callLeg,
  callScenarios,
  callStatusParams,
  FAKE_AUTH_TOKEN,
  FAKE_ACCOUNT_SID,
  FakeTwilio,
  sid,
  signWebhook,
  webhookRequest,
  type CallLeg,
  type TwilioWebhook,
  type WebhookTarget,
} from '../support/fake-twilio';
import { createTestApp, seedUnit, seedUser, signedIn, type Client, type TestApp } from '../support/app';
import { fullMarksUnitAnswers } from '../support/score-answers';

/**
 * The click-to-call bridge through HTTP, with the real Twilio SDK pointed at
 * the local fake (nothing reaches the internet): pressing Call, the TwiML
 * webhook, the unit leg's status callbacks as Twilio sends them (signed for
 * the public address, played at the app as through a proxy that strips the
 * /app prefix), the call page, the scoring form's measured ring time, forged
 * webhooks, the administrator's test SMS, and manual mode.
 */
const PUBLIC = 'https://courtesy.example.gov.tw/app';
const CALLER_ID = '+886277001234';
const TESTER_PHONE = '+886912345678';
// Sessions outlive the hours the clock is moved by (attempts must be half an hour apart).
const TWILIO_ENV = { TWILIO_ACCOUNT_SID: FAKE_ACCOUNT_SID, TWILIO_AUTH_TOKEN: FAKE_AUTH_TOKEN, TWILIO_CALLER_ID: CALLER_ID, PUBLIC_BASE_URL: PUBLIC, SESSION_IDLE_MINUTES: '600' };
const START = new Date('2026-12-07T02:05:00Z');
const TODAY = '2026-12-07';

let now = new Date('2026-12-07T02:00:00Z'); // Monday 7 December 2026, 10:00 in Taipei
let fake: FakeTwilio;
let t: TestApp;
let agency: Unit;
let testerA: { id: number; email: string };
let testerB: { id: number; email: string };
let admin: { id: number; email: string };
let tester: Client;
let otherTester: Client;
let adminClient: Client;
let version: string;
let unitCounter = 0;

const db = () => t.testDb.db;
const count = async (table: string, where: Record<string, unknown> = {}) => Number((await db()(table).where(where).count({ n: '*' }).first())?.n);
const counts = async () => ({ calls: await count('calls'), events: await count('call_events'), attempts: await count('attempts'), results: await count('results') });

/** A section with a phone number (and an extension: its switchboard answers first). */
async function unitWithPhone(ext: string | null = null, phone: string | null = '+886223456789'): Promise<Unit> {
  unitCounter += 1;
  return seedUnit(t, { parentId: agency.id, code: `T${unitCounter}`, nameZh: `科室${unitCounter}`, phoneE164: phone, phoneExt: ext });
}

/** A call in this month's published plan. */
async function publishedAssignment(unit: Unit, testerId: number, part: 'unit' | 'switchboard' = 'unit'): Promise<number> {
  const existing = await db()('plans').where({ scope_unit_id: agency.id, month: TODAY.slice(0, 7) }).first();
  const planId =
    existing?.id ??
    (
      await db()('plans')
        .insert({ scope_unit_id: agency.id, month: TODAY.slice(0, 7), status: 'published', seed: 's', warnings: '[]', created_at: now.toISOString(), published_at: now.toISOString() })
        .returning('id')
    )[0].id;
  const [row] = await db()('assignments')
    .insert({
      plan_id: planId,
      unit_id: unit.id,
      part,
      tester_id: testerId,
      date: TODAY,
      window_start: '10:00',
      window_end: '11:00',
      reason_key: 'plan.reason.never',
      reason_params: '{}',
      created_at: now.toISOString(),
      updated_at: now.toISOString(),
    })
    .returning('id');
  return row.id;
}

/** Every answer of the unit part, full marks, with the ring time given. */
const answers = (seconds: string, extra: Record<string, string> = {}) => fullMarksUnitAnswers(version, { 'a_un.answer': seconds, ...extra });

const omit = (params: Record<string, string>, key: string) => Object.fromEntries(Object.entries(params).filter(([k]) => k !== key));
const target = (path: string, publicBaseUrl = PUBLIC, authToken = FAKE_AUTH_TOKEN): WebhookTarget => ({ authToken, publicBaseUrl, path });
const unitTarget = (callId: number) => target(`/twilio/calls/${callId}/unit-status`);

/** POSTs webhooks to the app in order, as Twilio would (no session, no cookie). */
async function play(hooks: readonly TwilioWebhook[], headers: (h: TwilioWebhook) => Record<string, string> = (h) => webhookRequest(h).headers): Promise<{ status: number; text: string; type: string }[]> {
  const answers: { status: number; text: string; type: string }[] = [];
  for (const hook of hooks) {
    const res = await request(t.app).post(hook.path).set(headers(hook)).send(webhookRequest(hook).body);
    answers.push({ status: res.status, text: res.text, type: String(res.headers['content-type'] ?? '') });
  }
  return answers;
}

/** The tester leg's status callbacks (the call Twilio placed to the tester). */
function testerHooks(callId: number, callSid: string, statuses: string[]): TwilioWebhook[] {
  const leg: CallLeg = { ...callLeg({ callSid, to: TESTER_PHONE, from: CALLER_ID }) };
  return statuses.map((status, n) => {
    const params = omit(callStatusParams(leg, status, n, new Date(START.getTime() + n * 1000)), 'ParentCallSid');
    return signWebhook(FAKE_AUTH_TOKEN, PUBLIC, `/twilio/calls/${callId}/tester-status`, { ...params, Direction: 'outbound-api' });
  });
}

/** Presses Call on an assignment; the call's id and the SID the fake gave it. */
async function pressCall(who: Client, assignmentId: number): Promise<{ callId: number; callSid: string }> {
  const res = await who.post(`/assignments/${assignmentId}/call`);
  expect(res.status).toBe(303);
  const callId = Number(/^\/calls\/(\d+)$/.exec(String(res.headers.location))?.[1]);
  const call = await db()('calls').where({ id: callId }).first();
  return { callId, callSid: call.call_sid };
}

/** A whole call: Call pressed, the tester answers, then the unit leg's scenario is played. */
async function callWith(unit: Unit, scenario: (t: WebhookTarget, leg: CallLeg, start: Date) => TwilioWebhook[], assignmentId?: number) {
  const id = assignmentId ?? (await publishedAssignment(unit, testerA.id));
  const { callId, callSid } = await pressCall(tester, id);
  expect((await play(testerHooks(callId, callSid, ['initiated', 'ringing', 'in-progress']))).map((a) => a.status)).toEqual([204, 204, 204]);
  const leg = callLeg({ parentCallSid: callSid, to: unit.phoneE164 ?? '', from: CALLER_ID });
  const hooks = scenario(unitTarget(callId), leg, START);
  const answers = await play(hooks);
  return { assignmentId: id, callId, callSid, leg, hooks, answers };
}

const statusOf = async (who: Client, callId: number) => (await who.agent.get(`/calls/${callId}/status.json`).set('Accept', 'application/json')).body as Record<string, unknown>;

beforeAll(async () => {
  fake = await FakeTwilio.start();
  t = await createTestApp(TWILIO_ENV, () => now, undefined, { twilioHttpClient: fake.httpClient });
  agency = await seedUnit(t, { parentId: null, code: 'A', nameZh: '甲機關' });
  const home = await seedUnit(t, { parentId: agency.id, code: 'A-RES', nameZh: '研考科' });
  testerA = await seedUser(t, 'tester', home.id);
  testerB = await seedUser(t, 'tester', home.id);
  admin = await seedUser(t, 'admin', agency.id);
  await db()('users').where({ id: testerA.id }).update({ phone_e164: TESTER_PHONE });
  tester = await signedIn(t.app, testerA.email);
  otherTester = await signedIn(t.app, testerB.email);
  adminClient = await signedIn(t.app, admin.email);
  version = (await t.services.results.currentSheet()).sheet.version;
});
afterAll(async () => {
  await t.close();
  await fake.close();
});

describe('pressing Call', () => {
  test("the tester's page offers Call beside the number", async () => {
    const unit = await unitWithPhone();
    const id = await publishedAssignment(unit, testerA.id);
    const page = (await tester.agent.get('/my/assignments')).text;
    expect(page).toContain(`action="/assignments/${id}/call"`);
    expect(page).toContain(`id="call-${id}"`);
    expect(page).not.toContain('手動模式');
  });

  test("Twilio rings the tester's own phone, and will fetch this call's TwiML and report its progress at the public address", async () => {
    const unit = await unitWithPhone('123');
    const assignmentId = await publishedAssignment(unit, testerA.id);
    const before = fake.calls.length;
    const { callId, callSid } = await pressCall(tester, assignmentId);
    expect(fake.calls).toHaveLength(before + 1);
    expect(fake.calls.at(-1)).toEqual({
      sid: callSid,
      params: {
        To: TESTER_PHONE,
        From: CALLER_ID,
        Url: `${PUBLIC}/twilio/calls/${callId}/bridge`,
        Method: 'POST',
        StatusCallback: `${PUBLIC}/twilio/calls/${callId}/tester-status`,
        StatusCallbackMethod: 'POST',
        StatusCallbackEvent: ['initiated', 'ringing', 'answered', 'completed'],
        Timeout: '30',
      },
    });
    expect(await db()('calls').where({ id: callId }).first()).toMatchObject({
      assignment_id: assignmentId,
      tester_id: testerA.id,
      call_sid: expect.stringMatching(/^CA[0-9a-f]{32}$/),
      status: 'calling-tester',
      started_at: now.toISOString(),
      attempt: null,
    });
    expect(Boolean((await db()('calls').where({ id: callId }).first()).answered_by_menu)).toBe(true);

    const page = await tester.agent.get(`/calls/${callId}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain(`撥打：${unit.nameZh}`);
    expect(page.text).toContain('正在撥打您的電話…');
    expect(page.text).toContain(`href="/calls/${callId}">重新整理狀態</a>`);
    expect(page.text).toContain(`data-poll="/calls/${callId}/status.json"`);
    expect(page.text).toMatch(/<script src="\/static\/js\/call-status\.js\?v=[0-9a-f]{12}" defer><\/script>/);
    expect(page.text).not.toMatch(/<script(?![^>]*\bsrc=)/); // no inline script

    // A second press while that call is under way opens it rather than ringing the tester again.
    const again = await tester.post(`/assignments/${assignmentId}/call`);
    expect(again.headers.location).toBe(`/calls/${callId}`);
    expect(fake.calls).toHaveLength(before + 1);

    // The tester's phone rings, then is answered: the page follows.
    await play(testerHooks(callId, callSid, ['initiated', 'ringing']));
    expect(await statusOf(tester, callId)).toMatchObject({ stage: 'tester-ringing', final: false, status: '您的電話正在響，請接聽' });
    await play(testerHooks(callId, callSid, ['initiated', 'ringing', 'in-progress']));
    expect(await statusOf(tester, callId)).toMatchObject({ stage: 'dialling-unit', status: '您已接聽，正在撥打受測單位…', outcome: '—' });
  });

  test("a tester's extension is keyed after the tester's line answers", async () => {
    await db()('users').where({ id: testerB.id }).update({ phone_e164: '+886227208889', phone_ext: '5678' });
    const id = await publishedAssignment(await unitWithPhone(), testerB.id);
    await pressCall(otherTester, id);
    expect(fake.calls.at(-1)?.params).toMatchObject({ To: '+886227208889', SendDigits: 'wwww5678' });
    await db()('users').where({ id: testerB.id }).update({ phone_e164: null, phone_ext: null });
  });

  test('a tester without a phone, or a unit without a number, is told so, and nothing is called', async () => {
    const before = { fake: fake.calls.length, ...(await counts()) };
    const id = await publishedAssignment(await unitWithPhone(), testerB.id);
    const noPhone = await otherTester.post(`/assignments/${id}/call`);
    expect(noPhone.status).toBe(422);
    expect(noPhone.text).toContain('您的帳號沒有電話號碼，系統無法先撥給您');
    expect(noPhone.text).toContain(`href="#call-${id}"`);

    const silent = await publishedAssignment(await unitWithPhone(null, null), testerA.id);
    const noNumber = await tester.post(`/assignments/${silent}/call`);
    expect(noNumber.status).toBe(422);
    expect(noNumber.text).toContain('這個單位沒有電話號碼，無法撥打');
    expect({ fake: fake.calls.length, ...(await counts()) }).toEqual(before);
  });

  test("Twilio's refusal is shown to the tester and the call kept as failed; the next press starts afresh", async () => {
    const id = await publishedAssignment(await unitWithPhone(), testerA.id);
    fake.failNext({ status: 400, code: 21215, message: 'Geo Permission configuration is not permitting call', resource: 'calls' });
    const refused = await tester.post(`/assignments/${id}/call`);
    expect(refused.status).toBe(422);
    expect(refused.text).toContain('Twilio 無法撥出這通電話：Geo Permission configuration is not permitting call（代碼 21215）');
    expect(await db()('calls').where({ assignment_id: id }).first()).toMatchObject({ status: 'failed', error_code: 21215, call_sid: null });
    const { callId } = await pressCall(tester, id);
    expect(await db()('calls').where({ id: callId }).first()).toMatchObject({ status: 'calling-tester' });
  });

  test('a call Twilio has said nothing about for minutes says the webhooks may not reach the server; a long conversation does not', async () => {
    const waiting = await pressCall(tester, await publishedAssignment(await unitWithPhone(), testerA.id));
    const talking = await callWith(await unitWithPhone(), (tg, leg, start) => callScenarios.normalAnswer(tg, leg, start).slice(0, 3));
    try {
      now = new Date(now.getTime() + 3 * 60_000);
      expect(await statusOf(tester, waiting.callId)).toMatchObject({ stage: 'calling-tester', problem: expect.stringContaining('已有一段時間沒有收到 Twilio 的通知') });
      expect(await statusOf(tester, talking.callId)).toMatchObject({ stage: 'connected', status: '受測單位已接聽，通話中', problem: '' });
    } finally {
      now = new Date('2026-12-07T02:00:00Z');
    }
  });

  test("another tester's assignment and call are not found", async () => {
    const id = await publishedAssignment(await unitWithPhone(), testerA.id);
    const before = fake.calls.length;
    expect((await otherTester.post(`/assignments/${id}/call`)).status).toBe(404);
    expect(fake.calls).toHaveLength(before);
    const { callId } = await pressCall(tester, id);
    expect((await otherTester.agent.get(`/calls/${callId}`)).status).toBe(404);
    expect((await otherTester.agent.get(`/calls/${callId}/status.json`).set('Accept', 'application/json')).status).toBe(404);
  });
});

/** The attributes of the first <tag …> in an XML text. */
function attributes(xml: string, tag: string): Record<string, string> {
  const m = new RegExp(`<${tag}\\b([^>]*)>`).exec(xml);
  if (!m?.[1]) throw new Error(`no <${tag}> in ${xml}`);
  return Object.fromEntries([...m[1].matchAll(/(\w+)="([^"]*)"/g)].map((a) => [a[1], a[2]]));
}

describe('the TwiML webhook', () => {
  test("dials the unit's main number from our number and keys the extension, with the unit leg's progress reported to this call", async () => {
    const unit = await unitWithPhone('123');
    const { callId, callSid } = await pressCall(tester, await publishedAssignment(unit, testerA.id));
    const bridge = signWebhook(FAKE_AUTH_TOKEN, PUBLIC, `/twilio/calls/${callId}/bridge`, { ...callStatusParams(callLeg({ callSid, to: TESTER_PHONE }), 'in-progress', 2, START) });
    const [answer] = await play([bridge]);
    expect(answer?.status).toBe(200);
    expect(answer?.type).toMatch(/^text\/xml/);
    const xml = answer?.text ?? '';
    expect(xml).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?><Response><Dial [^>]*><Number [^>]*>\+886223456789<\/Number><\/Dial><\/Response>$/);
    expect(attributes(xml, 'Dial')).toEqual({ callerId: CALLER_ID, answerOnBridge: 'true', timeout: '30' });
    expect(attributes(xml, 'Number')).toEqual({
      statusCallback: `${PUBLIC}/twilio/calls/${callId}/unit-status`,
      statusCallbackMethod: 'POST',
      statusCallbackEvent: 'initiated ringing answered completed',
      sendDigits: 'wwww123',
    });
    // Fetched again (a retry), the same document.
    expect((await play([bridge]))[0]?.text).toBe(xml);
  });

  test('sends no digits to a unit without an extension', async () => {
    const { callId, callSid } = await pressCall(tester, await publishedAssignment(await unitWithPhone(), testerA.id));
    const [answer] = await play([signWebhook(FAKE_AUTH_TOKEN, PUBLIC, `/twilio/calls/${callId}/bridge`, { CallSid: callSid, CallStatus: 'in-progress' })]);
    expect(attributes(answer?.text ?? '', 'Number')).not.toHaveProperty('sendDigits');
  });

  test('says the test is closed and hangs up when the assignment got a result meanwhile; refuses another call SID', async () => {
    const id = await publishedAssignment(await unitWithPhone(), testerA.id);
    const { callId, callSid } = await pressCall(tester, id);
    expect((await tester.post(`/assignments/${id}/score/confirm`, answers('6'))).status).toBe(303);
    const [closed] = await play([signWebhook(FAKE_AUTH_TOKEN, PUBLIC, `/twilio/calls/${callId}/bridge`, { CallSid: callSid, CallStatus: 'in-progress' })]);
    expect(closed?.text).toBe('<?xml version="1.0" encoding="UTF-8"?><Response><Say language="zh-TW">這通測試已經結束，系統將掛斷。</Say><Hangup/></Response>');
    const [other] = await play([signWebhook(FAKE_AUTH_TOKEN, PUBLIC, `/twilio/calls/${callId}/bridge`, { CallSid: sid('CA'), CallStatus: 'in-progress' })]);
    expect(other?.status).toBe(404);
  });
});

describe("the unit leg's status callbacks", () => {
  test('a normal answer: stored raw, the call page shows the measured ring time', async () => {
    const unit = await unitWithPhone();
    const { callId, hooks, answers: replies, leg } = await callWith(unit, callScenarios.normalAnswer);
    expect(replies.map((r) => r.status)).toEqual([204, 204, 204, 204]);
    const stored = await db()('call_events').where({ call_id: callId, leg: 'unit' }).orderBy('sequence_number');
    expect(stored.map((e: { params: string }) => JSON.parse(e.params))).toEqual(hooks.map((h) => h.params));
    expect(await db()('calls').where({ id: callId }).first()).toMatchObject({ unit_call_sid: leg.callSid, status: 'ended', attempt: null });
    expect(await statusOf(tester, callId)).toEqual({
      stage: 'ended',
      final: true,
      status: '通話已結束',
      outcome: '已接聽',
      ringTime: '5 秒',
      source: '實測：從受測單位電話響起到接聽',
      attempt: '—',
      problem: '',
    });
    const page = (await tester.agent.get(`/calls/${callId}`)).text;
    expect(page).toContain('data-final="true"');
    expect(page).toContain('<dd data-field="ringTime">5 秒</dd>');
    expect(page).toContain('<dd data-field="source">實測：從受測單位電話響起到接聽</dd>');
  });

  test('answered by a switchboard (the unit is dialled with an extension): the figure is kept, flagged for the tester to confirm', async () => {
    const { callId } = await callWith(await unitWithPhone('200'), callScenarios.pbxAnswer);
    expect(await statusOf(tester, callId)).toMatchObject({ outcome: '已接聽', ringTime: '1 秒', source: '由語音選單或總機接起：秒數只算到總機接聽為止，請確認' });
  });

  test('no answer becomes one attempt on the assignment, however often the events repeat', async () => {
    const { assignmentId, callId, hooks } = await callWith(await unitWithPhone(), callScenarios.noAnswer);
    const attempts = await db()('attempts').where({ assignment_id: assignmentId });
    expect(attempts).toEqual([expect.objectContaining({ outcome: 'no_answer', recorded_by: testerA.id, attempted_at: now.toISOString() })]);
    expect(await db()('calls').where({ id: callId }).first()).toMatchObject({ status: 'unit-no-answer', attempt: 'recorded', attempt_id: attempts[0].id });
    const before = await counts();
    expect((await play([...hooks, ...hooks])).every((r) => r.status === 204)).toBe(true);
    expect(await counts()).toEqual(before);
    expect(await statusOf(tester, callId)).toMatchObject({ stage: 'unit-no-answer', final: true, outcome: '無人接聽', ringTime: '—', attempt: '已自動記錄一次未接通' });
    expect((await tester.agent.get('/my/assignments')).text).toContain('已記錄 1 次未接通');
  });

  test('busy becomes one attempt', async () => {
    const { assignmentId, callId } = await callWith(await unitWithPhone(), callScenarios.busy);
    expect(await db()('attempts').where({ assignment_id: assignmentId }).select('outcome')).toEqual([{ outcome: 'busy' }]);
    expect(await statusOf(tester, callId)).toMatchObject({ stage: 'unit-busy', outcome: '忙線', attempt: '已自動記錄一次未接通' });
  });

  test('a second unanswered call within half an hour is kept but does not count; the third counted one ends the test as unreachable', async () => {
    const unit = await unitWithPhone();
    const first = await callWith(unit, callScenarios.noAnswer);
    const second = await callWith(unit, callScenarios.noAnswer, first.assignmentId);
    expect(second.callId).not.toBe(first.callId);
    expect(await db()('calls').where({ id: second.callId }).first()).toMatchObject({ attempt: 'tooSoon', attempt_id: null });
    expect(await count('attempts', { assignment_id: first.assignmentId })).toBe(1);
    expect(await statusOf(tester, second.callId)).toMatchObject({ attempt: '距離上次未接通不到 30 分鐘，這次不計入' });

    try {
      now = new Date(now.getTime() + 40 * 60_000);
      await callWith(unit, callScenarios.busy, first.assignmentId);
      now = new Date(now.getTime() + 40 * 60_000);
      const third = await callWith(unit, callScenarios.noAnswer, first.assignmentId);
      expect(await count('attempts', { assignment_id: first.assignmentId })).toBe(3);
      expect(await db()('results').where({ assignment_id: first.assignmentId }).first()).toMatchObject({ kind: 'unreachable' });
      expect(await statusOf(tester, third.callId)).toMatchObject({ attempt: expect.stringContaining('本次測試記為「無法接通」') });
      // Closed: the call page no longer offers the scoring sheet, and Call is refused.
      expect((await tester.agent.get(`/calls/${third.callId}`)).text).not.toContain(`/assignments/${first.assignmentId}/score`);
      expect((await tester.post(`/assignments/${first.assignmentId}/call`)).status).toBe(409);
    } finally {
      now = new Date('2026-12-07T02:00:00Z');
    }
  });

  test('callbacks arriving all at once (repeats included) leave one attempt and the final stage stored', async () => {
    const assignmentId = await publishedAssignment(await unitWithPhone(), testerA.id);
    const { callId, callSid } = await pressCall(tester, assignmentId);
    const hooks = [
      ...testerHooks(callId, callSid, ['initiated', 'ringing', 'in-progress']),
      ...callScenarios.noAnswer(unitTarget(callId), callLeg({ parentCallSid: callSid }), START),
    ];
    const replies = await Promise.all([...hooks, ...hooks, ...hooks].map((h) => play([h])));
    expect(replies.flat().map((r) => r.status)).toEqual(replies.map(() => 204));
    expect(await count('attempts', { assignment_id: assignmentId })).toBe(1);
    expect(await count('call_events', { call_id: callId })).toBe(6);
    expect(await db()('calls').where({ id: callId }).first()).toMatchObject({ status: 'unit-no-answer', attempt: 'recorded' });
  });

  test('events delivered twice are stored once and change nothing', async () => {
    const { callId, hooks, answers: replies } = await callWith(await unitWithPhone(), callScenarios.duplicateEvents);
    expect(hooks).toHaveLength(6);
    expect(replies.map((r) => r.status)).toEqual([204, 204, 204, 204, 204, 204]);
    expect(await count('call_events', { call_id: callId, leg: 'unit' })).toBe(4);
    expect(await statusOf(tester, callId)).toMatchObject({ stage: 'ended', ringTime: '5 秒', source: '實測：從受測單位電話響起到接聽' });
  });

  test('events out of order give the same ring time as in order', async () => {
    const inOrder = await callWith(await unitWithPhone(), callScenarios.normalAnswer);
    const shuffled = await callWith(await unitWithPhone(), callScenarios.outOfOrderEvents);
    expect(shuffled.hooks.map((h) => h.params.CallStatus)).toEqual(['completed', 'initiated', 'in-progress', 'ringing']);
    const a = await statusOf(tester, inOrder.callId);
    const b = await statusOf(tester, shuffled.callId);
    expect(b).toEqual(a);
    expect(b).toMatchObject({ stage: 'ended', ringTime: '5 秒' });
  });

  test('a leg the tester hung up on while it rang is not an attempt', async () => {
    const { assignmentId, callId, leg } = await callWith(await unitWithPhone(), (tg, l, start) =>
      [callStatusParams(l, 'initiated', 0, start), callStatusParams(l, 'ringing', 1, start), callStatusParams(l, 'canceled', 2, new Date(start.getTime() + 4000))].map((p) =>
        signWebhook(tg.authToken, tg.publicBaseUrl, tg.path, p),
      ),
    );
    expect(leg.callSid).toMatch(/^CA/);
    expect(await count('attempts', { assignment_id: assignmentId })).toBe(0);
    expect(await statusOf(tester, callId)).toMatchObject({ stage: 'canceled', attempt: '—' });
  });
});

describe('forged, unsigned and unknown webhooks', () => {
  let callId: number;
  let callSid: string;
  let hook: TwilioWebhook;

  beforeAll(async () => {
    ({ callId, callSid } = await pressCall(tester, await publishedAssignment(await unitWithPhone(), testerA.id)));
    const leg = callLeg({ parentCallSid: callSid });
    hook = callScenarios.busy(unitTarget(callId), leg, START)[1] as TwilioWebhook;
  });

  test.each<[string, () => { hook: TwilioWebhook; headers?: Record<string, string> }]>([
    ['a param changed after signing', () => ({ hook: { ...hook, params: { ...hook.params, CallStatus: 'no-answer' } } })],
    ['no signature', () => ({ hook, headers: { 'Content-Type': 'application/x-www-form-urlencoded' } })],
    ['an empty signature', () => ({ hook, headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Twilio-Signature': '' } })],
    ['signed with another auth token', () => ({ hook: signWebhook('another-token-0123456789abcdef', PUBLIC, hook.path, hook.params) })],
    ['signed for the local address instead of the public one', () => ({ hook: signWebhook(FAKE_AUTH_TOKEN, 'http://127.0.0.1:3000', hook.path, hook.params) })],
    ['signed for another call', () => ({ hook: { ...signWebhook(FAKE_AUTH_TOKEN, PUBLIC, `/twilio/calls/${callId + 1}/unit-status`, hook.params), path: hook.path } })],
    ['signed for the tester leg, sent as the unit leg', () => ({ hook: { ...signWebhook(FAKE_AUTH_TOKEN, PUBLIC, `/twilio/calls/${callId}/tester-status`, hook.params), path: hook.path } })],
  ])('%s: 403, and nothing stored', async (_name, make) => {
    const before = await counts();
    const { hook: forged, headers } = make();
    const [answer] = await play([forged], headers ? () => headers : undefined);
    expect(answer?.status).toBe(403);
    expect(await counts()).toEqual(before);
    expect(await db()('calls').where({ id: callId }).first()).toMatchObject({ status: 'calling-tester', unit_call_sid: null, attempt: null });
  });

  test('the tester leg and the TwiML webhook refuse a changed or unsigned request the same way', async () => {
    const before = await counts();
    for (const suffix of ['tester-status', 'bridge']) {
      const signed = signWebhook(FAKE_AUTH_TOKEN, PUBLIC, `/twilio/calls/${callId}/${suffix}`, { ...hook.params, CallSid: callSid });
      const tampered = { ...signed, params: { ...signed.params, CallStatus: 'completed' } };
      for (const [sent, headers] of [[tampered, undefined], [signed, { 'Content-Type': 'application/x-www-form-urlencoded' }]] as const) {
        const [answer] = await play([sent], headers ? () => headers : undefined);
        expect(answer?.status).toBe(403);
        expect(answer?.text).not.toContain('<Dial');
      }
    }
    expect(await counts()).toEqual(before);
  });

  test('a signed callback for a call that does not exist is 404', async () => {
    const before = await counts();
    for (const suffix of ['unit-status', 'tester-status', 'bridge']) {
      const [answer] = await play([signWebhook(FAKE_AUTH_TOKEN, PUBLIC, `/twilio/calls/999999/${suffix}`, hook.params)]);
      expect(answer?.status).toBe(404);
    }
    expect(await counts()).toEqual(before);
  });

  test("a signed unit callback naming another call as its parent, or a second unit leg, is 404; a malformed one is 400", async () => {
    const before = await counts();
    const stranger = callScenarios.busy(unitTarget(callId), callLeg({ parentCallSid: sid('CA') }), START)[0] as TwilioWebhook;
    expect((await play([stranger]))[0]?.status).toBe(404);
    expect((await play([signWebhook(FAKE_AUTH_TOKEN, PUBLIC, hook.path, omit(hook.params, 'SequenceNumber'))]))[0]?.status).toBe(400);
    expect(await counts()).toEqual(before);

    const [first] = await play([hook]);
    expect(first?.status).toBe(204);
    const secondLeg = callScenarios.noAnswer(unitTarget(callId), callLeg({ parentCallSid: callSid }), START)[0] as TwilioWebhook;
    expect((await play([secondLeg]))[0]?.status).toBe(404);
    expect(await count('call_events', { call_id: callId })).toBe(1);
  });
});

describe('the scoring form after a call', () => {
  test('shows the measured ring time filled in, with its source beside it; sent as it is, it is confirmed', async () => {
    const { assignmentId, callId } = await callWith(await unitWithPhone(), callScenarios.normalAnswer);
    const form = await tester.agent.get(`/assignments/${assignmentId}/score`);
    expect(form.text).toMatch(/<input [^>]*id="a_un\.answer" name="a_un\.answer" value="5"/);
    expect(form.text).toContain('<strong>系統量得 5 秒。</strong> 實測：從受測單位電話響起到接聽');
    expect(form.text).toContain('aria-describedby="a_un.answer-hint a_un.answer-ring"');
    expect(form.text).toContain('<label class="label" for="ring_reason">改動系統量得秒數的原因</label>');
    expect((await tester.post(`/assignments/${assignmentId}/score`, answers('5'))).status).toBe(200);
    expect((await tester.post(`/assignments/${assignmentId}/score/confirm`, answers('5'))).status).toBe(303);
    const call = await db()('calls').where({ id: callId }).first();
    expect(call).toMatchObject({ ring_override_seconds: null, ring_override_reason: null, ring_confirmed_at: now.toISOString() });
    expect((await db()('result_revisions').join('results', 'results.id', 'result_revisions.result_id').where({ assignment_id: assignmentId }).first()).ring_seconds).toBe(5);
    expect(await statusOf(tester, callId)).toMatchObject({ ringTime: '5 秒', source: '實測：從受測單位電話響起到接聽 （您已在評分表確認）' });
  });

  test('another figure needs a reason, which is kept with the call', async () => {
    const { assignmentId, callId } = await callWith(await unitWithPhone(), callScenarios.normalAnswer);
    const missing = await tester.post(`/assignments/${assignmentId}/score`, answers('7'));
    expect(missing.status).toBe(422);
    expect(missing.text).toContain('<a href="#ring_reason">您改了系統量得的 5 秒，請說明原因</a>');
    expect(missing.text).toMatch(/name="a_un\.answer" value="7"/);
    expect((await tester.post(`/assignments/${assignmentId}/score/confirm`, answers('7'))).status).toBe(422);
    expect(await count('results', { assignment_id: assignmentId })).toBe(0);

    const reason = '受測單位接起後無人說話約 2 秒';
    const preview = await tester.post(`/assignments/${assignmentId}/score`, answers('7', { ring_reason: reason }));
    expect(preview.status).toBe(200);
    expect(preview.text).toContain(`<input type="hidden" name="ring_reason" value="${reason}">`);
    expect((await tester.post(`/assignments/${assignmentId}/score/confirm`, answers('7', { ring_reason: reason }))).status).toBe(303);
    expect(await db()('calls').where({ id: callId }).first()).toMatchObject({ ring_override_seconds: 7, ring_override_reason: reason, ring_confirmed_at: null });
    expect(await statusOf(tester, callId)).toMatchObject({ ringTime: '7 秒（您填寫；系統量得 5 秒）', source: `您在評分表改填，原因：${reason}` });
  });

  test('a switchboard test gets the figure in the switchboard answer-speed item, flagged to confirm', async () => {
    const unit = await unitWithPhone('9');
    const { assignmentId } = await callWith(unit, callScenarios.pbxAnswer, await publishedAssignment(unit, testerA.id, 'switchboard'));
    const form = (await tester.agent.get(`/assignments/${assignmentId}/score`)).text;
    expect(form).toMatch(/<input [^>]*id="a_sb\.answer" name="a_sb\.answer" value="1"/);
    expect(form).toContain('由語音選單或總機接起：秒數只算到總機接聽為止，請確認');
    expect(form).toMatch(/<input [^>]*id="a_sb\.menu" name="a_sb\.menu" value=""/);
  });

  test('an unanswered call leaves the item empty', async () => {
    const { assignmentId } = await callWith(await unitWithPhone(), callScenarios.noAnswer);
    const form = (await tester.agent.get(`/assignments/${assignmentId}/score`)).text;
    expect(form).toMatch(/<input [^>]*id="a_un\.answer" name="a_un\.answer" value=""/);
    expect(form).not.toContain('系統量得');
  });
});

describe("the administrator's settings", () => {
  test('say Twilio is configured, without the token', async () => {
    const page = (await adminClient.agent.get('/settings')).text;
    expect(page).toContain('已設定 Twilio');
    expect(page).toContain('AC0123…cdef');
    expect(page).toContain('02 7700 1234');
    expect(page).toContain(`${PUBLIC}/twilio/`);
    expect(page).toContain('已設定（不顯示）');
    expect(page).not.toContain(FAKE_AUTH_TOKEN);
    expect(page).not.toContain(FAKE_ACCOUNT_SID);
  });

  test("send a test SMS to the administrator's own mobile through the outbox, at once even in quiet hours, and show its delivery", async () => {
    const users = () => db()('users').where({ id: admin.id });
    const tests = () => db()('sms_messages').where({ purpose: 'test', reference: `user:${admin.id}` }).orderBy('id');
    await users().update({ phone_e164: null });
    const before = fake.messages.length;
    const none = await adminClient.post('/settings/test-sms');
    expect(none.status).toBe(422);
    expect(none.text).toContain('您的帳號沒有電話號碼。請在使用者資料填上您的手機號碼。');

    await users().update({ phone_e164: '+886223456789' });
    expect((await adminClient.agent.get('/settings')).text).toContain('您帳號的電話是市話，無法接收簡訊');
    const landline = await adminClient.post('/settings/test-sms');
    expect(landline.status).toBe(422);
    expect(landline.text).toContain('您帳號的電話是市話，無法接收簡訊');
    expect(fake.messages).toHaveLength(before);
    expect(await tests()).toHaveLength(0);

    await users().update({ phone_e164: '+886912000111' });
    const page = (await adminClient.agent.get('/settings')).text;
    expect(page).toContain('會寄到您帳號的手機：0912 000 111');
    expect(page).not.toContain('最近一則測試簡訊');
    // 12:45 in Taipei: quiet hours hold every other SMS back until 13:30; the test SMS goes at once.
    now = new Date('2026-12-07T04:45:00Z');
    try {
      const sent = await adminClient.post('/settings/test-sms');
      expect(sent.status).toBe(303);
    } finally {
      now = new Date('2026-12-07T02:00:00Z');
    }
    expect(fake.messages).toHaveLength(before + 1);
    const [stored] = await tests();
    expect(stored).toMatchObject({ status: 'queued', to_phone: '+886912000111', unit_id: agency.id, send_after: '2026-12-07T04:45:00.000Z', attempts: 1, message_sid: fake.messages.at(-1)?.sid });
    expect(fake.messages.at(-1)?.params).toEqual({
      To: '+886912000111',
      From: CALLER_ID,
      Body: '【甲機關】這是電話禮貌測試系統的測試簡訊，收到即表示簡訊設定正確。',
      StatusCallback: `${PUBLIC}/twilio/sms/${stored.id}/status`,
    });
    const after = (await adminClient.agent.get('/settings')).text;
    expect(after).toContain('測試簡訊已寄往 0912 000 111（1 則）。');
    expect(after).toContain('最近一則測試簡訊（民國115年12月7日 12:45）：已交給 Twilio。');
    const audited = await db()('audit_events').where({ action: 'sms.test', actor_id: admin.id }).first();
    expect(JSON.parse(audited.detail)).toEqual({ smsId: stored.id });

    // Twilio's delivery report reaches it like any outbox message, and the page says so.
    const reports = fake.messageCallbacks(stored.message_sid, 'delivered', PUBLIC);
    expect((await play(reports)).map((r) => r.status)).toEqual([204, 204]);
    expect((await adminClient.agent.get('/settings')).text).toContain('最近一則測試簡訊（民國115年12月7日 12:45）：已送達。');
    expect((await adminClient.agent.get('/sms')).text).toContain('測試簡訊');

    fake.failNext({ status: 400, code: 21408, message: 'Permission to send an SMS has not been enabled for the region indicated by the \'To\' number', resource: 'messages' });
    const refused = await adminClient.post('/settings/test-sms');
    expect(refused.status).toBe(502);
    expect(refused.text).toContain('Twilio 無法寄出這則簡訊：Permission to send an SMS has not been enabled');
    expect(refused.text).toContain('（代碼 21408）');
    expect(refused.text).toContain('最近一則測試簡訊（民國115年12月7日 10:00）：失敗。 Twilio 錯誤碼 21408');
    expect((await tests()).at(-1)).toMatchObject({ status: 'failed', reason: 'rejected', error_code: 21408 });
  });
});

describe('manual mode (no Twilio configured)', () => {
  let manual: TestApp;
  let manualTester: Client;
  let manualAdmin: Client;
  let assignmentId: number;

  beforeAll(async () => {
    manual = await createTestApp({}, () => now);
    const top = await seedUnit(manual, { parentId: null, code: 'M' });
    const unit = await seedUnit(manual, { parentId: top.id, code: 'M1', phoneE164: '+886223456789' });
    const who = await seedUser(manual, 'tester', top.id);
    await manual.testDb.db('users').where({ id: who.id }).update({ phone_e164: TESTER_PHONE });
    manualTester = await signedIn(manual.app, who.email);
    manualAdmin = await signedIn(manual.app, (await seedUser(manual, 'admin', top.id)).email);
    const [plan] = await manual.testDb.db('plans')
      .insert({ scope_unit_id: top.id, month: '2026-12', status: 'published', seed: 's', warnings: '[]', created_at: now.toISOString(), published_at: now.toISOString() })
      .returning('id');
    const [row] = await manual.testDb.db('assignments')
      .insert({ plan_id: plan.id, unit_id: unit.id, part: 'unit', tester_id: who.id, date: TODAY, window_start: '10:00', window_end: '11:00', reason_key: 'plan.reason.never', reason_params: '{}', created_at: now.toISOString(), updated_at: now.toISOString() })
      .returning('id');
    assignmentId = row.id;
  });
  afterAll(() => manual.close());

  test("the tester's page and the scoring form say so, and offer no Call", async () => {
    const page = (await manualTester.agent.get('/my/assignments')).text;
    expect(page).toContain('手動模式：請自行撥號，並填寫接聽秒數。');
    expect(page).toContain('href="tel:+886223456789"');
    expect(page).not.toContain('/call"');
    const form = (await manualTester.agent.get(`/assignments/${assignmentId}/score`)).text;
    expect(form).toContain('手動模式：請自行撥號，並填寫接聽秒數。');
    expect(form).toMatch(/name="a_un\.answer" value=""/);
  });

  test('pressing Call anyway is refused with the same words, and nothing is stored', async () => {
    const res = await manualTester.post(`/assignments/${assignmentId}/call`);
    expect(res.status).toBe(422);
    expect(res.text).toContain('目前是手動模式，系統無法撥號');
    expect(Number((await manual.testDb.db('calls').count({ n: '*' }).first())?.n)).toBe(0);
  });

  test('webhooks are refused: there is no token to check them with', async () => {
    const signed = signWebhook(FAKE_AUTH_TOKEN, 'http://localhost:3000', '/twilio/calls/1/unit-status', callStatusParams(callLeg(), 'ringing', 1, START));
    const res = await request(manual.app).post(signed.path).set(webhookRequest(signed).headers).send(webhookRequest(signed).body);
    expect(res.status).toBe(403);
  });

  test("the settings page says calls are manual and how to switch Twilio on; no SMS can be sent", async () => {
    const page = (await manualAdmin.agent.get('/settings')).text;
    expect(page).toContain('未設定 Twilio，目前是手動模式');
    expect(page).toContain('TWILIO_ACCOUNT_SID、TWILIO_AUTH_TOKEN、TWILIO_CALLER_ID 與 PUBLIC_BASE_URL');
    expect(page).not.toContain('action="/settings/test-sms"');
    const res = await manualAdmin.post('/settings/test-sms');
    expect(res.status).toBe(409);
    expect(res.text).toContain('未設定 Twilio，無法寄簡訊。');
  });
});
