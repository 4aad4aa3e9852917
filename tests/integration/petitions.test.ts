import { Writable } from 'node:stream';
import pino from 'pino';
import { parse } from 'csv-parse/sync';
import request from 'supertest';
import type { Unit } from '../../server/org/units-repo';
import { createTestApp, csrfFrom, seedUnit, seedUser, signedIn, type Client, type TestApp } from '../support/app';
import { FAKE_ACCOUNT_SID, FAKE_AUTH_TOKEN, FakeTwilio, keypadCallParams, signWebhook, sid, webhookRequest, type TwilioWebhook } from '../support/fake-twilio';

/**
 * Petition cases, their single-use invitations and the phone keypad survey,
 * with the real Twilio SDK against the local fake: CSV import → SMS in the
 * outbox with the right body → sent → the link answered once → refused after;
 * PIN entry; expiry and erasure; the reminder; delivery status and the
 * response rate; keypad calls (valid, invalid and missing keys, hang-ups);
 * forged webhooks. Played as through a proxy that strips /app.
 */
const PUBLIC = 'https://courtesy.example.gov.tw/app';
const CALLER_ID = '+886277001234';
const TWILIO_ENV = { TWILIO_ACCOUNT_SID: FAKE_ACCOUNT_SID, TWILIO_AUTH_TOKEN: FAKE_AUTH_TOKEN, TWILIO_CALLER_ID: CALLER_ID, PUBLIC_BASE_URL: PUBLIC };
const DAY = 86_400_000;

let now = new Date('2026-12-07T02:00:00Z'); // Monday 7 December 2026, 10:00 in Taipei
let fake: FakeTwilio;
let t: TestApp;
let agency: Unit;
let section: Unit;
let manager: Client;
let managerEmail: string;
const logLines: string[] = [];
const logger = pino(
  { level: 'info' },
  new Writable({
    write(chunk: Buffer, _enc, done) {
      logLines.push(chunk.toString());
      done();
    },
  }),
);

const db = () => t.testDb.db;
const invitationOf = async (caseNumber: string) =>
  db()('invitations').join('petition_cases', 'petition_cases.id', 'invitations.case_id').where('petition_cases.case_number', caseNumber).select('invitations.*').first();
const countOf = async (table: string, where: Record<string, unknown> = {}) => Number((await db()(table).where(where).count({ n: '*' }).first())?.n);
const answers = { 'q_case.timeliness': '5', 'q_case.clarity': '4', 'q_case.attitude': '5', 'q_case.outcome': '3', q_overall: '4' };

async function register(lines: string[]): Promise<void> {
  manager = await signedIn(t.app, managerEmail);
  const csv = ['案號,單位代碼,結案日期,手機', ...lines].join('\n');
  const res = await manager.post('/petitions/import/confirm', { csv });
  expect(res.status).toBe(303);
}

/** Opens the link (keeping its cookie) and returns the agent and the form's token. */
async function openLink(token: string) {
  const agent = request.agent(t.app);
  const page = await agent.get(`/i/${token}`);
  expect(page.status).toBe(200);
  return { agent, csrf: csrfFrom(page.text) };
}

async function play(hook: TwilioWebhook, signature = hook.signature) {
  const { headers, body } = webhookRequest(hook);
  return request(t.app).post(hook.path).set({ ...headers, 'X-Twilio-Signature': signature }).send(body);
}
const hook = (path: string, params: Record<string, string>) => signWebhook(FAKE_AUTH_TOKEN, PUBLIC, path, params);
/** The path of the <Gather> action in a TwiML answer (the public URL less the public base). */
const actionOf = (twiml: string) => (/<Gather [^>]*action="([^"]+)"/.exec(twiml)?.[1] ?? '').replace(PUBLIC, '');

beforeAll(async () => {
  fake = await FakeTwilio.start();
  t = await createTestApp(TWILIO_ENV, () => now, logger, { twilioHttpClient: fake.httpClient });
  agency = await seedUnit(t, { parentId: null, code: 'A', nameZh: '甲機關' });
  section = await seedUnit(t, { parentId: agency.id, code: 'A-1', nameZh: '戶政課' });
  managerEmail = (await seedUser(t, 'manager', agency.id)).email;
});
// Tests move the clock by days: a fresh session each time (sessions end after 30 idle minutes).
beforeEach(async () => {
  manager = await signedIn(t.app, managerEmail);
});
afterAll(async () => {
  await t.close();
  await fake.close();
});

describe('registering closed cases', () => {
  test('a CSV with one bad line is previewed with every problem by line, and nothing is imported', async () => {
    const csv = ['案號,單位代碼,結案日期,手機', '115A0001,A-1,115/12/01,0912-345-678', '115A0001,A-1,2026-12-02,', 'x,NOPE,2026-13-01,12', '115A0003,A-1,2026-12-31,'].join('\n');
    const preview = await manager.post('/petitions/import', { csv });
    expect(preview.status).toBe(422);
    expect(preview.text).toContain('第 3 行 (case_number): 案號 115A0001 在檔案中重複');
    for (const message of ['案號 115A0001 在檔案中重複', '找不到您可管理的單位代碼「NOPE」', '案號須為 3 到 40 個英數字', '結案日期無法辨識', '電話號碼無法辨識', '結案日期不能在今天之後']) expect(preview.text).toContain(message);
    expect((await manager.post('/petitions/import/confirm', { csv })).status).toBe(422);
    expect(await countOf('petition_cases')).toBe(0);
    expect(await countOf('invitations')).toBe(0);
    expect(await countOf('sms_messages')).toBe(0);
  });

  test('the form re-renders with the values kept and a message per field', async () => {
    const res = await manager.post('/petitions', { case_number: '115B0001', unit_code: 'A-1', closed_on: 'yesterday', phone: '0912' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('value="115B0001"');
    expect(res.text).toContain('結案日期無法辨識');
    expect(res.text).toContain('電話號碼無法辨識');
    expect(await countOf('petition_cases')).toBe(0);
  });
});

describe('a case from CSV to its one answer', () => {
  let token: string;
  let pin: string;

  test('import → one SMS queued for the mobile with the right body, the landline skipped, none for no phone → sent through Twilio', async () => {
    const preview = await manager.post('/petitions/import', { csv: '案號,單位代碼,結案日期,手機\n115A0001,A-1,115/12/01,0912-345-678\n115A0002,A-1,2026-12-02,02-2345-6789\n115A0003,A-1,2026-12-03,' });
    expect(preview.status).toBe(200);
    expect(preview.text).toContain('共 3 件案件可以匯入');
    await register(['115A0001,A-1,115/12/01,0912-345-678', '115A0002,A-1,2026-12-02,02-2345-6789', '115A0003,A-1,2026-12-03,']);
    const first = await invitationOf('115A0001');
    token = first.token as string;
    pin = first.pin as string;
    expect(token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(pin).toMatch(/^\d{6}$/);
    expect(first.phone_e164).toBe('+886912345678');
    expect(first.expires_at).toBe(new Date(now.getTime() + 30 * DAY).toISOString());
    const messages = await db()('sms_messages').orderBy('id');
    expect(messages.map((m: { status: string; reason: string | null }) => [m.status, m.reason])).toEqual([
      ['pending', null],
      ['skipped', 'landline'],
    ]);
    const body = `【甲機關】您的陳情案件（案號115A0001）已結案，請花1分鐘填寫處理滿意度問卷：${PUBLIC}/i/${token} （也可至 ${PUBLIC}/i 輸入案號及密碼${pin}）`;
    expect(messages[0].body).toBe(body);
    expect(await t.services.smsOutbox.dispatchDue(now)).toEqual({ sent: 1, retried: 0, failed: 0 });
    expect(fake.messages).toHaveLength(1);
    expect(fake.messages[0]?.params).toMatchObject({ To: '+886912345678', Body: body, From: CALLER_ID });
  });

  test('the delivery status reaches the manager\'s list, and the manager sees the PIN while the invitation waits', async () => {
    const messageSid = fake.messages[0]?.sid as string;
    for (const h of fake.messageCallbacks(messageSid, 'delivered', PUBLIC)) expect((await play(h)).status).toBeLessThan(300);
    const list = await manager.agent.get('/petitions');
    expect(list.status).toBe(200);
    expect(list.text).toContain('已送達');
    expect(list.text).toContain(pin);
    expect(list.text).toContain('未寄（市話）');
  });

  test('the link shows the case survey; an answer is stored like a web answer, without a phone number or case link', async () => {
    const { agent, csrf } = await openLink(token);
    const res = await agent.post('/i/answer').type('form').send({ _csrf: csrf, token, ...answers });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/i/thanks');
    const responses = await db()('responses').join('channels', 'channels.id', 'responses.channel_id').select('responses.*', 'channels.mode', 'channels.survey_key');
    expect(responses).toHaveLength(1);
    expect(responses[0]).toMatchObject({ mode: 'invitation', survey_key: 'case', unit_id: section.id, month: '2026-12', source_hash: null, flag: null });
    const stored = await db()('response_answers').where({ response_id: responses[0].id }).orderBy('question_key');
    expect(stored.map((a: { question_key: string; value: string }) => [a.question_key, a.value])).toEqual([
      ['case.attitude', '5'],
      ['case.clarity', '4'],
      ['case.outcome', '3'],
      ['case.timeliness', '5'],
      ['overall', '4'],
    ]);
    // The invitation keeps only the month it was answered in: nothing ties it to the response's time.
    const inv = await invitationOf('115A0001');
    expect(inv).toMatchObject({ status: 'answered', answered_month: '2026-12', phone_e164: null, token: null, pin: null, erased_at: null });
    expect(JSON.stringify(responses[0])).not.toContain('115A0001');
    expect(Number((await db()('agg_counts').where({ survey_key: 'case', question_key: 'overall', value: '4' }).first())?.n)).toBe(1);
  });

  test('a second use of the link is refused, from the page and from a replayed form', async () => {
    const again = await request(t.app).get(`/i/${token}`);
    expect(again.status).toBe(410);
    expect(again.text).toContain('這份問卷已經填答過了');
    const replay = await request(t.app).post('/i/answer').type('form').set('Cookie', 'ivt=abcdefghijklmnopqrstuvwx').send({ _csrf: 'abcdefghijklmnopqrstuvwx', token, ...answers });
    expect(replay.status).toBe(410);
    expect(await countOf('responses')).toBe(1);
  });

  test('the answered invitation\'s SMS loses its number and text in the outbox; the response rate counts it', async () => {
    const smsId = (await invitationOf('115A0001')).sms_id;
    const before = await db()('sms_messages').where({ id: smsId }).first();
    expect(before.reference).toBe(`invitation:${(await invitationOf('115A0001')).id}:first`);
    expect(await t.services.petitions.expireAndErase(new Date(now.getTime() + 5 * 60_000))).toEqual({ expired: 0, erased: 1 });
    const message = await db()('sms_messages').where({ id: smsId }).first();
    // Nothing left that ties the erasure (moments after the answer) to the invitation, nor its time.
    expect(message).toMatchObject({ to_phone: null, body: '', reference: null, dedupe_key: null });
    expect(String(message.updated_at)).toBe(String(before.updated_at));
    // The responses export gives only the month of invitation answers: a day could be matched to a case.
    const csv = await manager.agent.get(`/exports/download?${new URLSearchParams({ dataset: 'responses', format: 'csv', survey: 'case', scope: String(agency.id), period: '2026-12' }).toString()}`);
    expect(csv.status).toBe(200);
    const rows = parse(csv.text, { bom: true }) as string[][];
    expect(rows.length).toBe(2);
    expect(rows[1]?.slice(1, 4)).toEqual(['2026-12', '', '']);
    // Three invited in December; one delivered (the SMS), and it was answered: 1/1.
    expect(await t.services.petitions.responseRates([section.id], ['2026-12'])).toEqual([
      { surveyKey: 'case', unitId: section.id, month: '2026-12', invited: 3, delivered: 1, answered: 1, answeredDelivered: 1, rate: 1 },
    ]);
    // The report gives the case survey's invitation rate for the scope and period too.
    const report = await manager.agent.get(`/report?scope=${agency.id}&period=2026Q4`);
    expect(report.status).toBe(200);
    expect(report.text).toContain('<dt>邀請回覆率</dt><dd>100.0%（簡訊送達 1 件中回覆 1 件；共邀請 3 件）</dd>');
  });

  test('the invitation channel has no public address of its own: /s/<its code> is not a way around the link', async () => {
    const channel = await db()('channels').where({ mode: 'invitation' }).first();
    const res = await request(t.app).get(`/s/${channel.code}`);
    expect(res.status).toBe(404);
    expect(res.text).not.toContain('<form');
  });

  test('unknown links and garbage get a clear page, never a form', async () => {
    for (const path of ['/i/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', '/i/short', '/i/%00']) {
      const res = await request(t.app).get(path);
      expect(res.status).toBe(404);
      expect(res.text).toContain('找不到這個問卷連結');
      expect(res.text).not.toContain('<form');
    }
  });
});

describe('single use under concurrency', () => {
  test('two answers sent at once: exactly one is stored', async () => {
    await register(['115C0001,A-1,2026-12-01,']);
    const { token } = await invitationOf('115C0001');
    const before = await countOf('responses');
    const a = await openLink(token);
    const b = await openLink(token);
    const results = await Promise.all([a, b, a, b].map(({ agent, csrf }) => agent.post('/i/answer').type('form').send({ _csrf: csrf, token, ...answers })));
    expect(results.map((r) => r.status).sort()).toEqual([303, 410, 410, 410]);
    expect(await countOf('responses')).toBe(before + 1);
  });
});

describe('case number + PIN (no script needed)', () => {
  test('the right PIN leads to the survey; a wrong one is refused; five wrong ones lock PIN entry for the case', async () => {
    await register(['115D0001,A-1,2026-12-01,', '115D0002,A-1,2026-12-01,']);
    const { pin, token } = await invitationOf('115D0001');
    const agent = request.agent(t.app);
    const page = await agent.get('/i');
    expect(page.status).toBe(200);
    const csrf = csrfFrom(page.text);
    const ok = await agent.post('/i').type('form').send({ _csrf: csrf, case_number: '115d0001', pin });
    expect(ok.status).toBe(303);
    expect(ok.headers.location).toBe(`/i/${token}`);
    const other = await invitationOf('115D0002');
    const wrongPin = other.pin === '000000' ? '000001' : '000000';
    for (let i = 0; i < 5; i++) {
      const wrong = await agent.post('/i').type('form').send({ _csrf: csrf, case_number: '115D0002', pin: wrongPin });
      expect(wrong.status).toBe(422);
      expect(wrong.text).toContain('案號或密碼不正確');
      expect(wrong.text).toContain('value="115D0002"');
    }
    const locked = await agent.post('/i').type('form').send({ _csrf: csrf, case_number: '115D0002', pin: other.pin });
    expect(locked.status).toBe(429);
    // Without the form's own token the PIN is not even tried.
    const forged = await request(t.app).post('/i').type('form').send({ case_number: '115D0001', pin });
    expect(forged.status).toBe(403);
  });
});

describe('PIN guessing', () => {
  test('ten wrong PINs at once: exactly five are tried, the rest refused, and the case is locked even for the right PIN', async () => {
    await register(['115D0003,A-1,2026-12-01,']);
    const inv = await invitationOf('115D0003');
    const agent = request.agent(t.app);
    const csrf = csrfFrom((await agent.get('/i')).text);
    const wrongPin = inv.pin === '000000' ? '000001' : '000000';
    const results = await Promise.all(Array.from({ length: 10 }, () => agent.post('/i').type('form').send({ _csrf: csrf, case_number: '115D0003', pin: wrongPin })));
    expect(results.map((r) => r.status).sort()).toEqual([422, 422, 422, 422, 422, 429, 429, 429, 429, 429]);
    expect(Number((await invitationOf('115D0003')).pin_failures)).toBe(5);
    expect((await agent.post('/i').type('form').send({ _csrf: csrf, case_number: '115D0003', pin: inv.pin })).status).toBe(429);
  });

  test('a right PIN does not count as a failure', async () => {
    await register(['115D0004,A-1,2026-12-01,']);
    const inv = await invitationOf('115D0004');
    const agent = request.agent(t.app);
    const csrf = csrfFrom((await agent.get('/i')).text);
    expect((await agent.post('/i').type('form').send({ _csrf: csrf, case_number: '115D0004', pin: inv.pin })).status).toBe(303);
    expect(Number((await invitationOf('115D0004')).pin_failures)).toBe(0);
  });

  test('one address may try only PIN_SOURCE_LIMIT PINs in ten minutes, whatever the cases', async () => {
    now = new Date(now.getTime() + 11 * 60_000); // a fresh window for this address
    const lines = Array.from({ length: 7 }, (_, i) => `115D01${String(i).padStart(2, '0')},A-1,2026-12-01,`);
    await register(lines);
    const agent = request.agent(t.app);
    const csrf = csrfFrom((await agent.get('/i')).text);
    // 30 tries (PIN_SOURCE_LIMIT), spread over 7 cases so that no case reaches its own 5: all merely wrong.
    for (let i = 0; i < 30; i++) {
      const caseNumber = `115D01${String(i % 7).padStart(2, '0')}`;
      const { pin } = await invitationOf(caseNumber);
      const res = await agent.post('/i').type('form').send({ _csrf: csrf, case_number: caseNumber, pin: pin === '000000' ? '000001' : '000000' });
      expect(res.status).toBe(422);
    }
    const { pin } = await invitationOf('115D0106');
    expect((await agent.post('/i').type('form').send({ _csrf: csrf, case_number: '115D0106', pin })).status).toBe(429);
    now = new Date(now.getTime() + 11 * 60_000);
    expect((await agent.post('/i').type('form').send({ _csrf: csrf, case_number: '115D0106', pin })).status).toBe(303);
  });
});

describe('reminder, expiry and erasure', () => {
  test('one reminder a week on to those who have not answered; then expiry erases the number, token and PIN everywhere', async () => {
    now = new Date('2026-12-08T02:00:00Z');
    await register(['115E0001,A-1,2026-12-01,0987-654-321']);
    const inv = await invitationOf('115E0001');
    expect(await t.services.smsOutbox.dispatchDue(now)).toEqual({ sent: 1, retried: 0, failed: 0 });
    now = new Date(now.getTime() + 6 * DAY);
    expect(await t.services.petitions.remind(now)).toBe(0);
    now = new Date(now.getTime() + 1 * DAY + 60_000);
    expect(await t.services.petitions.remind(now)).toBe(1);
    expect(await t.services.petitions.remind(now)).toBe(0);
    const reminder = await db()('sms_messages').where({ id: (await invitationOf('115E0001')).reminder_sms_id }).first();
    expect(reminder.body).toBe(`【甲機關】提醒您填寫陳情案件（案號115E0001）處理滿意度問卷：${PUBLIC}/i/${inv.token} （或至 ${PUBLIC}/i 輸入案號及密碼${inv.pin}）`);
    expect(await t.services.smsOutbox.dispatchDue(now)).toEqual({ sent: 1, retried: 0, failed: 0 });

    now = new Date(new Date(inv.expires_at).getTime() + 1000);
    const result = await t.services.petitions.expireAndErase(now);
    expect(result.expired).toBeGreaterThanOrEqual(1);
    const expired = await invitationOf('115E0001');
    expect(expired).toMatchObject({ status: 'expired', phone_e164: null, token: null, pin: null });
    expect(Boolean(expired.sms_erased)).toBe(true);
    const messages = await db()('sms_messages').whereIn('id', [inv.sms_id, (await invitationOf('115E0001')).reminder_sms_id]);
    expect(messages.map((m: { to_phone: string | null; body: string }) => [m.to_phone, m.body])).toEqual([
      [null, ''],
      [null, ''],
    ]);
    const page = await request(t.app).get(`/i/${inv.token}`);
    expect(page.status).toBe(410);
    expect(page.text).toContain('這個問卷連結已過期');
    // Every invitation is past its expiry now: no phone number is left anywhere.
    expect(await db()('invitations').whereNotNull('phone_e164').count({ n: '*' }).first().then((r) => Number(r?.n))).toBe(0);
    now = new Date('2026-12-07T02:00:00Z');
  });

  test('an invitation answered (and its messages erased) after the reminder list was read gets no reminder', async () => {
    now = new Date('2026-12-20T02:00:00Z');
    await register(['115E0002,A-1,2026-12-18,0987-654-322']);
    const inv = await invitationOf('115E0002');
    expect(await t.services.smsOutbox.dispatchDue(now)).toEqual({ sent: 1, retried: 0, failed: 0 });
    now = new Date(now.getTime() + 7 * DAY + 60_000);
    const outbox = t.services.smsOutbox;
    const statuses = outbox.statuses.bind(outbox);
    // Between reading the due list and queueing: the petitioner answers and the erase job runs.
    const spy = jest.spyOn(outbox, 'statuses').mockImplementationOnce(async (ids) => {
      const { agent, csrf } = await openLink(inv.token);
      expect((await agent.post('/i/answer').type('form').send({ _csrf: csrf, token: inv.token, ...answers })).status).toBe(303);
      await t.services.petitions.expireAndErase(now);
      return statuses(ids);
    });
    try {
      expect(await t.services.petitions.remind(now)).toBe(0);
    } finally {
      spy.mockRestore();
    }
    expect(await invitationOf('115E0002')).toMatchObject({ status: 'answered', reminder_sms_id: null });
    expect(await countOf('sms_messages', { reference: `invitation:${inv.id}:reminder` })).toBe(0);
    now = new Date('2026-12-07T02:00:00Z');
  });
});

describe('phone keypad survey', () => {
  let code: string;

  beforeAll(async () => {
    manager = await signedIn(t.app, managerEmail);
    // The citizen survey is marked "phone" and keeps nothing of a call that hangs up (allowPartial false).
    expect((await manager.post('/channels', { unitId: String(section.id), surveyKey: 'staff', mode: 'phone' })).status).toBe(422);
    expect((await manager.post('/channels', { unitId: String(section.id), surveyKey: 'citizen', mode: 'phone' })).status).toBe(303);
    code = (await db()('channels').where({ mode: 'phone' }).first()).code;
  });

  /** Plays one key press (or silence) and returns the TwiML. */
  async function press(path: string, callSid: string, digits: string | null): Promise<string> {
    const res = await play(hook(path, keypadCallParams(callSid, digits)));
    expect(res.status).toBe(200);
    return res.text;
  }

  test('a call played through: valid keys, a wrong key repeated once, silence twice skips the question; stored with channel "phone"', async () => {
    const callSid = sid('CA');
    const greeting = await press(`/twilio/keypad/${code}/incoming`, callSid, null);
    expect(greeting).toContain('<Say language="zh-TW">您好，這裡是甲機關的');
    expect(greeting).toContain('<Say language="en-US">For English, press 9.</Say>');
    let twiml = await press(actionOf(greeting), callSid, '');
    expect(twiml).toContain('<Say language="zh-TW">第1題：洽公環境整潔舒適。非常滿意請按5，滿意請按4，普通請按3，不滿意請按2，非常不滿意請按1。</Say>');
    // 10 questions: 5; 7 (no such point) then 4; silence twice (skipped); 3 for questions 4 to 9; 1 for the last.
    const keys = ['5', '7', '4', '', '', '3', '3', '3', '3', '3', '3', '1'];
    const asked: string[] = [];
    for (const k of keys) {
      asked.push(/第(\d+)題/.exec(twiml)?.[1] ?? '');
      if (twiml.includes('沒有收到有效的按鍵')) asked[asked.length - 1] += '!';
      twiml = await press(actionOf(twiml), callSid, k);
    }
    expect(asked).toEqual(['1', '2', '2!', '3', '3!', '4', '5', '6', '7', '8', '9', '10']);
    expect(twiml).toContain('感謝您的寶貴意見');
    expect(twiml).toContain('<Hangup/>');
    const response = await db()('responses').join('channels', 'channels.id', 'responses.channel_id').where('channels.mode', 'phone').select('responses.id', 'responses.unit_id').first();
    expect(response.unit_id).toBe(section.id);
    const stored = Object.fromEntries((await db()('response_answers').where({ response_id: response.id })).map((a: { question_key: string; value: string }) => [a.question_key, a.value]));
    expect(stored).toEqual({ 'env.clean': '5', 'env.signs': '4', 'cour.attitude': '3', 'cour.attention': '3', 'prof.knowledge': '3', 'prof.efficiency': '3', 'meas.online': '3', 'meas.forms': '3', overall: '1' });
    // The session is gone with the call: nothing ties the response to it.
    expect(await db()('keypad_sessions').where({ call_sid: callSid }).first()).toBeUndefined();
  });

  test('an inbound caller counts by number like a web address: hashed with the response only, bursts flagged, SOURCE_LIMIT in ten minutes', async () => {
    const caller = '+886912000111';
    const callSid = sid('CA');
    const call = (digits: string | null) => play(hook(twimlPath, keypadCallParams(callSid, digits, 'in-progress', { from: caller })));
    let twimlPath = `/twilio/keypad/${code}/incoming`;
    let twiml = (await call(null)).text;
    for (const k of ['', '5', '5', '5', '5', '5', '5', '5', '5', '5', '5']) {
      twimlPath = actionOf(twiml);
      twiml = (await call(k)).text;
    }
    expect(twiml).toContain('<Hangup/>');
    const response = await db()('responses').orderBy('id', 'desc').first();
    expect(response.source_hash).toBe(t.services.surveys.sourceHash(`tel:${caller}`, now));
    expect(response.flag).toBeNull();
    expect(await db()('keypad_sessions').where({ call_sid: callSid }).first()).toBeUndefined();
    // Further answers from that number (the service the calls end in): the 5th in ten minutes on is flagged, the 31st refused.
    const channel = await t.services.surveys.channelByCode(code);
    const outcomes = [];
    for (let i = 2; i <= 31; i++) outcomes.push(await t.services.surveys.storeKeypadAnswers(channel as NonNullable<typeof channel>, new Map([['overall', { value: '4', text: null }]]), caller));
    expect(outcomes.slice(0, 3).map((o) => o.kind === 'stored' && o.flagged)).toEqual([false, false, false]);
    expect(outcomes.slice(3, 29).every((o) => o.kind === 'stored' && o.flagged)).toBe(true);
    expect(outcomes[29]).toEqual({ kind: 'tooMany', retryAfterSeconds: 600 });
  });

  test('the channels page gives the keypad channel\'s voice and status URLs, and lists the invitation channel', async () => {
    const page = await manager.agent.get('/channels');
    expect(page.status).toBe(200);
    expect(page.text).toContain(`${PUBLIC}/twilio/keypad/${code}/incoming`);
    expect(page.text).toContain(`${PUBLIC}/twilio/keypad/status`);
    expect(page.text).toContain('陳情案件邀請');
  });

  test('English by pressing 9 first', async () => {
    const callSid = sid('CA');
    const greeting = await press(`/twilio/keypad/${code}/incoming`, callSid, null);
    const twiml = await press(actionOf(greeting), callSid, '9');
    expect(twiml).toContain('<Say language="en-US">Question 1: ');
    expect(twiml).toContain('for Very satisfied, press 5');
  });

  test('a hang-up midway stores nothing when the survey does not allow partial answers', async () => {
    const before = await countOf('responses');
    const callSid = sid('CA');
    const greeting = await press(`/twilio/keypad/${code}/incoming`, callSid, null);
    const q1 = await press(actionOf(greeting), callSid, '');
    await press(actionOf(q1), callSid, '5');
    expect((await play(hook('/twilio/keypad/status', keypadCallParams(callSid, null, 'completed')))).status).toBe(204);
    expect(await countOf('responses')).toBe(before);
    expect(await db()('keypad_sessions').where({ call_sid: callSid }).first()).toBeUndefined();
  });

  test('a call Twilio refuses is logged with its code and status, never the number called', async () => {
    await register(['115F0002,A-1,2026-12-01,02-2345-6790']);
    const inv = await invitationOf('115F0002');
    fake.failNext({ status: 400, code: 21215, message: 'Account not authorized to call +886223456790. Perhaps you need to enable some international permissions', resource: 'calls' });
    logLines.length = 0;
    const res = await manager.post(`/petitions/${inv.id}/call`);
    expect(res.status).toBe(303);
    const log = logLines.join('');
    expect(log).toContain('the keypad call could not be started');
    expect(log).toContain('"errorCode":21215');
    expect(log).toContain('"httpStatus":400');
    expect(log).not.toMatch(/223456790|2345-6790/);
  });

  test('an outbound call to a landline petitioner; a hang-up keeps what was answered (the case survey allows it) and uses the invitation up', async () => {
    await register(['115F0001,A-1,2026-12-01,02-2345-6789']);
    const inv = await invitationOf('115F0001');
    const res = await manager.post(`/petitions/${inv.id}/call`);
    expect(res.status).toBe(303);
    const call = fake.calls.at(-1);
    expect(call?.params).toMatchObject({ To: '+886223456789', From: CALLER_ID, Url: `${PUBLIC}/twilio/keypad/invitations/${inv.id}/outgoing`, StatusCallback: `${PUBLIC}/twilio/keypad/status?invitation=${inv.id}` });
    const callSid = call?.sid as string;
    const before = await countOf('responses');
    const greeting = await press(`/twilio/keypad/invitations/${inv.id}/outgoing`, callSid, null);
    const q1 = await press(actionOf(greeting), callSid, '');
    expect(q1).toContain('處理速度');
    const q2 = await press(actionOf(q1), callSid, '2');
    await press(actionOf(q2), callSid, '5');
    expect((await play(hook(`/twilio/keypad/status?invitation=${inv.id}`, keypadCallParams(callSid, null, 'completed')))).status).toBe(204);
    expect(await countOf('responses')).toBe(before + 1);
    const response = await db()('responses').join('channels', 'channels.id', 'responses.channel_id').orderBy('responses.id', 'desc').select('responses.id', 'responses.unit_id', 'channels.mode', 'channels.survey_key').first();
    expect(response).toMatchObject({ mode: 'phone', survey_key: 'case', unit_id: section.id });
    expect(await db()('keypad_sessions').where({ call_sid: callSid }).first()).toBeUndefined();
    const stored = (await db()('response_answers').where({ response_id: response.id }).orderBy('question_key')).map((a: { question_key: string; value: string }) => [a.question_key, a.value]);
    expect(stored).toEqual([
      ['case.clarity', '5'],
      ['case.timeliness', '2'],
    ]);
    const answered = await invitationOf('115F0001');
    expect(answered).toMatchObject({ status: 'answered', answered_month: '2026-12', phone_e164: null, erased_at: null });
    expect(Boolean(answered.call_answered)).toBe(true);
    // Called again after answering: told so, and nothing asked.
    const again = await press(`/twilio/keypad/invitations/${inv.id}/outgoing`, sid('CA'), null);
    expect(again).toContain('本案的問卷已經填答過了');
    expect(again).not.toContain('<Gather');
    // The link is used up by the phone answer.
    expect((await request(t.app).get(`/i/${inv.token}`)).status).toBe(410);
  });

  test('sessions whose status callback never came are ended after 30 idle minutes, as a hang-up would end them', async () => {
    const start = now;
    await register(['115F0003,A-1,2026-12-01,02-2345-6791']);
    const inv = await invitationOf('115F0003');
    expect((await manager.post(`/petitions/${inv.id}/call`)).status).toBe(303);
    const caseSid = fake.calls.at(-1)?.sid as string;
    const greeting = await press(`/twilio/keypad/invitations/${inv.id}/outgoing`, caseSid, null);
    const q1 = await press(actionOf(greeting), caseSid, '');
    await press(actionOf(q1), caseSid, '4');
    const citizenSid = sid('CA');
    const citizenQ1 = await press(actionOf(await press(`/twilio/keypad/${code}/incoming`, citizenSid, null)), citizenSid, '');
    await press(actionOf(citizenQ1), citizenSid, '5');
    const before = await countOf('responses');
    try {
      now = new Date(start.getTime() + 29 * 60_000);
      await t.services.keypad.finishIdle(now);
      expect(await countOf('keypad_sessions', { call_sid: caseSid })).toBe(1);
      expect(await countOf('keypad_sessions', { call_sid: citizenSid })).toBe(1);
      now = new Date(start.getTime() + 31 * 60_000);
      await t.services.keypad.finishIdle(now);
      // The case survey allows partial answers: its one answer is stored and the invitation used up. The citizen one does not: nothing.
      expect(await countOf('responses')).toBe(before + 1);
      const response = await db()('responses').orderBy('id', 'desc').first();
      expect((await db()('response_answers').where({ response_id: response.id })).map((a: { question_key: string; value: string }) => [a.question_key, a.value])).toEqual([['case.timeliness', '4']]);
      expect(await invitationOf('115F0003')).toMatchObject({ status: 'answered', phone_e164: null });
      expect(await countOf('keypad_sessions', { call_sid: caseSid })).toBe(0);
      expect(await countOf('keypad_sessions', { call_sid: citizenSid })).toBe(0);
    } finally {
      now = start;
    }
  });

  test('forged webhooks are refused with 403 and change nothing', async () => {
    const before = { responses: await countOf('responses'), sessions: await countOf('keypad_sessions') };
    const callSid = sid('CA');
    const forgedIncoming = hook(`/twilio/keypad/${code}/incoming`, keypadCallParams(callSid, null));
    expect((await play(forgedIncoming, 'bm90IGEgc2lnbmF0dXJl')).status).toBe(403);
    const wrongKey = signWebhook('another-token', PUBLIC, `/twilio/keypad/${code}/incoming`, keypadCallParams(callSid, null));
    expect((await play(wrongKey)).status).toBe(403);
    // Signed for another path: replayed at the answer step.
    const greeting = await press(`/twilio/keypad/${code}/incoming`, callSid, null);
    const language = hook(actionOf(greeting), keypadCallParams(callSid, ''));
    const moved = { ...language, path: language.path.replace('/language', '/answer') };
    expect((await play(moved)).status).toBe(403);
    expect((await play(hook('/twilio/keypad/status', keypadCallParams(callSid, null, 'completed')), 'x')).status).toBe(403);
    // A forged "the petitioner answered" for an invitation changes nothing of it.
    await register(['115G0001,A-1,2026-12-01,02-2345-6780']);
    const inv = await invitationOf('115G0001');
    const forgedOutgoing = hook(`/twilio/keypad/invitations/${inv.id}/outgoing`, keypadCallParams(sid('CA'), null));
    expect((await play(forgedOutgoing, 'AAAA')).status).toBe(403);
    expect(await invitationOf('115G0001')).toMatchObject({ call_status: null, status: 'pending' });
    expect(Boolean((await invitationOf('115G0001')).call_answered)).toBe(false);
    expect(await countOf('responses')).toBe(before.responses);
    expect(await countOf('keypad_sessions')).toBe(before.sessions + 1);
    expect(await db()('keypad_sessions').where({ call_sid: callSid }).first()).toMatchObject({ status: 'active', position: 0 });
  });
});
