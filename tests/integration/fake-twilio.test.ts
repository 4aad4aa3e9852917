import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import twilio from 'twilio';
import { createTelephonyClient, validateTwilioSignature, type TelephonyClient } from '../../server/telephony/client';
import { callEventFromParams, summariseCall, type CallEvent } from '../../server/telephony/ring-time';
import {
  callLeg,
  callScenarios,
  FAKE_ACCOUNT_SID,
  FAKE_AUTH_TOKEN,
  fakeRecordingWav,
  FakeTwilio,
  playWebhooks,
  recordingReady,
  sid,
  signWebhook,
  smsDelivered,
  smsFailed,
  type TwilioWebhook,
} from '../support/fake-twilio';

const PUBLIC_BASE = 'https://courtesy.example.gov.tw/app';
const CALL_PATH = '/telephony/unit-status?test=42';
const START = new Date('2026-03-05T06:00:00Z');
const target = (path: string) => ({ authToken: FAKE_AUTH_TOKEN, publicBaseUrl: PUBLIC_BASE, path });

let fake: FakeTwilio;
let client: TelephonyClient;

beforeAll(async () => {
  fake = await FakeTwilio.start();
  client = createTelephonyClient({ accountSid: FAKE_ACCOUNT_SID, authToken: FAKE_AUTH_TOKEN }, { httpClient: fake.httpClient });
});
afterAll(() => fake.close());

describe('the real SDK against the fake', () => {
  it('starts a bridge call with the tester leg, the TwiML URL and every progress event', async () => {
    const started = await client.startBridgeCall({
      testerPhone: '+886912345678',
      callerId: '+886277001234',
      twimlUrl: `${PUBLIC_BASE}/telephony/bridge?test=42`,
      statusCallbackUrl: `${PUBLIC_BASE}/telephony/tester-status?test=42`,
      timeoutSeconds: 25,
    });
    expect(started).toEqual({ callSid: expect.stringMatching(/^CA[0-9a-f]{32}$/), status: 'queued' });
    expect(fake.calls.at(-1)).toEqual({
      sid: started.callSid,
      params: {
        To: '+886912345678',
        From: '+886277001234',
        Url: `${PUBLIC_BASE}/telephony/bridge?test=42`,
        Method: 'POST',
        StatusCallback: `${PUBLIC_BASE}/telephony/tester-status?test=42`,
        StatusCallbackMethod: 'POST',
        StatusCallbackEvent: ['initiated', 'ringing', 'answered', 'completed'],
        Timeout: '25',
      },
    });
    expect(fake.requests.at(-1)).toMatchObject({ method: 'POST', path: `/2010-04-01/Accounts/${FAKE_ACCOUNT_SID}/Calls.json`, resource: 'calls' });
  });

  it('sends an SMS with a status callback, and reads Twilio’s segment count', async () => {
    const body = '【臺北市政府】感謝您來電，請協助填寫滿意度問卷：https://survey.gov.taipei/s/AbC123';
    const sent = await client.sendSms({ to: '+886912345678', from: '+886277001234', body, statusCallbackUrl: `${PUBLIC_BASE}/telephony/sms-status` });
    expect(sent).toEqual({ messageSid: expect.stringMatching(/^SM[0-9a-f]{32}$/), status: 'queued', segments: 1 });
    expect(fake.messages.at(-1)?.params).toEqual({ To: '+886912345678', From: '+886277001234', Body: body, StatusCallback: `${PUBLIC_BASE}/telephony/sms-status` });
  });

  it('sends through a Messaging Service, which does not count segments up front', async () => {
    const service = sid('MG');
    const sent = await client.sendSms({ to: '+886912345678', from: service, body: '【臺北市政府】測試', statusCallbackUrl: `${PUBLIC_BASE}/telephony/sms-status` });
    expect(sent).toMatchObject({ status: 'accepted', segments: null });
    expect(fake.messages.at(-1)?.params).toEqual({ To: '+886912345678', MessagingServiceSid: service, Body: '【臺北市政府】測試', StatusCallback: `${PUBLIC_BASE}/telephony/sms-status` });
  });

  it('deletes a recording, and calls a second delete of it done', async () => {
    const recordingSid = sid('RE');
    await expect(client.deleteRecording(recordingSid)).resolves.toBe('deleted');
    await expect(client.deleteRecording(recordingSid)).resolves.toBe('notFound');
    expect(fake.recordingDeletes.filter((s) => s === recordingSid)).toHaveLength(2);
    expect(fake.requests.at(-1)).toMatchObject({ method: 'DELETE', path: `/2010-04-01/Accounts/${FAKE_ACCOUNT_SID}/Recordings/${recordingSid}.json` });
  });

  it("fetches a recording's audio with the account's credentials, through Twilio's redirect to its storage, whole or one range", async () => {
    const recordingSid = sid('RE');
    const read = async (body: NodeJS.ReadableStream) => {
      const chunks: Buffer[] = [];
      for await (const c of body) chunks.push(c as Buffer);
      return Buffer.concat(chunks);
    };
    const wav = fakeRecordingWav();
    // 44 header bytes, then 8000 frames a second × 2 channels × 2 bytes = 32,000 bytes of samples.
    expect(wav.length).toBe(32_044);
    expect([wav.toString('ascii', 0, 4), wav.toString('ascii', 8, 12), wav.readUInt16LE(22), wav.readUInt32LE(24), wav.readUInt16LE(34)]).toEqual(['RIFF', 'WAVE', 2, 8000, 16]);

    const whole = await client.fetchRecording(recordingSid, null);
    expect(whole.status).toBe(200);
    expect(whole.headers).toEqual({ contentType: 'audio/x-wav', contentLength: '32044', contentRange: null, acceptRanges: 'bytes' });
    expect(Buffer.compare(await read(whole.body), wav)).toBe(0);
    expect(fake.requests.filter((r) => r.path === `/2010-04-01/Accounts/${FAKE_ACCOUNT_SID}/Recordings/${recordingSid}.wav`)).toHaveLength(1);

    const part = await client.fetchRecording(recordingSid, 'bytes=-4');
    expect(part.status).toBe(206);
    expect(part.headers.contentRange).toBe('bytes 32040-32043/32044');
    expect(Buffer.compare(await read(part.body), wav.subarray(32_040))).toBe(0);
    expect(fake.mediaRequests.slice(-2)).toEqual([{ recordingSid, range: null }, { recordingSid, range: 'bytes=-4' }]);

    const stranger = createTelephonyClient({ accountSid: FAKE_ACCOUNT_SID, authToken: 'not-the-token' }, { httpClient: fake.httpClient });
    const refused = await stranger.fetchRecording(recordingSid, null);
    expect(refused.status).toBe(401);
    refused.body.resume();

    await client.deleteRecording(recordingSid);
    const gone = await client.fetchRecording(recordingSid, null);
    expect(gone.status).toBe(404);
    gone.body.resume();
  });

  it('refuses a recording SID that is not one, before any request', async () => {
    const before = fake.requests.length;
    await expect(client.deleteRecording('RE../Calls')).rejects.toThrow(RangeError);
    expect(fake.requests).toHaveLength(before);
  });

  it('surfaces a Twilio error as the SDK’s RestException', async () => {
    fake.failNext({ status: 400, code: 21211, message: "Invalid 'To' Phone Number: +886912345678", resource: 'messages' });
    const failure = client.sendSms({ to: '+886912345678', from: '+886277001234', body: '【臺北市政府】x', statusCallbackUrl: `${PUBLIC_BASE}/s` });
    await expect(failure).rejects.toBeInstanceOf(twilio.RestException);
    await expect(failure).rejects.toMatchObject({
      status: 400, code: 21211, message: "Invalid 'To' Phone Number: +886912345678", moreInfo: 'https://www.twilio.com/docs/errors/21211',
    });
  });

  it('surfaces a 500 that is not JSON with the SDK’s generic message, and does not call it a missing recording', async () => {
    fake.failNext({ status: 502, body: '<html>Bad Gateway</html>' });
    await expect(client.deleteRecording(sid('RE'))).rejects.toMatchObject({ status: 502, message: '[HTTP 502] Failed to execute request' });
    fake.failNext({ status: 500 });
    await expect(client.deleteRecording(sid('RE'))).rejects.toMatchObject({ status: 500, code: 20500 });
  });

  it('retries a 429 (Twilio did not act on it) and succeeds', async () => {
    const before = fake.calls.length;
    const posts = () => fake.requests.filter((r) => r.resource === 'calls').length;
    const postsBefore = posts();
    fake.failNext({ status: 429, code: 20429, message: 'Too Many Requests', resource: 'calls' });
    const started = await client.startBridgeCall({ testerPhone: '+886912345678', callerId: '+886277001234', twimlUrl: `${PUBLIC_BASE}/b`, statusCallbackUrl: `${PUBLIC_BASE}/s` });
    expect(posts()).toBe(postsBefore + 2);
    expect(fake.calls).toHaveLength(before + 1);
    expect(fake.calls.at(-1)?.sid).toBe(started.callSid);
  });

  it('answers a wrong auth token with 401 / 20003', async () => {
    const wrong = createTelephonyClient({ accountSid: FAKE_ACCOUNT_SID, authToken: 'wrong' }, { httpClient: fake.httpClient });
    await expect(wrong.deleteRecording(sid('RE'))).rejects.toMatchObject({ status: 401, code: 20003 });
  });

  it('refuses a malformed account SID before the SDK does', () => {
    expect(() => createTelephonyClient({ accountSid: 'SK0123', authToken: 't' })).toThrow(RangeError);
  });

  it('never lets the SDK reach a host other than Twilio’s', async () => {
    await expect(fake.httpClient().request({ method: 'get', uri: 'https://example.com/2010-04-01/x' })).rejects.toThrow('will not reach https://example.com');
  });
});

describe('webhook signatures', () => {
  const hook = callScenarios.normalAnswer(target(CALL_PATH), callLeg(), START)[1] as TwilioWebhook;
  const headers = { 'x-twilio-signature': hook.signature };

  it('validates what the fake signed, against the public URL', () => {
    expect(hook.url).toBe(`${PUBLIC_BASE}${CALL_PATH}`);
    expect(validateTwilioSignature(FAKE_AUTH_TOKEN, PUBLIC_BASE, CALL_PATH, headers, hook.params)).toBe(true);
    expect(validateTwilioSignature(FAKE_AUTH_TOKEN, `${PUBLIC_BASE}/`, CALL_PATH, { 'X-Twilio-Signature': hook.signature }, hook.params)).toBe(true);
  });

  it.each<[string, () => boolean]>([
    ['a tampered param', () => validateTwilioSignature(FAKE_AUTH_TOKEN, PUBLIC_BASE, CALL_PATH, headers, { ...hook.params, Timestamp: 'Thu, 05 Mar 2026 06:00:09 +0000' })],
    ['an added param', () => validateTwilioSignature(FAKE_AUTH_TOKEN, PUBLIC_BASE, CALL_PATH, headers, { ...hook.params, Extra: '1' })],
    ['the local URL instead of the public one', () => validateTwilioSignature(FAKE_AUTH_TOKEN, 'http://127.0.0.1:3000', CALL_PATH, headers, hook.params)],
    ['http instead of https', () => validateTwilioSignature(FAKE_AUTH_TOKEN, PUBLIC_BASE.replace('https', 'http'), CALL_PATH, headers, hook.params)],
    ['another query', () => validateTwilioSignature(FAKE_AUTH_TOKEN, PUBLIC_BASE, '/telephony/unit-status?test=43', headers, hook.params)],
    ['another auth token', () => validateTwilioSignature('another-token', PUBLIC_BASE, CALL_PATH, headers, hook.params)],
    ['no signature header', () => validateTwilioSignature(FAKE_AUTH_TOKEN, PUBLIC_BASE, CALL_PATH, {}, hook.params)],
    ['a body that is not a flat form', () => validateTwilioSignature(FAKE_AUTH_TOKEN, PUBLIC_BASE, CALL_PATH, headers, { ...hook.params, CallSid: { nested: 'x' } })],
  ])('refuses %s', (_name, check) => {
    expect(check()).toBe(false);
  });
});

describe('webhook scenarios played at an Express 5 app behind a proxy', () => {
  let server: http.Server;
  let appUrl: string;
  const stored: CallEvent[] = [];
  const others: Record<string, string>[] = [];

  beforeAll(async () => {
    const app = express();
    app.use(express.urlencoded({ extended: false }));
    // The proxy strips '/app': the path received lacks it, the public base has it.
    app.post('/telephony/:hook', (req, res) => {
      if (!validateTwilioSignature(FAKE_AUTH_TOKEN, PUBLIC_BASE, req.originalUrl, req.headers, req.body)) return void res.status(403).end();
      const event = req.params.hook === 'unit-status' ? callEventFromParams(req.body as Record<string, unknown>) : null;
      if (event) stored.push(event);
      else others.push(req.body as Record<string, string>);
      res.status(204).end();
    });
    server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    appUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => {
    stored.length = 0;
    others.length = 0;
  });

  it.each([
    ['a normal answer', callScenarios.normalAnswer, false, { outcome: 'answered', seconds: 5, source: 'measured' }],
    ['a switchboard answer', callScenarios.pbxAnswer, true, { outcome: 'answered', seconds: 1, source: 'pbx' }],
    ['no answer', callScenarios.noAnswer, false, { outcome: 'no-answer', seconds: null, source: null }],
    ['busy', callScenarios.busy, false, { outcome: 'busy', seconds: null, source: null }],
    ['events delivered twice', callScenarios.duplicateEvents, false, { outcome: 'answered', seconds: 5, source: 'measured' }],
    ['events out of order', callScenarios.outOfOrderEvents, false, { outcome: 'answered', seconds: 5, source: 'measured' }],
  ])('%s: accepted, stored raw, summarised', async (_name, scenario, answeredByMenu, expected) => {
    const hooks = scenario(target(CALL_PATH), callLeg(), START);
    const answers = await playWebhooks(appUrl, hooks);
    expect(answers.map((a) => a.status)).toEqual(hooks.map(() => 204));
    expect(stored).toHaveLength(hooks.length);
    const summary = summariseCall(stored, { answeredByMenu });
    expect({ outcome: summary.outcome, seconds: summary.ringTime?.seconds ?? null, source: summary.ringTime?.source ?? null }).toEqual(expected);
  });

  it('delivers recording and SMS status callbacks with the params Twilio sends', async () => {
    const callSid = sid('CA');
    const messageSid = sid('SM');
    const hooks = [
      recordingReady(target('/telephony/recording'), { callSid, durationSeconds: 75 }),
      ...smsDelivered(target('/telephony/sms-status'), { messageSid, to: '+886912345678' }),
      ...smsFailed(target('/telephony/sms-status'), { messageSid, to: '+886912345678' }),
      ...smsFailed(target('/telephony/sms-status'), { messageSid, to: '+886912345678', status: 'failed' }),
    ];
    expect((await playWebhooks(appUrl, hooks)).map((a) => a.status)).toEqual(hooks.map(() => 204));
    expect(others[0]).toMatchObject({
      CallSid: callSid, RecordingStatus: 'completed', RecordingChannels: '2', RecordingDuration: '75', RecordingSource: 'DialVerb',
      RecordingSid: expect.stringMatching(/^RE[0-9a-f]{32}$/), RecordingUrl: expect.stringMatching(/^https:\/\/api\.twilio\.com\/2010-04-01\/Accounts\/AC[0-9a-f]{32}\/Recordings\/RE[0-9a-f]{32}$/),
    });
    expect(others.slice(1).map((p) => [p.MessageStatus, p.ErrorCode])).toEqual([
      ['sent', undefined], ['delivered', undefined], ['sent', undefined], ['undelivered', '30003'], ['failed', '30001'],
    ]);
  });

  it('answers 403 to a webhook changed after signing, and stores nothing', async () => {
    const [first] = callScenarios.normalAnswer(target(CALL_PATH), callLeg(), START) as [TwilioWebhook];
    const forged = signWebhook(FAKE_AUTH_TOKEN, PUBLIC_BASE, CALL_PATH, first.params);
    forged.params = { ...forged.params, CallStatus: 'busy' };
    expect(await playWebhooks(appUrl, [forged])).toEqual([{ status: 403, body: '' }]);
    expect(stored).toHaveLength(0);
  });
});
