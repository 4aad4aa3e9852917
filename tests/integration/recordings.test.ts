import request from 'supertest';
import type { Unit } from '../../server/org/units-repo';
import { DEFAULT_SETTINGS } from '../../server/platform/app-settings';
import { recordingRetentionJob } from '../../server/telephony/jobs';
import {
  callLeg,
  callStatusParams,
  FAKE_ACCOUNT_SID,
  FAKE_AUTH_TOKEN,
  fakeRecordingWav,
  FakeTwilio,
  recordingReady,
  sid,
  signWebhook,
  webhookRequest,
  type TwilioWebhook,
} from '../support/fake-twilio';
import { createTestApp, seedUnit, seedUser, signedIn, type Client, type TestApp } from '../support/app';
import { fullMarksUnitAnswers } from '../support/score-answers';

/**
 * Call recordings through HTTP, with the real Twilio SDK pointed at the local
 * fake: the setting and the consent box, the bridge TwiML asking for a
 * dual-channel recording only with consent, the signed recording callback
 * (stored once, whatever the repeats and order; forged ones refused), the
 * audio streamed through the server with the user's rights and Range, and the
 * retention job (expired deleted at Twilio, fresh kept, failures retried and shown).
 */
const PUBLIC = 'https://courtesy.example.gov.tw/app';
const CALLER_ID = '+886277001234';
const TESTER_PHONE = '+886912345678';
const TWILIO_ENV = { TWILIO_ACCOUNT_SID: FAKE_ACCOUNT_SID, TWILIO_AUTH_TOKEN: FAKE_AUTH_TOKEN, TWILIO_CALLER_ID: CALLER_ID, PUBLIC_BASE_URL: PUBLIC, SESSION_IDLE_MINUTES: '600' };
const T0 = new Date('2026-12-07T02:00:00Z'); // Monday 7 December 2026, 10:00 in Taipei
const TODAY = '2026-12-07';
const DAY = 86_400_000;
const WAV = fakeRecordingWav();

let now = T0;
let fake: FakeTwilio;
let t: TestApp;
let agency: Unit;
let otherAgency: Unit;
let testerA: { id: number; email: string };
let tester: Client;
let otherTester: Client;
let manager: Client;
let farManager: Client;
let unitHead: Client;
let admin: Client;
let version: string;
let unitCounter = 0;

const db = () => t.testDb.db;
const count = async (table: string, where: Record<string, unknown> = {}) => Number((await db()(table).where(where).count({ n: '*' }).first())?.n);

async function setRecording(on: boolean, retentionDays = 90): Promise<void> {
  await t.services.settings.save({ ...DEFAULT_SETTINGS, recordCalls: on, recordingRetentionDays: retentionDays }, now.toISOString());
}

async function unitWithPhone(): Promise<Unit> {
  unitCounter += 1;
  return seedUnit(t, { parentId: agency.id, code: `R${unitCounter}`, nameZh: `錄音科${unitCounter}`, phoneE164: '+886223456789', phoneExt: null });
}

async function publishedAssignment(unit: Unit): Promise<number> {
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
      part: 'unit',
      tester_id: testerA.id,
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

async function play(hooks: readonly TwilioWebhook[], headers: (h: TwilioWebhook) => Record<string, string> = (h) => webhookRequest(h).headers) {
  const answers: { status: number; text: string }[] = [];
  for (const hook of hooks) {
    const res = await request(t.app).post(hook.path).set(headers(hook)).send(webhookRequest(hook).body);
    answers.push({ status: res.status, text: res.text });
  }
  return answers;
}

/** Presses Call (with the consent box ticked or not); the call's id and SID. */
async function pressCall(assignmentId: number, consent: boolean): Promise<{ callId: number; callSid: string }> {
  const res = await tester.post(`/assignments/${assignmentId}/call`, consent ? { consent: 'yes' } : {});
  expect(res.status).toBe(303);
  const callId = Number(/^\/calls\/(\d+)$/.exec(String(res.headers.location))?.[1]);
  const call = await db()('calls').where({ id: callId }).first();
  return { callId, callSid: call.call_sid };
}

/** The TwiML Twilio fetches when the tester answers. */
async function bridgeXml(callId: number, callSid: string): Promise<string> {
  const hook = signWebhook(FAKE_AUTH_TOKEN, PUBLIC, `/twilio/calls/${callId}/bridge`, callStatusParams(callLeg({ callSid, to: TESTER_PHONE }), 'in-progress', 2, now));
  const [answer] = await play([hook]);
  expect(answer?.status).toBe(200);
  return answer?.text ?? '';
}

function attributes(xml: string, tag: string): Record<string, string> {
  const m = new RegExp(`<${tag}\\b([^>]*)>`).exec(xml);
  if (!m?.[1]) throw new Error(`no <${tag}> in ${xml}`);
  return Object.fromEntries([...m[1].matchAll(/(\w+)="([^"]*)"/g)].map((a) => [a[1], a[2]]));
}

const recordingHook = (callId: number, o: Parameters<typeof recordingReady>[1]) =>
  recordingReady({ authToken: FAKE_AUTH_TOKEN, publicBaseUrl: PUBLIC, path: `/twilio/calls/${callId}/recording` }, o);

/** A recorded call: consent ticked, Call pressed, the recording-ready callback played at `at`. */
async function recordedCall(at: Date = now): Promise<{ assignmentId: number; callId: number; callSid: string; recordingSid: string; recordingId: number }> {
  const assignmentId = await publishedAssignment(await unitWithPhone());
  const { callId, callSid } = await pressCall(assignmentId, true);
  const recordingSid = sid('RE');
  const saved = now;
  now = at;
  try {
    expect((await play([recordingHook(callId, { callSid, recordingSid, startedAt: at })]))[0]?.status).toBe(204);
  } finally {
    now = saved;
  }
  const row = await db()('recordings').where({ recording_sid: recordingSid }).first();
  return { assignmentId, callId, callSid, recordingSid, recordingId: row.id };
}

/** GETs a body as bytes. */
const binary = (res: request.Response, cb: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
};
const audio = (who: Client, recordingId: number, range?: string) => {
  const req = who.agent.get(`/recordings/${recordingId}/audio`).buffer(true).parse(binary);
  return range === undefined ? req : req.set('Range', range);
};

beforeAll(async () => {
  fake = await FakeTwilio.start();
  t = await createTestApp(TWILIO_ENV, () => now, undefined, { twilioHttpClient: fake.httpClient });
  agency = await seedUnit(t, { parentId: null, code: 'A', nameZh: '甲機關' });
  otherAgency = await seedUnit(t, { parentId: null, code: 'B', nameZh: '乙機關' });
  const home = await seedUnit(t, { parentId: agency.id, code: 'A-RES', nameZh: '研考科' });
  testerA = await seedUser(t, 'tester', home.id);
  const testerB = await seedUser(t, 'tester', home.id);
  await db()('users').where({ id: testerA.id }).update({ phone_e164: TESTER_PHONE });
  tester = await signedIn(t.app, testerA.email);
  otherTester = await signedIn(t.app, testerB.email);
  manager = await signedIn(t.app, (await seedUser(t, 'manager', agency.id)).email);
  farManager = await signedIn(t.app, (await seedUser(t, 'manager', otherAgency.id)).email);
  unitHead = await signedIn(t.app, (await seedUser(t, 'unit_head', agency.id)).email);
  admin = await signedIn(t.app, (await seedUser(t, 'admin', agency.id)).email);
  version = (await t.services.results.currentSheet()).sheet.version;
});
afterAll(async () => {
  await t.close();
  await fake.close();
});

describe('the setting', () => {
  test('is off by default with a 90-day retention, and the Call button then offers no consent box', async () => {
    expect(DEFAULT_SETTINGS.recordCalls).toBe(false);
    expect(DEFAULT_SETTINGS.recordingRetentionDays).toBe(90);
    const page = (await admin.agent.get('/settings')).text;
    expect(page).toMatch(/<input type="radio" id="recordCalls-0" name="recordCalls" value="off" checked>/);
    expect(page).toMatch(/<input [^>]*name="recordingRetentionDays"[^>]*value="90"/);
    const id = await publishedAssignment(await unitWithPhone());
    const mine = (await tester.agent.get('/my/assignments')).text;
    expect(mine).toContain(`action="/assignments/${id}/call"`);
    expect(mine).not.toContain('name="consent"');
  });

  test('is turned on by an administrator on the settings page; a bad retention period is refused with the form kept', async () => {
    const page = await admin.agent.get('/settings');
    const form: Record<string, string | string[]> = {};
    for (const m of page.text.matchAll(/<input [^>]*name="([^"]+)"[^>]*value="([^"]*)"([^>]*)>/g)) {
      const [, name, value, rest] = m as unknown as [string, string, string, string];
      if (name === '_csrf') continue;
      const type = /type="(radio|checkbox)"/.exec(m[0])?.[1];
      if (type && !/checked/.test(rest) && !/checked/.test(m[0])) continue;
      form[name] = type === 'checkbox' ? [...[].concat((form[name] ?? []) as never), value] : value;
    }
    const bad = await admin.post('/settings', { ...form, recordCalls: 'on', recordingRetentionDays: '0' });
    expect(bad.status).toBe(422);
    expect(bad.text).toMatch(/<input type="radio" id="recordCalls-1" name="recordCalls" value="on" checked>/);
    expect((await t.services.settings.get()).recordCalls).toBe(false);
    const ok = await admin.post('/settings', { ...form, recordCalls: 'on', recordingRetentionDays: '30' });
    expect(ok.status).toBe(303);
    expect(await t.services.settings.get()).toMatchObject({ recordCalls: true, recordingRetentionDays: 30 });
    const mine = (await tester.agent.get('/my/assignments')).text;
    expect(mine).toMatch(/<input type="checkbox" id="consent-\d+" name="consent" value="yes"/);
    expect(mine).toContain('已依本機關作業規定告知受測單位或取得同意');
    await setRecording(false);
  });

  test('only an administrator may change it', async () => {
    expect((await manager.post('/settings', { recordCalls: 'on' })).status).toBe(403);
  });
});

describe('consent and the TwiML', () => {
  beforeAll(() => setRecording(true));

  test('unticked: the call is placed, nothing consented, and the TwiML asks for no recording', async () => {
    const { callId, callSid } = await pressCall(await publishedAssignment(await unitWithPhone()), false);
    const call = await db()('calls').where({ id: callId }).first();
    expect(call.recording_consent_by).toBeNull();
    expect(call.recording_consent_at).toBeNull();
    const xml = await bridgeXml(callId, callSid);
    expect(attributes(xml, 'Dial')).toEqual({ callerId: CALLER_ID, answerOnBridge: 'true', timeout: '30' });
    expect(xml).not.toContain('record');
  });

  test('ticked: the consent is stored with the call, and the TwiML asks for a dual-channel recording reported to a signed webhook', async () => {
    const { callId, callSid } = await pressCall(await publishedAssignment(await unitWithPhone()), true);
    const call = await db()('calls').where({ id: callId }).first();
    expect(Number(call.recording_consent_by)).toBe(testerA.id);
    expect(call.recording_consent_at).toBe(now.toISOString());
    expect(attributes(await bridgeXml(callId, callSid), 'Dial')).toEqual({
      callerId: CALLER_ID,
      answerOnBridge: 'true',
      timeout: '30',
      record: 'record-from-answer-dual',
      recordingStatusCallback: `${PUBLIC}/twilio/calls/${callId}/recording`,
      recordingStatusCallbackMethod: 'POST',
      recordingStatusCallbackEvent: 'completed absent',
    });
  });

  test('ticked while recording is off: no consent kept and no recording asked for; turned off after the consent, none either', async () => {
    await setRecording(false);
    const off = await pressCall(await publishedAssignment(await unitWithPhone()), true);
    expect((await db()('calls').where({ id: off.callId }).first()).recording_consent_by).toBeNull();
    expect(await bridgeXml(off.callId, off.callSid)).not.toContain('record');
    await setRecording(true);
    const consented = await pressCall(await publishedAssignment(await unitWithPhone()), true);
    await setRecording(false);
    expect(await bridgeXml(consented.callId, consented.callSid)).not.toContain('record');
    await setRecording(true);
  });
});

describe('the recording callback', () => {
  beforeAll(() => setRecording(true));

  test('recording ready: stored once with its duration and channels; a repeat or a late "absent" changes nothing', async () => {
    const assignmentId = await publishedAssignment(await unitWithPhone());
    const { callId, callSid } = await pressCall(assignmentId, true);
    const recordingSid = sid('RE');
    const hook = recordingHook(callId, { callSid, recordingSid, durationSeconds: 37 });
    expect((await play([hook]))[0]?.status).toBe(204);
    const stored = await db()('recordings').where({ recording_sid: recordingSid }).first();
    expect(stored).toMatchObject({ call_id: callId, status: 'completed', available_at: now.toISOString(), deleted_at: null, error_code: null });
    expect([Number(stored.duration_seconds), Number(stored.channels), Number(stored.delete_attempts)]).toEqual([37, 2, 0]);

    const later = now;
    now = new Date(T0.getTime() + 60_000);
    try {
      const absent = recordingHook(callId, { callSid, recordingSid, status: 'absent' });
      expect((await play([hook, absent, hook])).map((a) => a.status)).toEqual([204, 204, 204]);
    } finally {
      now = later;
    }
    expect(await db()('recordings').where({ call_id: callId })).toEqual([stored]);
  });

  test('"absent" first (no file), then completed for the same recording: the file is taken; an absent one alone says none was made', async () => {
    const { callId, callSid } = await pressCall(await publishedAssignment(await unitWithPhone()), true);
    const recordingSid = sid('RE');
    expect((await play([recordingHook(callId, { callSid, recordingSid, status: 'absent' })]))[0]?.status).toBe(204);
    const absent = await db()('recordings').where({ recording_sid: recordingSid }).first();
    expect(absent).toMatchObject({ status: 'absent', available_at: null });
    expect(Number(absent.error_code)).toBe(16101);
    const page = (await tester.agent.get(`/calls/${callId}`)).text;
    expect(page).toContain('未產生錄音：通話無聲或過短。');
    expect(page).not.toContain('<audio');
    expect((await audio(tester, absent.id)).status).toBe(404);

    expect((await play([recordingHook(callId, { callSid, recordingSid, durationSeconds: 12 })]))[0]?.status).toBe(204);
    expect(await db()('recordings').where({ recording_sid: recordingSid }).first()).toMatchObject({ status: 'completed', error_code: null, available_at: now.toISOString() });
  });

  test("a callback naming another call's SID is refused and stores nothing", async () => {
    const { callId } = await pressCall(await publishedAssignment(await unitWithPhone()), true);
    const before = await count('recordings');
    expect((await play([recordingHook(callId, { callSid: sid('CA') })]))[0]?.status).toBe(404);
    expect((await play([recordingHook(999999, { callSid: sid('CA') })]))[0]?.status).toBe(404);
    expect(await count('recordings')).toBe(before);
  });

  test('forged (another token), re-addressed, unsigned or tampered: 403 and nothing changed', async () => {
    const { callId, callSid } = await pressCall(await publishedAssignment(await unitWithPhone()), true);
    const before = await count('recordings');
    const params = { callSid, recordingSid: sid('RE') };
    const forged = recordingReady({ authToken: 'not-the-token', publicBaseUrl: PUBLIC, path: `/twilio/calls/${callId}/recording` }, params);
    const elsewhere = recordingReady({ authToken: FAKE_AUTH_TOKEN, publicBaseUrl: 'https://evil.example.com', path: `/twilio/calls/${callId}/recording` }, params);
    const genuine = recordingHook(callId, params);
    const tampered = { ...genuine, params: { ...genuine.params, RecordingDuration: '999' } };
    const unsigned = (h: TwilioWebhook) => Object.fromEntries(Object.entries(webhookRequest(h).headers).filter(([k]) => k !== 'X-Twilio-Signature'));
    expect((await play([forged, elsewhere, tampered])).map((a) => a.status)).toEqual([403, 403, 403]);
    expect((await play([genuine], unsigned))[0]?.status).toBe(403);
    expect(await count('recordings')).toBe(before);
  });
});

describe('playing a recording', () => {
  let rec: Awaited<ReturnType<typeof recordedCall>>;
  beforeAll(async () => {
    await setRecording(true);
    rec = await recordedCall();
  });

  test("the tester's call page has a player whose audio comes from this server, never from Twilio", async () => {
    const page = (await tester.agent.get(`/calls/${rec.callId}`)).text;
    expect(page).toContain(`<audio controls preload="none" src="/recordings/${rec.recordingId}/audio"`);
    expect(page).toMatch(/本通電話錄音：您已於 民國115年12月7日 \d\d:\d\d 確認告知或取得同意。/);
    // Calling again offers the consent box again: each call's consent is its own.
    expect(page).toContain('<input type="checkbox" id="consent-again" name="consent" value="yes"');
    expect(page).toContain('長度 42 秒 · 2 聲道');
    expect(page).not.toContain('twilio.com');
    expect(page).not.toContain(rec.recordingSid);
  });

  test('the tester who made the call gets the whole WAV, fetched with the account credentials, not kept by shared caches', async () => {
    const before = fake.mediaRequests.length;
    const res = await audio(tester, rec.recordingId);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('audio/x-wav');
    expect(res.headers['accept-ranges']).toBe('bytes');
    expect(res.headers['content-length']).toBe(String(WAV.length));
    expect(res.headers['cache-control']).toBe('private, no-store');
    expect(Buffer.compare(res.body as Buffer, WAV)).toBe(0);
    expect(fake.mediaRequests.slice(before)).toEqual([{ recordingSid: rec.recordingSid, range: null }]);
    // The media URL itself needs the account's credentials (the fake refuses it without them).
    expect(fake.requests.filter((r) => r.path.endsWith(`/Recordings/${rec.recordingSid}.wav`)).length).toBeGreaterThan(0);
  });

  test('a Range is passed through: 206 with the bytes asked for, so the player can seek; an impossible one 416', async () => {
    const part = await audio(tester, rec.recordingId, 'bytes=44-143');
    expect(part.status).toBe(206);
    expect(part.headers['content-range']).toBe(`bytes 44-143/${WAV.length}`);
    expect(part.headers['content-length']).toBe('100');
    expect(Buffer.compare(part.body as Buffer, WAV.subarray(44, 144))).toBe(0);
    const tail = await audio(tester, rec.recordingId, 'bytes=32000-');
    expect(tail.status).toBe(206);
    expect(tail.headers['content-range']).toBe(`bytes 32000-${WAV.length - 1}/${WAV.length}`);
    expect(Buffer.compare(tail.body as Buffer, WAV.subarray(32000))).toBe(0);
    expect(fake.mediaRequests.at(-1)).toEqual({ recordingSid: rec.recordingSid, range: 'bytes=32000-' });
    expect((await audio(tester, rec.recordingId, `bytes=${WAV.length + 10}-`)).status).toBe(416);
    // Not a single byte range: not passed on, the whole file comes back.
    expect((await audio(tester, rec.recordingId, 'bytes=0-1,5-9')).status).toBe(200);
    expect(fake.mediaRequests.at(-1)?.range).toBeNull();
  });

  test('a manager who reaches the unit and an administrator may play it; another tester, a manager elsewhere: 404; a unit head: 403', async () => {
    expect((await audio(manager, rec.recordingId)).status).toBe(200);
    expect((await audio(admin, rec.recordingId, 'bytes=0-9')).status).toBe(206);
    expect((await audio(otherTester, rec.recordingId)).status).toBe(404);
    expect((await audio(farManager, rec.recordingId)).status).toBe(404);
    expect((await audio(unitHead, rec.recordingId)).status).toBe(403);
    expect((await audio(tester, 999999)).status).toBe(404);
    expect((await otherTester.agent.get(`/calls/${rec.callId}`)).status).toBe(404);
  });

  test('Twilio failing to serve the file: 502 with a message, never a 500', async () => {
    fake.failNext({ status: 503, code: 20503, message: 'Service Unavailable' });
    const res = await tester.agent.get(`/recordings/${rec.recordingId}/audio`);
    expect(res.status).toBe(502);
    expect(res.text).toBe('目前無法自 Twilio 取得錄音，請稍後再試。');
    expect(res.headers['cache-control']).toBe('private, no-store');
  });

  test("the result page plays it for the manager and the call's tester", async () => {
    expect((await tester.post(`/assignments/${rec.assignmentId}/score/confirm`, fullMarksUnitAnswers(version, { 'a_un.answer': '5' }))).status).toBe(303);
    const result = await db()('results').where({ assignment_id: rec.assignmentId }).first();
    for (const who of [manager, tester]) {
      const page = (await who.agent.get(`/results/${result.id}`)).text;
      expect(page).toContain(`<audio controls preload="none" src="/recordings/${rec.recordingId}/audio"`);
    }
    expect((await farManager.agent.get(`/results/${result.id}`)).status).toBe(404);
  });
});

describe('retention', () => {
  test('deletes expired recordings at Twilio and marks them, keeps fresh ones; the player then says it was deleted', async () => {
    await setRecording(true, 90);
    const expired = await recordedCall(new Date(T0.getTime() - 91 * DAY));
    const fresh = await recordedCall(new Date(T0.getTime() - 89 * DAY));
    const before = fake.recordingDeletes.length;
    const run = await t.services.recordings.runRetention(now);
    expect(run.failed).toBe(0);
    expect(fake.recordingDeletes.slice(before)).toContain(expired.recordingSid);
    expect(fake.recordingDeletes.slice(before)).not.toContain(fresh.recordingSid);
    expect((await db()('recordings').where({ id: expired.recordingId }).first()).deleted_at).toBe(now.toISOString());
    expect((await db()('recordings').where({ id: fresh.recordingId }).first()).deleted_at).toBeNull();

    const page = (await tester.agent.get(`/calls/${expired.callId}`)).text;
    expect(page).toContain('本錄音已於 民國115年12月7日 依保存期限（90 日）刪除。');
    expect(page).not.toContain(`src="/recordings/${expired.recordingId}/audio"`);
    const gone = await audio(tester, expired.recordingId);
    expect(gone.status).toBe(410);
    expect((await audio(tester, fresh.recordingId)).status).toBe(200);
  });

  test('a recording Twilio no longer has counts as deleted', async () => {
    const expired = await recordedCall(new Date(T0.getTime() - 200 * DAY));
    fake.failNext({ status: 404, code: 20404, message: 'The requested resource was not found', resource: 'recordings' });
    const run = await t.services.recordings.runRetention(now);
    expect(run).toEqual({ deleted: 1, failed: 0 });
    expect((await db()('recordings').where({ id: expired.recordingId }).first()).deleted_at).toBe(now.toISOString());
  });

  test('a failed delete is counted with its error, shown to managers, not retried the same day, retried later, and then gone from the list', async () => {
    const expired = await recordedCall(new Date(T0.getTime() - 120 * DAY));
    fake.failNext({ status: 500, code: 20500, message: 'Internal Server Error', resource: 'recordings' });
    expect(await t.services.recordings.runRetention(now)).toEqual({ deleted: 0, failed: 1 });
    const failed = await db()('recordings').where({ id: expired.recordingId }).first();
    expect(failed.deleted_at).toBeNull();
    expect(Number(failed.delete_attempts)).toBe(1);
    expect(failed.delete_last_error).toBe('500 20500 Internal Server Error');
    expect(failed.delete_next_at).toBe(new Date(now.getTime() + DAY - 60_000).toISOString());

    for (const who of [manager, admin]) {
      const list = (await who.agent.get('/recordings')).text;
      expect(list).toContain(expired.recordingSid);
      expect(list).toContain('500 20500 Internal Server Error');
    }
    expect((await farManager.agent.get('/recordings')).text).not.toContain(expired.recordingSid);
    // Still within the backoff: not tried again.
    const deletes = fake.recordingDeletes.length;
    const requests = fake.requests.length;
    expect(await t.services.recordings.runRetention(new Date(now.getTime() + 3600_000))).toEqual({ deleted: 0, failed: 0 });
    expect(fake.requests.length).toBe(requests);
    // The next day: tried again, and deleted.
    const nextDay = new Date(now.getTime() + DAY);
    expect(await t.services.recordings.runRetention(nextDay)).toEqual({ deleted: 1, failed: 0 });
    expect(fake.recordingDeletes.length).toBeGreaterThan(deletes);
    expect((await db()('recordings').where({ id: expired.recordingId }).first()).deleted_at).not.toBeNull();
    expect((await manager.agent.get('/recordings')).text).not.toContain(expired.recordingSid);
  });

  test('the daily job runs once a day across instances', async () => {
    const day = new Date('2026-12-08T01:00:00Z');
    expect((await recordingRetentionJob(db(), t.services.recordings, day)).ran).toBe(true);
    expect((await recordingRetentionJob(db(), t.services.recordings, new Date(day.getTime() + 3600_000))).ran).toBe(false);
    expect((await recordingRetentionJob(db(), t.services.recordings, new Date(day.getTime() + DAY))).ran).toBe(true);
    // Its period is the Taiwan calendar day: 2026-12-09T15:59Z is 23:59 on the 9th in Taipei, 16:00Z midnight of the 10th.
    expect((await recordingRetentionJob(db(), t.services.recordings, new Date('2026-12-09T15:59:00Z'))).ran).toBe(false);
    expect((await recordingRetentionJob(db(), t.services.recordings, new Date('2026-12-09T16:00:00Z'))).ran).toBe(true);
    expect(await db()('job_runs').where({ job: 'recording-retention' }).orderBy('period').pluck('period')).toEqual(['2026-12-08', '2026-12-09', '2026-12-10']);
  });
});

describe('retention in batches', () => {
  test('works through every due recording batch after batch, and stops when the time budget is spent', async () => {
    const expired = [];
    for (let i = 0; i < 5; i += 1) expired.push(await recordedCall(new Date(T0.getTime() - (100 + i) * DAY)));
    const ids = expired.map((r) => r.recordingId);
    const deletedCount = async () => Number((await db()('recordings').whereIn('id', ids).whereNotNull('deleted_at').count({ n: '*' }).first())?.n);
    // A budget of 0: the first batch of 2, then the run stops; the rest waits.
    expect(await t.services.recordings.runRetention(now, { batchSize: 2, budgetMs: 0 })).toEqual({ deleted: 2, failed: 0 });
    expect(await deletedCount()).toBe(2);
    // Time left: batches of 2 until none is due (2, then 1), with a failure not retried within the run.
    fake.failNext({ status: 500, code: 20500, message: 'Internal Server Error', resource: 'recordings' });
    expect(await t.services.recordings.runRetention(now, { batchSize: 2 })).toEqual({ deleted: 2, failed: 1 });
    expect(await deletedCount()).toBe(4);
  });
});

describe('the recordings page', () => {
  test('lists the recordings in the manager’s reach even when more than 100 newer ones are elsewhere', async () => {
    const mine = await recordedCall(now);
    // 101 newer recordings of a call to another agency.
    const stamp = now.toISOString();
    const [plan] = await db()('plans')
      .insert({ scope_unit_id: otherAgency.id, month: TODAY.slice(0, 7), status: 'published', seed: 's', warnings: '[]', created_at: stamp, published_at: stamp })
      .returning<{ id: number }[]>('id');
    const [assignment] = await db()('assignments')
      .insert({ plan_id: plan?.id, unit_id: otherAgency.id, part: 'unit', tester_id: testerA.id, date: TODAY, window_start: '10:00', window_end: '11:00', reason_key: 'plan.reason.never', reason_params: '{}', created_at: stamp, updated_at: stamp })
      .returning<{ id: number }[]>('id');
    const [call] = await db()('calls').where({ id: mine.callId }).select('*');
    const fields = Object.fromEntries(Object.entries(call as Record<string, unknown>).filter(([k]) => !['id', 'call_sid', 'unit_call_sid'].includes(k)));
    const [far] = await db()('calls').insert({ ...fields, assignment_id: assignment?.id }).returning<{ id: number }[]>('id');
    const farSids = Array.from({ length: 101 }, () => sid('RE'));
    await db()('recordings').insert(
      farSids.map((s) => ({ call_id: far?.id, recording_sid: s, status: 'completed', duration_seconds: 60, channels: 2, available_at: stamp, created_at: stamp, updated_at: stamp, delete_attempts: 0 })),
    );
    const farIds: number[] = (await db()('recordings').whereIn('recording_sid', farSids).orderBy('id').select('id')).map((r: { id: number }) => r.id);
    const src = (id: number | undefined) => `src="/recordings/${id}/audio"`;
    const page = (await manager.agent.get('/recordings')).text;
    expect(page).toContain(src(mine.recordingId));
    expect(page).not.toContain(src(farIds[100]));
    const farPage = (await farManager.agent.get('/recordings')).text;
    expect(farPage).toContain(src(farIds[100]));
    expect(farPage).not.toContain(src(farIds[0]));
    expect(farPage).not.toContain(src(mine.recordingId));
  });
});
