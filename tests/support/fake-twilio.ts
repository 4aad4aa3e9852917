/**
 * A local stand-in for Twilio, so that tests run the REAL SDK end to end and
 * nothing reaches the internet.
 *
 * - FakeTwilio: an HTTP server on 127.0.0.1 (random port) answering the REST
 *   calls the product makes (create call, create message, delete recording)
 *   with the JSON Twilio returns, recording what was asked, and failing on
 *   request (a Twilio error JSON, or any status and body). A recording's
 *   media (GET …/Recordings/RE….wav, credentials required) redirects, as
 *   Twilio does, to its storage, which serves a small generated dual-channel
 *   WAV (fakeRecordingWav) and honours a single Range.
 * - FakeRequestClient: the SDK's own RequestClient, with every
 *   https://*.twilio.com URL rewritten to the fake (the SDK has no base-URL
 *   option; it takes an httpClient). Any other host is refused.
 * - Webhooks: the form parameters Twilio posts (call, recording and SMS status
 *   callbacks), signed with the SDK's getExpectedTwilioSignature against the
 *   PUBLIC URL, and played at the app's local URL, as through a proxy.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient';
import type Response from 'twilio/lib/http/response';
import { formatRfc2822 } from '../../server/telephony/ring-time';
import { smsSegments } from '../../server/telephony/sms-rules';

export const FAKE_ACCOUNT_SID = 'AC0123456789abcdef0123456789abcdef';
export const FAKE_AUTH_TOKEN = 'fake-auth-token-not-a-secret-00001';

export const sid = (prefix: 'CA' | 'SM' | 'RE' | 'PN' | 'MG'): string => prefix + randomBytes(16).toString('hex');

export type FormParams = Record<string, string | string[]>;
export type Resource = 'calls' | 'messages' | 'recordings';

export interface RecordedRequest {
  method: string;
  path: string;
  resource: Resource | null;
  params: FormParams;
}

export interface FakeFailure {
  status: number;
  /** Twilio error code and message, sent as Twilio's error JSON. */
  code?: number;
  message?: string;
  /** A raw body instead of the error JSON (e.g. a proxy's HTML page). */
  body?: string;
  /** Only fail a request for this resource; by default the next request fails. */
  resource?: Resource;
}

/** Repeated keys (StatusCallbackEvent=…&StatusCallbackEvent=…) become arrays. */
function parseForm(text: string): FormParams {
  const out: FormParams = {};
  for (const [k, v] of new URLSearchParams(text)) {
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

const str = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

function twilioError(status: number, code: number, message: string): string {
  return JSON.stringify({ code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status });
}

export class FakeTwilio {
  readonly requests: RecordedRequest[] = [];
  readonly calls: { sid: string; params: FormParams }[] = [];
  readonly messages: { sid: string; params: FormParams }[] = [];
  readonly recordingDeletes: string[] = [];
  /** Every media request that reached the storage: the recording and the Range asked for. */
  readonly mediaRequests: { recordingSid: string; range: string | null }[] = [];
  private readonly failures: FakeFailure[] = [];
  private readonly deleted = new Set<string>();

  private constructor(
    private readonly server: http.Server,
    readonly baseUrl: string,
    readonly accountSid: string,
    readonly authToken: string,
  ) {}

  static async start(accountSid = FAKE_ACCOUNT_SID, authToken = FAKE_AUTH_TOKEN): Promise<FakeTwilio> {
    const ready: { fake?: FakeTwilio } = {};
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => ready.fake?.handle(req, Buffer.concat(chunks).toString('utf8'), res));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    ready.fake = new FakeTwilio(server, `http://127.0.0.1:${port}`, accountSid, authToken);
    return ready.fake;
  }

  /** An SDK httpClient that talks to this fake; also usable as createTelephonyClient's factory. */
  readonly httpClient = (options: RequestClient.RequestClientOptions = {}): FakeRequestClient => new FakeRequestClient(this.baseUrl, options);

  /** Holds every answer this long (ms): lets tests overlap two senders' requests. */
  responseDelayMs = 0;

  /**
   * The status callbacks Twilio would post for a message it was asked to send, signed for the
   * StatusCallback URL the product gave, with paths relative to `publicBaseUrl` (to play at the app).
   * delivered: sent then delivered; undelivered: sent then undelivered (30003); failed: failed (30001).
   */
  messageCallbacks(messageSid: string, outcome: 'delivered' | 'undelivered' | 'failed', publicBaseUrl: string, errorCode?: number): TwilioWebhook[] {
    const message = this.messages.find((m) => m.sid === messageSid);
    const callback = str(message?.params.StatusCallback);
    const base = publicBaseUrl.replace(/\/+$/, '');
    if (!message || !callback?.startsWith(`${base}/`)) throw new Error(`message ${messageSid} has no status callback under ${base}`);
    const target: WebhookTarget = { authToken: this.authToken, publicBaseUrl: base, path: callback.slice(base.length) };
    const o = { messageSid, to: str(message.params.To) ?? '' };
    if (outcome === 'delivered') return smsDelivered(target, o);
    return smsFailed(target, { ...o, status: outcome, errorCode });
  }

  failNext(failure: FakeFailure): void {
    this.failures.push(failure);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve, reject) => this.server.close((err) => (err ? reject(err) : resolve())));
  }

  private handle(req: http.IncomingMessage, text: string, res: http.ServerResponse): void {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const stored = /^\/media\/(RE[0-9a-f]{32})\.wav$/.exec(path);
    if (stored?.[1] && req.method === 'GET') return this.serveMedia(stored[1], req, res);
    const params = parseForm(text);
    const account = `/2010-04-01/Accounts/${this.accountSid}`;
    const recording = new RegExp(`^${account}/Recordings/(RE[0-9a-f]{32})\\.json$`).exec(path);
    const resource: Resource | null =
      path === `${account}/Calls.json` ? 'calls' : path === `${account}/Messages.json` ? 'messages' : recording ? 'recordings' : null;
    this.requests.push({ method: req.method ?? '', path, resource, params });
    const send = (status: number, body: string, type = 'application/json; charset=utf-8') => {
      const answer = () => res.writeHead(status, body === '' ? {} : { 'Content-Type': type }).end(body);
      if (this.responseDelayMs > 0) setTimeout(answer, this.responseDelayMs);
      else answer();
    };

    const expected = `Basic ${Buffer.from(`${this.accountSid}:${this.authToken}`).toString('base64')}`;
    if (req.headers.authorization !== expected) return send(401, twilioError(401, 20003, 'Authenticate'));
    const failure = this.failures.findIndex((f) => f.resource === undefined || f.resource === resource);
    if (failure >= 0) {
      const [f] = this.failures.splice(failure, 1) as [FakeFailure];
      if (f.body !== undefined) return send(f.status, f.body, 'text/html');
      return send(f.status, twilioError(f.status, f.code ?? 20500, f.message ?? 'Internal Server Error'));
    }
    if (resource === 'calls' && req.method === 'POST') return this.createCall(params, send);
    if (resource === 'messages' && req.method === 'POST') return this.createMessage(params, send);
    const mediaPath = new RegExp(`^${account}/Recordings/(RE[0-9a-f]{32})\\.wav$`).exec(path);
    if (mediaPath?.[1] && req.method === 'GET') {
      if (this.deleted.has(mediaPath[1])) return send(404, twilioError(404, 20404, `The requested resource ${path} was not found`));
      res.writeHead(302, { Location: `${this.baseUrl}/media/${mediaPath[1]}.wav` }).end();
      return;
    }
    if (recording?.[1] && req.method === 'DELETE') {
      const recordingSid = recording[1];
      this.recordingDeletes.push(recordingSid);
      if (this.deleted.has(recordingSid)) return send(404, twilioError(404, 20404, `The requested resource ${path} was not found`));
      this.deleted.add(recordingSid);
      return send(204, '');
    }
    return send(404, twilioError(404, 20404, `The requested resource ${path} was not found`));
  }

  /** The storage behind the redirect: the WAV, whole or the one range asked for. */
  private serveMedia(recordingSid: string, req: http.IncomingMessage, res: http.ServerResponse): void {
    const range = typeof req.headers.range === 'string' ? req.headers.range : null;
    this.mediaRequests.push({ recordingSid, range });
    if (this.deleted.has(recordingSid)) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not Found');
      return;
    }
    const wav = fakeRecordingWav();
    const base = { 'Content-Type': 'audio/x-wav', 'Accept-Ranges': 'bytes' };
    if (range === null) {
      res.writeHead(200, { ...base, 'Content-Length': String(wav.length) }).end(wav);
      return;
    }
    const m = /^bytes=(\d*)-(\d*)$/.exec(range);
    let [start, end] = [Number.NaN, Number.NaN];
    if (m && m[1] !== '') [start, end] = [Number(m[1]), m[2] === '' ? wav.length - 1 : Math.min(Number(m[2]), wav.length - 1)];
    else if (m && m[2] !== '') [start, end] = [Math.max(0, wav.length - Number(m[2])), wav.length - 1];
    if (!Number.isInteger(start) || !Number.isInteger(end) || start > end || start >= wav.length) {
      res.writeHead(416, { 'Content-Range': `bytes */${wav.length}` }).end();
      return;
    }
    res.writeHead(206, { ...base, 'Content-Length': String(end - start + 1), 'Content-Range': `bytes ${start}-${end}/${wav.length}` }).end(wav.subarray(start, end + 1));
  }

  private createCall(params: FormParams, send: (status: number, body: string) => void): void {
    const [to, from] = [str(params.To), str(params.From)];
    if (!to || !/^\+[1-9]\d{6,14}$/.test(to)) return send(400, twilioError(400, 21211, `Invalid 'To' Phone Number: ${to ?? ''}`));
    if (!from) return send(400, twilioError(400, 21213, 'Caller phone number is required'));
    if (!params.Url && !params.Twiml && !params.ApplicationSid) return send(400, twilioError(400, 21205, 'Url parameter is required.'));
    const callSid = sid('CA');
    this.calls.push({ sid: callSid, params });
    const now = formatRfc2822(new Date());
    const uri = `/2010-04-01/Accounts/${this.accountSid}/Calls/${callSid}.json`;
    send(201, JSON.stringify({
      account_sid: this.accountSid, annotation: null, answered_by: null, api_version: '2010-04-01', caller_name: null,
      date_created: now, date_updated: now, direction: 'outbound-api', duration: null, end_time: null, forwarded_from: null,
      from, from_formatted: from, group_sid: null, parent_call_sid: null, phone_number_sid: sid('PN'), price: null,
      price_unit: 'USD', queue_time: '0', sid: callSid, start_time: null, status: 'queued', to, to_formatted: to, trunk_sid: null,
      uri, subresource_uris: { recordings: uri.replace('.json', '/Recordings.json'), events: uri.replace('.json', '/Events.json') },
    }));
  }

  private createMessage(params: FormParams, send: (status: number, body: string) => void): void {
    const [to, body, from, service] = [str(params.To), str(params.Body), str(params.From), str(params.MessagingServiceSid)];
    if (!to || !/^\+[1-9]\d{6,14}$/.test(to)) return send(400, twilioError(400, 21211, `Invalid 'To' Phone Number: ${to ?? ''}`));
    if (!from && !service) return send(400, twilioError(400, 21603, "A 'From' phone number is required."));
    if (!body) return send(400, twilioError(400, 21602, 'Message body is required.'));
    const messageSid = sid('SM');
    this.messages.push({ sid: messageSid, params });
    const now = formatRfc2822(new Date());
    const uri = `/2010-04-01/Accounts/${this.accountSid}/Messages/${messageSid}.json`;
    send(201, JSON.stringify({
      account_sid: this.accountSid, api_version: '2010-04-01', body, date_created: now, date_sent: null, date_updated: now,
      direction: 'outbound-api', error_code: null, error_message: null, from: from ?? null, messaging_service_sid: service ?? null,
      num_media: '0', num_segments: service ? '0' : String(smsSegments(body).segments), price: null, price_unit: 'USD',
      sid: messageSid, status: service ? 'accepted' : 'queued', subresource_uris: { media: uri.replace('.json', '/Media.json') },
      to, uri,
    }));
  }
}

/**
 * A dual-channel recording as Twilio stores it: 16-bit PCM WAV, 8000 Hz, two
 * channels (tester left, unit right), here one second of a 440 Hz tone on
 * the left and a 660 Hz tone on the right: 44 header bytes + 32,000 of samples.
 */
export function fakeRecordingWav(seconds = 1): Buffer {
  const rate = 8000;
  const channels = 2;
  const frames = rate * seconds;
  const data = Buffer.alloc(frames * channels * 2);
  for (let i = 0; i < frames; i += 1) {
    data.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / rate)), i * 4);
    data.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 660 * i) / rate)), i * 4 + 2);
  }
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(channels, 22);
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate * channels * 2, 28);
  header.writeUInt16LE(channels * 2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}

/** The SDK's RequestClient, pointed at the fake. */
export class FakeRequestClient extends twilio.RequestClient {
  constructor(
    private readonly baseUrl: string,
    options: RequestClient.RequestClientOptions = {},
  ) {
    // No keep-alive: sockets left open would outlive the test file.
    super({ ...options, keepAlive: false });
  }

  override request<TData>(opts: RequestClient.RequestOptions<TData>): Promise<Response<TData>> {
    const url = new URL(opts.uri);
    if (url.protocol !== 'https:' || !/(^|\.)twilio\.com$/.test(url.hostname)) {
      return Promise.reject(new Error(`the fake Twilio client will not reach ${url.origin}`));
    }
    return super.request({ ...opts, uri: this.baseUrl + url.pathname + url.search });
  }
}

/** A webhook as Twilio would send it: params signed for the public URL. */
export interface TwilioWebhook {
  path: string;
  url: string;
  params: Record<string, string>;
  signature: string;
}

export function signWebhook(authToken: string, publicBaseUrl: string, path: string, params: Record<string, string>): TwilioWebhook {
  const url = publicBaseUrl.replace(/\/+$/, '') + path;
  return { path, url, params, signature: twilio.getExpectedTwilioSignature(authToken, url, params) };
}

/** Headers and body to POST (with supertest, or fetch). */
export function webhookRequest(hook: TwilioWebhook): { headers: Record<string, string>; body: string } {
  const headers = { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Twilio-Signature': hook.signature, 'User-Agent': 'TwilioProxy/1.1' };
  return { headers, body: new URLSearchParams(hook.params).toString() };
}

/** POSTs the webhooks in order to the app's local URL; the status and body of each answer. */
export async function playWebhooks(appBaseUrl: string, hooks: readonly TwilioWebhook[]): Promise<{ status: number; body: string }[]> {
  const answers: { status: number; body: string }[] = [];
  for (const hook of hooks) {
    const { headers, body } = webhookRequest(hook);
    const res = await fetch(appBaseUrl.replace(/\/+$/, '') + hook.path, { method: 'POST', headers, body });
    answers.push({ status: res.status, body: await res.text() });
  }
  return answers;
}

/** One call leg, as its status callbacks describe it. */
export interface CallLeg {
  accountSid: string;
  callSid: string;
  parentCallSid: string;
  from: string;
  to: string;
}

export function callLeg(fields: Partial<CallLeg> = {}): CallLeg {
  return { accountSid: FAKE_ACCOUNT_SID, callSid: sid('CA'), parentCallSid: sid('CA'), from: '+886277001234', to: '+886223456789', ...fields };
}

const SIP_CODES: Partial<Record<string, string>> = { completed: '200', busy: '486', 'no-answer': '487', canceled: '487', failed: '500' };

/** The form a <Dial><Number> status callback posts for the unit leg (CallStatus 'in-progress' for the answer). */
export function callStatusParams(leg: CallLeg, status: string, sequenceNumber: number, at: Date, extra: Record<string, string> = {}): Record<string, string> {
  const params: Record<string, string> = {
    AccountSid: leg.accountSid, ApiVersion: '2010-04-01', CallSid: leg.callSid, CallStatus: status,
    CallbackSource: 'call-progress-events', Called: leg.to, Caller: leg.from, Direction: 'outbound-dial', From: leg.from,
    ParentCallSid: leg.parentCallSid, SequenceNumber: String(sequenceNumber), Timestamp: formatRfc2822(at), To: leg.to,
  };
  const sip = SIP_CODES[status];
  if (sip) params.SipResponseCode = sip;
  if (sip && status !== 'completed') params.CallDuration = '0';
  return { ...params, ...extra };
}

export function recordingStatusParams(o: { callSid: string; recordingSid?: string; status?: 'completed' | 'absent'; durationSeconds?: number; startedAt?: Date; accountSid?: string }): Record<string, string> {
  const accountSid = o.accountSid ?? FAKE_ACCOUNT_SID;
  const recordingSid = o.recordingSid ?? sid('RE');
  const params: Record<string, string> = {
    AccountSid: accountSid, CallSid: o.callSid, RecordingChannels: '2', RecordingDuration: String(o.durationSeconds ?? 42),
    RecordingSid: recordingSid, RecordingSource: 'DialVerb', RecordingStartTime: formatRfc2822(o.startedAt ?? new Date()),
    RecordingStatus: o.status ?? 'completed', RecordingTrack: 'both',
    RecordingUrl: `https://api.twilio.com/2010-04-01/Accounts/${accountSid}/Recordings/${recordingSid}`,
  };
  if (o.status === 'absent') params.ErrorCode = '16101';
  return params;
}

export function smsStatusParams(o: { messageSid: string; to: string; from?: string; status: 'sent' | 'delivered' | 'failed' | 'undelivered'; errorCode?: number; accountSid?: string }): Record<string, string> {
  const params: Record<string, string> = {
    AccountSid: o.accountSid ?? FAKE_ACCOUNT_SID, ApiVersion: '2010-04-01', From: o.from ?? '+886277001234', MessageSid: o.messageSid,
    MessageStatus: o.status, SmsSid: o.messageSid, SmsStatus: o.status, To: o.to,
  };
  if (o.errorCode !== undefined) params.ErrorCode = String(o.errorCode);
  return params;
}

/** Where and how a scenario's webhooks are signed. */
export interface WebhookTarget {
  authToken: string;
  publicBaseUrl: string;
  path: string;
}

const plus = (start: Date, seconds: number) => new Date(start.getTime() + seconds * 1000);

/** The unit leg's events for a call answered after ringSeconds, then talked for talkSeconds. */
function answeredEvents(leg: CallLeg, start: Date, ringSeconds: number, talkSeconds: number): Record<string, string>[] {
  return [
    callStatusParams(leg, 'initiated', 0, start),
    callStatusParams(leg, 'ringing', 1, plus(start, 1)),
    callStatusParams(leg, 'in-progress', 2, plus(start, 1 + ringSeconds)),
    callStatusParams(leg, 'completed', 3, plus(start, 1 + ringSeconds + talkSeconds), { CallDuration: String(talkSeconds) }),
  ];
}

/**
 * Call status sequences, in the order Twilio delivers them. A switchboard's
 * answer looks like any answer in the events: the product knows it from
 * the extension it dialled, so pbxAnswer only differs by a quick pick-up.
 */
export const callScenarios = {
  normalAnswer: (t: WebhookTarget, leg: CallLeg, start: Date, ringSeconds = 5) =>
    answeredEvents(leg, start, ringSeconds, 60).map((p) => signWebhook(t.authToken, t.publicBaseUrl, t.path, p)),
  pbxAnswer: (t: WebhookTarget, leg: CallLeg, start: Date) =>
    answeredEvents(leg, start, 1, 90).map((p) => signWebhook(t.authToken, t.publicBaseUrl, t.path, p)),
  noAnswer: (t: WebhookTarget, leg: CallLeg, start: Date, timeoutSeconds = 30) =>
    [callStatusParams(leg, 'initiated', 0, start), callStatusParams(leg, 'ringing', 1, plus(start, 1)), callStatusParams(leg, 'no-answer', 2, plus(start, 1 + timeoutSeconds))]
      .map((p) => signWebhook(t.authToken, t.publicBaseUrl, t.path, p)),
  busy: (t: WebhookTarget, leg: CallLeg, start: Date) =>
    [callStatusParams(leg, 'initiated', 0, start), callStatusParams(leg, 'busy', 1, plus(start, 2))].map((p) => signWebhook(t.authToken, t.publicBaseUrl, t.path, p)),
  /** Ringing and the answer delivered twice (Twilio retries when an answer is slow). */
  duplicateEvents: (t: WebhookTarget, leg: CallLeg, start: Date, ringSeconds = 5) => {
    const [initiated, ringing, answered, completed] = answeredEvents(leg, start, ringSeconds, 60) as [Record<string, string>, Record<string, string>, Record<string, string>, Record<string, string>];
    return [initiated, ringing, ringing, answered, answered, completed].map((p) => signWebhook(t.authToken, t.publicBaseUrl, t.path, p));
  },
  /** The answer arrives before ringing, and completed before both. */
  outOfOrderEvents: (t: WebhookTarget, leg: CallLeg, start: Date, ringSeconds = 5) => {
    const [initiated, ringing, answered, completed] = answeredEvents(leg, start, ringSeconds, 60) as [Record<string, string>, Record<string, string>, Record<string, string>, Record<string, string>];
    return [completed, initiated, answered, ringing].map((p) => signWebhook(t.authToken, t.publicBaseUrl, t.path, p));
  },
};

export const recordingReady = (t: WebhookTarget, o: Parameters<typeof recordingStatusParams>[0]): TwilioWebhook =>
  signWebhook(t.authToken, t.publicBaseUrl, t.path, recordingStatusParams(o));

/** sent, then delivered. */
export const smsDelivered = (t: WebhookTarget, o: { messageSid: string; to: string }): TwilioWebhook[] =>
  (['sent', 'delivered'] as const).map((status) => signWebhook(t.authToken, t.publicBaseUrl, t.path, smsStatusParams({ ...o, status })));

/** undelivered after sent (30003: handset off or out of reach), or failed without being sent (30001: queue overflow). */
export const smsFailed = (t: WebhookTarget, o: { messageSid: string; to: string; status?: 'failed' | 'undelivered'; errorCode?: number }): TwilioWebhook[] => {
  const status = o.status ?? 'undelivered';
  const last = smsStatusParams({ messageSid: o.messageSid, to: o.to, status, errorCode: o.errorCode ?? (status === 'undelivered' ? 30003 : 30001) });
  const sent = smsStatusParams({ messageSid: o.messageSid, to: o.to, status: 'sent' });
  return (status === 'undelivered' ? [sent, last] : [last]).map((p) => signWebhook(t.authToken, t.publicBaseUrl, t.path, p));
};

/**
 * What Twilio posts to a voice webhook of a call: the call's fields, Digits
 * after a <Gather> (null: not a Gather's answer; '' when the caller pressed
 * nothing), and the CallStatus (a status callback says 'completed' at the end).
 */
export function keypadCallParams(callSid: string, digits: string | null, callStatus = 'in-progress', o: { from?: string; to?: string; accountSid?: string } = {}): Record<string, string> {
  const params: Record<string, string> = {
    AccountSid: o.accountSid ?? FAKE_ACCOUNT_SID, ApiVersion: '2010-04-01', CallSid: callSid, CallStatus: callStatus,
    Called: o.to ?? '+886277001234', Caller: o.from ?? '+886223456789', Direction: 'inbound', From: o.from ?? '+886223456789', To: o.to ?? '+886277001234',
  };
  if (digits !== null) {
    params.Digits = digits;
    params.FinishedOnKey = '';
  }
  if (callStatus === 'completed') params.CallDuration = '42';
  return params;
}
