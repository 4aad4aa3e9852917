/**
 * The few Twilio REST calls the product makes, and webhook signature checks.
 *
 * A thin wrapper so that the rest of the product never sees the SDK's wide
 * surface: start a bridge call, send an SMS, delete a recording. Errors are
 * the SDK's own RestException (status, code, moreInfo), except that deleting
 * a recording Twilio no longer has counts as done, so that a retention job
 * can be re-run safely.
 *
 * The SDK has no base-URL option; tests pass a factory of httpClients (a
 * RequestClient subclass) that send the requests to a local fake. A factory,
 * not a client: the SDK applies its retry and timeout options only to the
 * RequestClient it builds itself, so ours must be built with them.
 */
import type { Readable } from 'node:stream';
import twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient';
import { extensionDigits } from './twiml';

export interface TwilioCredentials {
  accountSid: string;
  authToken: string;
}

export interface BridgeCallRequest {
  /** The tester's phone, E.164: Twilio calls it first. */
  testerPhone: string;
  /** The tester's extension behind a PBX, keyed once the tester's line answers. */
  testerExtension?: string | null;
  /** Our Twilio number. */
  callerId: string;
  /** Where Twilio fetches the bridge TwiML once the tester answers. */
  twimlUrl: string;
  /** The tester leg's status callbacks (did the tester pick up?). */
  statusCallbackUrl: string;
  /** How long the tester's phone may ring. */
  timeoutSeconds?: number;
}

/** A call that plays our TwiML to the person called (the keypad survey). */
export interface SurveyCallRequest {
  to: string;
  callerId: string;
  /** Fetched when the call is answered. */
  twimlUrl: string;
  statusCallbackUrl: string;
  timeoutSeconds?: number;
}

export interface SmsRequest {
  to: string;
  /** A Twilio number or a Messaging Service SID ('MG…'). */
  from: string;
  body: string;
  /** Where Twilio reports delivery; none for a message nobody tracks (an administrator's test SMS). */
  statusCallbackUrl?: string;
}

export interface StartedCall {
  callSid: string;
  status: string;
}

export interface SentSms {
  messageSid: string;
  status: string;
  /** As Twilio counts them; null when it does not say (a Messaging Service answers 0 at first). */
  segments: number | null;
}

export interface TelephonyClient {
  startBridgeCall(request: BridgeCallRequest): Promise<StartedCall>;
  startSurveyCall(request: SurveyCallRequest): Promise<StartedCall>;
  sendSms(request: SmsRequest): Promise<SentSms>;
  /** 'notFound' when Twilio has no such recording (already deleted). */
  deleteRecording(recordingSid: string): Promise<'deleted' | 'notFound'>;
  /**
   * A recording's audio (WAV) as Twilio serves it, streamed: the status
   * (200, 206 for a range, 404, 416 …), the headers that matter for passing
   * it on, and the body. `range` is a single "bytes=…" range, passed as is.
   */
  fetchRecording(recordingSid: string, range: string | null): Promise<RecordingMedia>;
}

export interface RecordingMedia {
  status: number;
  headers: { contentType: string | null; contentLength: string | null; contentRange: string | null; acceptRanges: string | null };
  body: Readable;
}

export const TESTER_LEG_EVENTS = ['initiated', 'ringing', 'answered', 'completed'] as const;

export type HttpClientFactory = (options: RequestClient.RequestClientOptions) => RequestClient;

/**
 * Retry a 429 (Twilio did nothing, so a retry cannot place a call twice);
 * give up after 15 s rather than the SDK's 30, as a tester is waiting.
 */
export const HTTP_CLIENT_OPTIONS: RequestClient.RequestClientOptions = { autoRetry: true, maxRetries: 3, timeout: 15_000 };

export function createTelephonyClient(credentials: TwilioCredentials, options: { httpClient?: HttpClientFactory } = {}): TelephonyClient {
  // The SDK throws on a SID that does not start with AC: say which setting is wrong instead.
  if (!/^AC[0-9a-f]{32}$/i.test(credentials.accountSid)) throw new RangeError('the Twilio account SID must be AC followed by 32 hex digits');
  if (credentials.authToken === '') throw new RangeError('the Twilio auth token is empty');
  const makeHttpClient = options.httpClient ?? ((o: RequestClient.RequestClientOptions) => new twilio.RequestClient(o));
  const client = twilio(credentials.accountSid, credentials.authToken, { httpClient: makeHttpClient(HTTP_CLIENT_OPTIONS) });
  // The media goes through a second SDK client built by the same factory (so the same host, edge,
  // region and, in tests, the same fake), whose responses are streams rather than parsed JSON.
  const mediaHttp = makeHttpClient({ timeout: 30_000 });
  mediaHttp.axios.defaults.responseType = 'stream';
  mediaHttp.axios.defaults.decompress = false;
  const media = twilio(credentials.accountSid, credentials.authToken, { httpClient: mediaHttp });

  return {
    async startBridgeCall(r) {
      const call = await client.calls.create({
        to: r.testerPhone,
        from: r.callerId,
        url: r.twimlUrl,
        method: 'POST',
        statusCallback: r.statusCallbackUrl,
        statusCallbackMethod: 'POST',
        statusCallbackEvent: [...TESTER_LEG_EVENTS],
        timeout: r.timeoutSeconds,
        sendDigits: r.testerExtension ? extensionDigits(r.testerExtension) : undefined,
      });
      return { callSid: call.sid, status: call.status };
    },

    async startSurveyCall(r) {
      const call = await client.calls.create({
        to: r.to,
        from: r.callerId,
        url: r.twimlUrl,
        method: 'POST',
        statusCallback: r.statusCallbackUrl,
        statusCallbackMethod: 'POST',
        statusCallbackEvent: ['completed'],
        timeout: r.timeoutSeconds,
      });
      return { callSid: call.sid, status: call.status };
    },

    async sendSms(r) {
      const sender = r.from.startsWith('MG') ? { messagingServiceSid: r.from } : { from: r.from };
      const callback = r.statusCallbackUrl === undefined ? {} : { statusCallback: r.statusCallbackUrl };
      const message = await client.messages.create({ to: r.to, body: r.body, ...callback, ...sender });
      const segments = Number.parseInt(message.numSegments, 10);
      return { messageSid: message.sid, status: message.status, segments: Number.isInteger(segments) && segments > 0 ? segments : null };
    },

    async deleteRecording(recordingSid) {
      if (!/^RE[0-9a-f]{32}$/i.test(recordingSid)) throw new RangeError(`not a recording SID: ${recordingSid}`);
      try {
        await client.recordings(recordingSid).remove();
        return 'deleted';
      } catch (err) {
        if (err instanceof twilio.RestException && err.status === 404) return 'notFound';
        throw err;
      }
    },

    async fetchRecording(recordingSid, range) {
      if (!/^RE[0-9a-f]{32}$/i.test(recordingSid)) throw new RangeError(`not a recording SID: ${recordingSid}`);
      const headers: Record<string, string> = { Accept: 'audio/wav, audio/x-wav, */*' };
      if (range !== null) headers.Range = range;
      // Twilio answers the media URL with a redirect to its storage: followed (the SDK drops the credentials on another host).
      const res = await media.request({
        method: 'get',
        uri: `${media.api.baseUrl}/2010-04-01/Accounts/${credentials.accountSid}/Recordings/${recordingSid}.wav`,
        headers,
        allowRedirects: true,
      });
      const body = res.body as unknown;
      if (!isReadable(body)) throw new Error('Twilio sent no audio stream');
      const header = (name: string): string | null => {
        const v = (res.headers as Record<string, unknown>)[name];
        return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : null;
      };
      return {
        status: res.statusCode,
        headers: { contentType: header('content-type'), contentLength: header('content-length'), contentRange: header('content-range'), acceptRanges: header('accept-ranges') },
        body,
      };
    },
  };
}

function isReadable(v: unknown): v is Readable {
  return typeof v === 'object' && v !== null && typeof (v as { pipe?: unknown }).pipe === 'function' && typeof (v as { on?: unknown }).on === 'function';
}

/** The URL Twilio requested: the configured public base (scheme, host, any prefix) + the path and query received. */
export function publicUrl(publicBaseUrl: string, pathAndQuery: string): string {
  if (!URL.canParse(publicBaseUrl)) throw new RangeError(`the public base URL is not a URL: ${publicBaseUrl}`);
  return publicBaseUrl.replace(/\/+$/, '') + (pathAndQuery.startsWith('/') ? pathAndQuery : `/${pathAndQuery}`);
}

type Headers = Readonly<Record<string, string | string[] | undefined>>;

function formParams(body: unknown): Record<string, string | string[]> | null {
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) return null;
  const params: Record<string, string | string[]> = {};
  for (const [key, value] of Object.entries(body)) {
    if (typeof value === 'string' || (Array.isArray(value) && value.every((v) => typeof v === 'string'))) params[key] = value;
    else return null;
  }
  return params;
}

/**
 * Whether a webhook came from Twilio. Checked against the public URL, not the
 * one the request arrived on: a proxy in front changes scheme and host. The
 * body is the parsed form (express.urlencoded({ extended: false })); GET
 * webhooks have none. The SDK's webhook() middleware is not used: given
 * { authToken } in its options it overwrites it with TWILIO_AUTH_TOKEN from
 * the environment (and answers 500 when that is unset).
 */
export function validateTwilioSignature(authToken: string, publicBaseUrl: string, pathAndQuery: string, headers: Headers, body: unknown): boolean {
  const url = publicUrl(publicBaseUrl, pathAndQuery);
  const entry = Object.entries(headers).find(([name]) => name.toLowerCase() === 'x-twilio-signature');
  const signature = entry?.[1];
  if (typeof signature !== 'string' || signature === '' || authToken === '') return false;
  const params = formParams(body);
  if (!params) return false;
  return twilio.validateRequest(authToken, signature, url, params);
}
