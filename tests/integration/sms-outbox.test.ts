import pino from 'pino';
import request from 'supertest';
import { buildServices } from '../../server/app';
import type { Unit } from '../../server/org/units-repo';
import { openDb } from '../../server/platform/db';
import { createLogger } from '../../server/platform/logger';
import { SmsBodyError, SmsOutboxDisabledError, type SmsToSend } from '../../server/telephony/sms-outbox';
import { createTestApp, seedUnit, type TestApp } from '../support/app';
import { FAKE_ACCOUNT_SID, FAKE_AUTH_TOKEN, FakeTwilio, signWebhook, smsStatusParams, webhookRequest, type TwilioWebhook } from '../support/fake-twilio';

/**
 * The SMS outbox with the real Twilio SDK against the local fake: Taiwan's
 * body rules, landlines skipped, quiet hours, retries, delivery callbacks
 * (signed with the SDK, played as through a proxy that strips /app), forged
 * callbacks, and two server instances dispatching at once.
 */
const PUBLIC = 'https://courtesy.example.gov.tw/app';
const CALLER_ID = '+886277001234';
const TWILIO_ENV = { TWILIO_ACCOUNT_SID: FAKE_ACCOUNT_SID, TWILIO_AUTH_TOKEN: FAKE_AUTH_TOKEN, TWILIO_CALLER_ID: CALLER_ID, PUBLIC_BASE_URL: PUBLIC };
const MOBILE = '+886912345678';

/** Every line the server logs, to check that no phone number reaches the log. */
const logLines: string[] = [];
const logger = pino({ level: 'info' }, { write: (line: string) => void logLines.push(line) });

let now = new Date('2026-12-07T02:00:00Z'); // Monday 7 December 2026, 10:00 in Taipei
let fake: FakeTwilio;
let t: TestApp;
let agency: Unit;
let section: Unit;

const db = () => t.testDb.db;
const outbox = () => t.services.smsOutbox;
const row = async (id: number) => db()('sms_messages').where({ id }).first();
const count = async () => Number((await db()('sms_messages').count({ n: '*' }).first())?.n);
const sms = (fields: Partial<SmsToSend> = {}): SmsToSend => ({
  to: MOBILE,
  body: '【甲機關】明天上午有電話禮貌測試，請至 https://courtesy.example.gov.tw/app/my/assignments 查看。',
  purpose: 'test',
  reference: 'test:1',
  unitId: section.id,
  ...fields,
});

async function play(hooks: readonly TwilioWebhook[], headers: (h: TwilioWebhook) => Record<string, string> = (h) => webhookRequest(h).headers): Promise<number[]> {
  const statuses: number[] = [];
  for (const hook of hooks) statuses.push((await request(t.app).post(hook.path).set(headers(hook)).send(webhookRequest(hook).body)).status);
  return statuses;
}

/** Enqueues one message and dispatches it at 10:00 on a working morning; its row and the fake's record. */
async function sentMessage(to = MOBILE): Promise<{ id: number; messageSid: string }> {
  now = new Date('2026-12-07T02:00:00Z');
  const { id } = await outbox().enqueue(sms({ to, reference: `sent:${Math.random()}` }));
  const before = fake.messages.length;
  expect(await outbox().dispatchDue(now)).toEqual({ sent: 1, retried: 0, failed: 0 });
  expect(fake.messages).toHaveLength(before + 1);
  const messageSid = (await row(id)).message_sid as string;
  expect(messageSid).toBe(fake.messages.at(-1)?.sid);
  return { id, messageSid };
}

beforeAll(async () => {
  fake = await FakeTwilio.start();
  t = await createTestApp(TWILIO_ENV, () => now, logger, { twilioHttpClient: fake.httpClient });
  agency = await seedUnit(t, { parentId: null, code: 'A', nameZh: '甲機關' });
  section = await seedUnit(t, { parentId: agency.id, code: 'A-1', nameZh: '戶政課' });
});
afterAll(async () => {
  await t.close();
  await fake.close();
});
beforeEach(async () => {
  await db()('sms_messages').del();
  fake.messages.length = 0;
  fake.responseDelayMs = 0;
});

describe('enqueue', () => {
  test('checks the body against Taiwan\'s rules and stores nothing that breaks them', async () => {
    await expect(outbox().enqueue(sms({ body: '明天有測試 https://courtesy.example.gov.tw/app/my/assignments' }))).rejects.toThrow(SmsBodyError);
    await expect(outbox().enqueue(sms({ body: '【乙機關】明天有測試' }))).rejects.toThrow(SmsBodyError);
    await expect(outbox().enqueue(sms({ body: '【甲機關】請看 https://bit.ly/abc123' }))).rejects.toThrow(SmsBodyError);
    await expect(outbox().enqueue(sms({ body: '【甲機關】請看 courtesy.example.gov.tw/app/my' }))).rejects.toThrow(SmsBodyError);
    const err = await outbox().enqueue(sms({ body: '【甲機關】請看 https://reurl.cc/xyz' })).catch((e: unknown) => e);
    expect((err as SmsBodyError).issues).toEqual([{ problem: 'shortenedUrl', url: 'https://reurl.cc/xyz' }]);
    expect(await count()).toBe(0);
  });

  test('stores a sendable message as pending, due now, with its segments', async () => {
    const body = sms().body;
    const queued = await outbox().enqueue(sms({ to: '0912-345-678' }));
    expect(queued).toEqual({ id: queued.id, status: 'pending', reason: null, sendAfter: '2026-12-07T02:00:00.000Z', duplicate: false });
    const r = await row(queued.id);
    // 74 UTF-16 units (5 brand + 14 + space + 50 URL + space + 3), over the 70 of one Chinese SMS: two parts of up to 67.
    expect(r).toMatchObject({ to_phone: MOBILE, body, purpose: 'test', reference: 'test:1', unit_id: section.id, status: 'pending', segments: 2 });
    expect(await outbox().brandFor(section.id)).toBe('【甲機關】');
  });

  test('skips a landline, an unreadable number and a missing one, with the reason, and never sends them', async () => {
    const landline = await outbox().enqueue(sms({ to: '02-2345-6789' }));
    const invalid = await outbox().enqueue(sms({ to: '12345' }));
    const none = await outbox().enqueue(sms({ to: null }));
    expect([landline, invalid, none].map((e) => [e.status, e.reason])).toEqual([['skipped', 'landline'], ['skipped', 'invalid'], ['skipped', 'noPhone']]);
    expect((await row(landline.id)).to_phone).toBe('+886223456789');
    expect(await outbox().dispatchDue(now)).toEqual({ sent: 0, retried: 0, failed: 0 });
    expect(fake.messages).toHaveLength(0);
  });

  test('runs in the caller\'s transaction: rolled back with it', async () => {
    await expect(
      db().transaction(async (trx) => {
        await outbox().enqueue(sms(), trx);
        throw new Error('the caller changed its mind');
      }),
    ).rejects.toThrow('the caller changed its mind');
    expect(await count()).toBe(0);
  });

  test('a dedupe key stores one message however often it is enqueued', async () => {
    const first = await outbox().enqueue(sms({ dedupeKey: 'reminder:1' }));
    const again = await outbox().enqueue(sms({ dedupeKey: 'reminder:1' }));
    expect(again).toEqual({ ...first, duplicate: true });
    expect(await count()).toBe(1);
  });
});

describe('dispatch', () => {
  test('quiet hours: queued at 22:00, nothing sent before 09:00, sent at 09:00 with a status callback', async () => {
    now = new Date('2026-12-07T14:00:00Z'); // 22:00 in Taipei
    const queued = await outbox().enqueue(sms());
    expect(queued.sendAfter).toBe('2026-12-08T01:00:00.000Z'); // 09:00 on the 8th in Taipei
    expect(await outbox().dispatchDue(now)).toEqual({ sent: 0, retried: 0, failed: 0 });
    expect(await outbox().dispatchDue(new Date('2026-12-08T00:59:59Z'))).toEqual({ sent: 0, retried: 0, failed: 0 });
    expect(fake.messages).toHaveLength(0);
    expect(await outbox().dispatchDue(new Date('2026-12-08T01:00:00Z'))).toEqual({ sent: 1, retried: 0, failed: 0 });
    expect(fake.messages).toHaveLength(1);
    expect(fake.messages[0]?.params).toMatchObject({ To: MOBILE, From: CALLER_ID, Body: sms().body, StatusCallback: `${PUBLIC}/twilio/sms/${queued.id}/status` });
    expect(await row(queued.id)).toMatchObject({ status: 'queued', message_sid: fake.messages[0]?.sid, attempts: 1, sent_at: '2026-12-08T01:00:00.000Z' });
    // Sent once: a later run finds nothing due.
    expect(await outbox().dispatchDue(new Date('2026-12-08T01:05:00Z'))).toEqual({ sent: 0, retried: 0, failed: 0 });
    expect(fake.messages).toHaveLength(1);
  });

  test('dispatchNow: a sendNow message goes at once in quiet hours; any other waits for its time', async () => {
    now = new Date('2026-12-07T14:00:00Z'); // 22:00 in Taipei
    const waiting = await outbox().enqueue(sms({ reference: 'waits' }));
    const urgent = await outbox().enqueue(sms({ reference: 'now', sendNow: true }));
    expect(urgent.sendAfter).toBe('2026-12-07T14:00:00.000Z');
    expect(await outbox().dispatchNow(waiting.id, now)).toMatchObject({ status: 'pending', attempts: 0 });
    expect(await outbox().dispatchNow(urgent.id, now)).toMatchObject({ status: 'queued', attempts: 1 });
    expect(fake.messages.map((m) => m.params.StatusCallback)).toEqual([`${PUBLIC}/twilio/sms/${urgent.id}/status`]);
    // Already sent: a second call sends nothing more.
    expect(await outbox().dispatchNow(urgent.id, now)).toMatchObject({ status: 'queued', attempts: 1 });
    expect(fake.messages).toHaveLength(1);
  });

  test('lunch: queued at 12:45, sent at 13:30', async () => {
    now = new Date('2026-12-07T04:45:00Z'); // 12:45 in Taipei
    const queued = await outbox().enqueue(sms());
    expect(queued.sendAfter).toBe('2026-12-07T05:30:00.000Z');
    expect(await outbox().dispatchDue(new Date('2026-12-07T05:29:00Z'))).toEqual({ sent: 0, retried: 0, failed: 0 });
    expect(await outbox().dispatchDue(new Date('2026-12-07T05:30:00Z'))).toEqual({ sent: 1, retried: 0, failed: 0 });
  });

  test('Twilio busy: tried again after a minute, then sent once', async () => {
    now = new Date('2026-12-07T02:00:00Z');
    const { id } = await outbox().enqueue(sms());
    fake.failNext({ status: 503, code: 20503, message: 'Service Unavailable', resource: 'messages' });
    expect(await outbox().dispatchDue(now)).toEqual({ sent: 0, retried: 1, failed: 0 });
    expect(await row(id)).toMatchObject({ status: 'pending', attempts: 1, error_code: 20503, send_after: '2026-12-07T02:01:00.000Z' });
    expect(await outbox().dispatchDue(new Date('2026-12-07T02:00:59Z'))).toEqual({ sent: 0, retried: 0, failed: 0 });
    expect(await outbox().dispatchDue(new Date('2026-12-07T02:01:00Z'))).toEqual({ sent: 1, retried: 0, failed: 0 });
    expect(fake.messages).toHaveLength(1);
    expect(await row(id)).toMatchObject({ status: 'queued', attempts: 2 });
  });

  test('Twilio busy five times: failed, out of tries', async () => {
    now = new Date('2026-12-07T02:00:00Z');
    const { id } = await outbox().enqueue(sms());
    // Tries at 10:00, 10:01, 10:06, 10:21 and 11:21 (1, 5, 15, 60 minutes apart).
    const tries = ['2026-12-07T02:00:00Z', '2026-12-07T02:01:00Z', '2026-12-07T02:06:00Z', '2026-12-07T02:21:00Z', '2026-12-07T03:21:00Z'];
    for (const [n, at] of tries.entries()) {
      fake.failNext({ status: 500, resource: 'messages' });
      expect(await outbox().dispatchDue(new Date(at))).toEqual(n < 4 ? { sent: 0, retried: 1, failed: 0 } : { sent: 0, retried: 0, failed: 1 });
    }
    expect(await row(id)).toMatchObject({ status: 'failed', reason: 'retriesExhausted', attempts: 5, error_code: 20500 });
    expect(fake.messages).toHaveLength(0);
  });

  test('refused by Twilio: failed at once with its error code, not tried again', async () => {
    now = new Date('2026-12-07T02:00:00Z');
    const { id } = await outbox().enqueue(sms());
    fake.failNext({ status: 400, code: 21610, message: 'Attempt to send to unsubscribed recipient', resource: 'messages' });
    expect(await outbox().dispatchDue(now)).toEqual({ sent: 0, retried: 0, failed: 1 });
    expect(await row(id)).toMatchObject({ status: 'failed', reason: 'rejected', error_code: 21610, error_message: 'Attempt to send to unsubscribed recipient' });
    expect(await outbox().dispatchDue(new Date('2026-12-07T03:00:00Z'))).toEqual({ sent: 0, retried: 0, failed: 0 });
  });

  test('Twilio\'s refusal quoting the number: stored and logged without it', async () => {
    now = new Date('2026-12-07T02:00:00Z');
    const { id } = await outbox().enqueue(sms());
    logLines.length = 0;
    fake.failNext({ status: 400, code: 21211, message: `The 'To' number ${MOBILE} is not a valid phone number.`, resource: 'messages' });
    expect(await outbox().dispatchDue(now)).toEqual({ sent: 0, retried: 0, failed: 1 });
    expect(await row(id)).toMatchObject({ status: 'failed', reason: 'rejected', error_code: 21211, error_message: "The 'To' number *** is not a valid phone number." });
    const logged = logLines.join('');
    expect(logged).toContain('"errorCode":21211');
    expect(logged).toContain('"httpStatus":400');
    expect(logged.replace(/\D/g, '')).not.toContain('912345678');
  });

  test('a message left mid-send by a stopped server is failed as unknown, never sent again', async () => {
    now = new Date('2026-12-07T02:00:00Z');
    const { id } = await outbox().enqueue(sms());
    await db()('sms_messages').where({ id }).update({ status: 'sending', claim_token: 'x'.repeat(32), claimed_at: '2026-12-07T02:00:00.000Z' });
    expect(await outbox().dispatchDue(new Date('2026-12-07T02:09:00Z'))).toEqual({ sent: 0, retried: 0, failed: 0 });
    expect(await outbox().dispatchDue(new Date('2026-12-07T02:10:01Z'))).toEqual({ sent: 0, retried: 0, failed: 1 });
    expect(await row(id)).toMatchObject({ status: 'failed', reason: 'unknownOutcome' });
    expect(fake.messages).toHaveLength(0);
    // Twilio did get it after all: its delivery report, when one comes, says how it went.
    const messageSid = `SM${'ab'.repeat(16)}`;
    const report = (status: 'sent' | 'delivered') => signWebhook(FAKE_AUTH_TOKEN, PUBLIC, `/twilio/sms/${id}/status`, smsStatusParams({ messageSid, to: MOBILE, status }));
    expect(await play([report('delivered'), report('sent')])).toEqual([204, 204]);
    expect(await row(id)).toMatchObject({ status: 'delivered', reason: null, message_sid: messageSid });
  });

  test('two server instances dispatching at once never send a message twice', async () => {
    now = new Date('2026-12-07T02:00:00Z');
    for (let n = 0; n < 12; n++) await outbox().enqueue(sms({ body: `【甲機關】第 ${n} 則`, reference: `n:${n}` }));
    const second = openDb({ databaseUrl: t.testDb.databaseUrl, dataDir: t.testDb.dataDir });
    try {
      const other = buildServices({ db: second, config: t.config, logger: createLogger('silent'), sessionSecret: 'x'.repeat(40), clock: () => now, twilioHttpClient: fake.httpClient });
      fake.responseDelayMs = 20; // each send is slow: both instances are mid-batch together
      const reports = await Promise.all([outbox().dispatchDue(now), other.smsOutbox.dispatchDue(now), outbox().dispatchDue(now), other.smsOutbox.dispatchDue(now)]);
      expect(reports.reduce((sum, r) => sum + r.sent, 0)).toBe(12);
      expect(reports.filter((r) => r.sent > 0).length).toBeGreaterThan(1); // the work was shared, not done by one
      const bodies = fake.messages.map((m) => m.params.Body).sort();
      expect(bodies).toHaveLength(12);
      expect(new Set(bodies).size).toBe(12);
      const rows = await db()('sms_messages').select('status', 'attempts');
      expect(rows.every((r: { status: string; attempts: number | string }) => r.status === 'queued' && Number(r.attempts) === 1)).toBe(true);
    } finally {
      await second.destroy();
    }
  });
});

describe('delivery status callbacks', () => {
  test('sent then delivered: stored; a repeat and a late "sent" change nothing', async () => {
    const { id, messageSid } = await sentMessage();
    const hooks = fake.messageCallbacks(messageSid, 'delivered', PUBLIC);
    expect(hooks.map((h) => h.path)).toEqual([`/twilio/sms/${id}/status`, `/twilio/sms/${id}/status`]);
    now = new Date('2026-12-07T02:00:05Z');
    expect(await play(hooks)).toEqual([204, 204]);
    expect(await row(id)).toMatchObject({ status: 'delivered', error_code: null, status_at: '2026-12-07T02:00:05.000Z' });
    now = new Date('2026-12-07T02:00:09Z');
    expect(await play([...hooks].reverse())).toEqual([204, 204]);
    expect(await row(id)).toMatchObject({ status: 'delivered', status_at: '2026-12-07T02:00:05.000Z' });
  });

  test('out of order: delivered before sent ends delivered', async () => {
    const { id, messageSid } = await sentMessage();
    expect(await play([...fake.messageCallbacks(messageSid, 'delivered', PUBLIC)].reverse())).toEqual([204, 204]);
    expect((await row(id)).status).toBe('delivered');
  });

  test('undelivered and failed are stored with the carrier\'s error code', async () => {
    const a = await sentMessage();
    expect(await play(fake.messageCallbacks(a.messageSid, 'undelivered', PUBLIC))).toEqual([204, 204]);
    expect(await row(a.id)).toMatchObject({ status: 'undelivered', error_code: 30003 });
    const b = await sentMessage();
    expect(await play(fake.messageCallbacks(b.messageSid, 'failed', PUBLIC, 30008))).toEqual([204]);
    expect(await row(b.id)).toMatchObject({ status: 'failed', error_code: 30008, reason: null });
  });

  test('forged, unsigned or misdirected callbacks: 403 and nothing changed', async () => {
    const { id, messageSid } = await sentMessage();
    const before = await row(id);
    const path = `/twilio/sms/${id}/status`;
    const params = smsStatusParams({ messageSid, to: MOBILE, status: 'delivered' });
    const forged = signWebhook('not-the-auth-token', PUBLIC, path, params);
    const otherUrl = signWebhook(FAKE_AUTH_TOKEN, 'https://evil.example.com', path, params);
    const otherMessage = { ...signWebhook(FAKE_AUTH_TOKEN, PUBLIC, `/twilio/sms/${id + 1}/status`, params), path };
    expect(await play([forged, otherUrl, otherMessage])).toEqual([403, 403, 403]);
    expect(await play([signWebhook(FAKE_AUTH_TOKEN, PUBLIC, path, params)], () => ({ 'Content-Type': 'application/x-www-form-urlencoded' }))).toEqual([403]);
    // Signed properly but with its parameters changed after signing.
    const tampered = signWebhook(FAKE_AUTH_TOKEN, PUBLIC, path, params);
    expect(await play([{ ...tampered, params: { ...params, MessageStatus: 'failed' } }])).toEqual([403]);
    expect(await row(id)).toEqual(before);
  });

  test('a signed callback naming another message\'s SID, or an unknown message, is refused', async () => {
    const { id } = await sentMessage();
    const strange = signWebhook(FAKE_AUTH_TOKEN, PUBLIC, `/twilio/sms/${id}/status`, smsStatusParams({ messageSid: `SM${'0'.repeat(32)}`, to: MOBILE, status: 'delivered' }));
    const missing = signWebhook(FAKE_AUTH_TOKEN, PUBLIC, '/twilio/sms/999999/status', smsStatusParams({ messageSid: `SM${'0'.repeat(32)}`, to: MOBILE, status: 'delivered' }));
    const garbled = signWebhook(FAKE_AUTH_TOKEN, PUBLIC, `/twilio/sms/${id}/status`, { MessageStatus: 'delivered' });
    expect(await play([strange, missing, garbled])).toEqual([404, 404, 400]);
    expect((await row(id)).status).toBe('queued');
  });
});

test('manual mode: nothing can be queued', async () => {
  const manual = await createTestApp();
  try {
    const unit = await seedUnit(manual, { parentId: null, code: 'M', nameZh: '丙機關' });
    expect(manual.services.smsOutbox.enabled).toBe(false);
    await expect(manual.services.smsOutbox.enqueue({ to: MOBILE, body: '【丙機關】測試', purpose: 'test', reference: null, unitId: unit.id })).rejects.toThrow(SmsOutboxDisabledError);
    expect(await manual.services.smsOutbox.dispatchDue(now)).toEqual({ sent: 0, retried: 0, failed: 0 });
    expect(Number((await manual.testDb.db('sms_messages').count({ n: '*' }).first())?.n)).toBe(0);
  } finally {
    await manual.close();
  }
});
