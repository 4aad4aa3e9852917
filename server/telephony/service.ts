import twilio from 'twilio';
import type { Logger } from 'pino';
import type { CurrentUser } from '../auth/current-user';
import type { Assignment, PlansRepo } from '../courtesy/plans-repo';
import type { MeasuredRing, RingDecision, RingTimes } from '../courtesy/ring-decision';
import type { ResultsRepo } from '../courtesy/results-repo';
import type { ResultsService } from '../courtesy/results-service';
import type { UsersRepo } from '../org/users-repo';
import { audit } from '../platform/audit';
import type { Config } from '../platform/config';
import type { Db } from '../platform/db';
import { BadRequestError, NotFoundError } from '../platform/errors';
import { translator, type Lang, type MessageKey, type Params } from '../platform/i18n';
import { callProgress, FINAL_STAGES, type CallProgress, type CallStage } from './call-progress';
import type { CallRecord, CallsRepo, Leg } from './calls-repo';
import { publicUrl, type TelephonyClient } from './client';
import type { RecordingsService } from './recordings-service';
import { callEventFromParams, countsAsAttempt, summariseCall, type CallEvent, type CallSummary } from './ring-time';
import type { SmsOutbox } from './sms-outbox';
import type { SmsRecord } from './sms-repo';
import { isTaiwanMobile } from './sms-rules';
import { bridgeTwiml, sayAndHangupTwiml } from './twiml';

/** A second press of "Call" this soon after the last, while that call is still under way, opens it instead of ringing again. */
const RECENT_CALL_MS = 5 * 60_000;
/**
 * No word from Twilio for this long before the unit answered (phones ring for
 * 30 s at most): the page says the webhooks may not reach the server.
 */
const QUIET_CALL_MS = 2 * 60_000;
const testSmsReference = (userId: number) => `user:${userId}`;
const WAITING: readonly CallStage[] = ['requested', 'calling-tester', 'tester-ringing', 'dialling-unit', 'unit-ringing'];

/** The unit leg's ring time and outcome for one stored call (the events are read back raw and summarised each time). */
export class CallRingTimes implements RingTimes {
  constructor(private readonly calls: CallsRepo) {}

  async unitSummary(call: CallRecord, trx?: Db): Promise<CallSummary | null> {
    const events = await this.calls.events(call.id, 'unit', trx);
    return events.length > 0 ? summariseCall(events, { answeredByMenu: call.answeredByMenu }) : null;
  }

  /** The newest call of the assignment whose unit answered. */
  async measuredFor(assignmentId: number): Promise<MeasuredRing | null> {
    for (const call of await this.calls.ofAssignment(assignmentId)) {
      const summary = await this.unitSummary(call);
      const ring = summary?.outcome === 'answered' ? summary.ringTime : null;
      if (ring) return { callId: call.id, seconds: ring.seconds, source: ring.source, needsConfirmation: ring.needsConfirmation, flags: ring.flags };
    }
    return null;
  }

  async recordDecision(decision: RingDecision, at: string, trx: Db): Promise<void> {
    await this.calls.recordRingDecision(decision.callId, { at, override: decision.override }, trx);
  }
}

export interface TelephonyStatus {
  configured: boolean;
  /** The account SID shortened (it is not secret, but need not be shown whole); never the token. */
  accountSid: string | null;
  callerId: string | null;
  webhookBase: string | null;
}

export type StartedCall = { ok: true; callId: number } | { ok: false; key: MessageKey; params?: Params };

export type TestSms =
  | { ok: true; to: string; message: SmsRecord }
  | { ok: false; key: MessageKey; params?: Params; status: number };

export interface CallView {
  call: CallRecord;
  assignment: Assignment;
  progress: CallProgress;
  /** The assignment has no result yet: the scoring sheet can be filled. */
  scoreOpen: boolean;
  /** Still waiting for a phone to be answered, and nothing heard from Twilio for a while. */
  quiet: boolean;
}

type Form = Readonly<Record<string, unknown>>;
const text = (params: Form, key: string): string | undefined => (typeof params[key] === 'string' ? (params[key] as string) : undefined);

/**
 * The click-to-call bridge: Twilio rings the tester's own phone, and when the
 * tester answers, fetches our TwiML, which dials the unit. Every status
 * callback is stored raw; the stage, outcome and ring time are recomputed
 * from all stored events whenever one arrives. A unit leg that ends
 * unanswered or busy adds one attempt to the assignment, by the same rules as
 * a typed attempt.
 */
export class TelephonyService {
  constructor(
    private readonly db: Db,
    private readonly calls: CallsRepo,
    private readonly ringTimes: CallRingTimes,
    private readonly results: ResultsService,
    private readonly plans: PlansRepo,
    private readonly resultsRepo: ResultsRepo,
    private readonly users: UsersRepo,
    private readonly config: Config,
    private readonly client: TelephonyClient | null,
    private readonly clock: () => Date,
    private readonly logger: Logger,
    private readonly recordings: RecordingsService,
    private readonly smsOutbox: SmsOutbox,
  ) {}

  /** Whether calls go through Twilio; otherwise testers dial themselves and type the ring time. */
  get calling(): boolean {
    return this.client !== null && this.config.twilio !== null;
  }

  status(): TelephonyStatus {
    const t = this.config.twilio;
    if (!t) return { configured: false, accountSid: null, callerId: null, webhookBase: null };
    return { configured: true, accountSid: `${t.accountSid.slice(0, 6)}…${t.accountSid.slice(-4)}`, callerId: t.callerId, webhookBase: publicUrl(this.config.publicBaseUrl, '/twilio/') };
  }

  private url(path: string): string {
    return publicUrl(this.config.publicBaseUrl, path);
  }

  /**
   * The tester pressed "Call" on one of his or her open assignments; `consent`:
   * the recording consent box was ticked (kept with the call only while recording is on).
   */
  async startCall(user: CurrentUser, assignmentId: number, consent = false): Promise<StartedCall> {
    const assignment = await this.results.ownOpenAssignment(user, assignmentId);
    const twilioConfig = this.config.twilio;
    if (!this.client || !twilioConfig) return { ok: false, key: 'call.error.manual' };
    const tester = await this.users.findById(user.id);
    if (!tester?.phoneE164) return { ok: false, key: 'call.error.noTesterPhone' };
    if (!assignment.phoneE164) return { ok: false, key: 'call.error.noUnitPhone' };
    const now = this.clock();
    const [latest] = await this.calls.ofAssignment(assignment.id);
    if (latest && latest.testerId === user.id && !FINAL_STAGES.includes(latest.status) && now.getTime() - Date.parse(latest.startedAt) < RECENT_CALL_MS) {
      return { ok: true, callId: latest.id };
    }
    const record = consent && (await this.recordings.recordingOn());
    const callId = await this.db.transaction(async (trx) => {
      const id = await this.calls.insert({ assignmentId: assignment.id, testerId: user.id, answeredByMenu: assignment.phoneExt !== null && assignment.phoneExt !== '' }, now.toISOString(), trx);
      if (record) await this.recordings.recordConsent(id, user.id, trx);
      return id;
    });
    try {
      const started = await this.client.startBridgeCall({
        testerPhone: tester.phoneE164,
        testerExtension: tester.phoneExt,
        callerId: twilioConfig.callerId,
        twimlUrl: this.url(`/twilio/calls/${callId}/bridge`),
        statusCallbackUrl: this.url(`/twilio/calls/${callId}/tester-status`),
        timeoutSeconds: 30,
      });
      await this.calls.setPlaced(callId, started.callSid, this.clock().toISOString());
      return { ok: true, callId };
    } catch (err) {
      const known = err instanceof twilio.RestException;
      const message = known ? err.message : 'Twilio could not be reached';
      const code = known && typeof err.code === 'number' ? err.code : null;
      await this.calls.setFailed(callId, { code, message }, this.clock().toISOString());
      this.logger.warn({ err, callId }, 'Twilio refused or did not answer a bridge call');
      return { ok: false, key: 'call.error.twilio', params: { message, code: code ?? '—' } };
    }
  }

  private async knownCall(callId: number): Promise<CallRecord> {
    const call = await this.calls.find(callId);
    if (!call) throw new NotFoundError();
    return call;
  }

  /** The TwiML Twilio fetches when the tester answers: dial the unit (and key its extension), or say why not and hang up. */
  async bridge(callId: number, params: Form): Promise<string> {
    const call = await this.knownCall(callId);
    if (call.callSid !== null && text(params, 'CallSid') !== call.callSid) throw new NotFoundError();
    const twilioConfig = this.config.twilio;
    const assignment = await this.plans.findAssignment(call.assignmentId);
    const tester = await this.users.findById(call.testerId);
    const say = (key: MessageKey) => sayAndHangupTwiml(translator(tester?.locale ?? 'zh-TW')(key), { language: tester?.locale === 'en' ? 'en-US' : 'zh-TW' });
    if (!twilioConfig || !assignment || (await this.resultsRepo.findByAssignment(assignment.id))) return say('call.say.closed');
    if (!assignment.phoneE164) return say('call.say.noNumber');
    return bridgeTwiml({
      unitNumber: assignment.phoneE164,
      extension: assignment.phoneExt,
      callerId: twilioConfig.callerId,
      unitStatusCallbackUrl: this.url(`/twilio/calls/${call.id}/unit-status`),
      recording: (await this.recordings.shouldRecord(call.id)) ? { statusCallbackUrl: this.url(`/twilio/calls/${call.id}/recording`) } : null,
    });
  }

  /** A status callback of the tester's leg. */
  async testerEvent(callId: number, params: Form): Promise<void> {
    const call = await this.knownCall(callId);
    const event = callEventFromParams(params);
    if (!event) throw new BadRequestError();
    if (call.callSid !== null && event.callSid !== call.callSid) throw new NotFoundError();
    await this.db.transaction(async (trx) => {
      await this.calls.lock(call.id, trx);
      await this.calls.addEvent(call.id, 'tester', event, params, this.clock().toISOString(), trx);
      await this.recompute(call, trx);
    });
  }

  /**
   * A status callback of the unit's leg (the <Dial>ed number). The first one
   * names the leg; another leg on the same call is refused. A final no-answer
   * or busy adds the call's one attempt.
   */
  async unitEvent(callId: number, params: Form): Promise<void> {
    const call = await this.knownCall(callId);
    const event = callEventFromParams(params);
    if (!event) throw new BadRequestError();
    if (call.callSid !== null && text(params, 'ParentCallSid') !== call.callSid) throw new NotFoundError();
    await this.db.transaction(async (trx) => {
      await this.calls.lock(call.id, trx);
      if ((await this.calls.claimUnitLeg(call.id, event.callSid, trx)) !== event.callSid) throw new NotFoundError();
      await this.calls.addEvent(call.id, 'unit', event, params, this.clock().toISOString(), trx);
      const progress = await this.recompute(call, trx);
      const outcome = progress.unit?.outcome;
      if (outcome && countsAsAttempt(outcome) && (await this.calls.claimAttempt(call.id, trx))) {
        const attempt = await this.results.recordCallAttempt(call.assignmentId, call.testerId, outcome === 'busy' ? 'busy' : 'no_answer', trx);
        await this.calls.setAttempt(call.id, attempt.note, attempt.attemptId, trx);
      }
    });
  }

  private async legEvents(call: CallRecord, leg: Leg, trx?: Db): Promise<CallEvent[]> {
    return this.calls.events(call.id, leg, trx);
  }

  private async progressOf(call: CallRecord, trx?: Db): Promise<CallProgress> {
    const testerEvents = await this.legEvents(call, 'tester', trx);
    const unitEvents = await this.legEvents(call, 'unit', trx);
    return callProgress({
      placed: call.callSid !== null,
      failed: call.status === 'failed',
      testerEvents,
      unitEvents,
      answeredByMenu: call.answeredByMenu,
    });
  }

  /** The stage from every stored event, written back to the call. */
  private async recompute(call: CallRecord, trx: Db): Promise<CallProgress> {
    const fresh = (await this.calls.find(call.id, trx)) ?? call;
    const progress = await this.progressOf(fresh, trx);
    if (progress.stage !== fresh.status) await this.calls.setStatus(call.id, progress.stage, this.clock().toISOString(), trx);
    return progress;
  }

  /** A call as its tester sees it; anybody else's is 404. */
  async view(user: CurrentUser, callId: number): Promise<CallView> {
    const call = await this.calls.find(callId);
    if (!call || call.testerId !== user.id) throw new NotFoundError();
    const assignment = await this.plans.findAssignment(call.assignmentId);
    if (!assignment) throw new NotFoundError();
    const progress = await this.progressOf(call);
    const scoreOpen = !(await this.resultsRepo.findByAssignment(assignment.id));
    const quiet = WAITING.includes(progress.stage) && this.clock().getTime() - Date.parse(call.updatedAt) > QUIET_CALL_MS;
    return { call, assignment, progress, scoreOpen, quiet };
  }

  /** Where the user's test SMS would go: the mobile number of the user's own record. */
  async smsRecipientOf(user: CurrentUser): Promise<{ ok: true; phone: string } | { ok: false; key: MessageKey }> {
    const me = await this.users.findById(user.id);
    if (!me?.phoneE164) return { ok: false, key: 'sms.error.noPhone' };
    if (!isTaiwanMobile(me.phoneE164)) return { ok: false, key: 'sms.error.landline' };
    return { ok: true, phone: me.phoneE164 };
  }

  /**
   * The administrator's own test SMS: proves the account, the number and the SMS path.
   * It goes through the outbox like any SMS (purpose 'test', a delivery report to follow),
   * but is sent at once, quiet hours or not: the person asking is the one it goes to, waiting for it.
   */
  async sendTestSms(user: CurrentUser, lang: Lang): Promise<TestSms> {
    if (!this.smsOutbox.enabled) return { ok: false, key: 'sms.error.manual', status: 409 };
    const recipient = await this.smsRecipientOf(user);
    if (!recipient.ok) return { ...recipient, status: 422 };
    const at = this.clock().toISOString();
    const id = await this.db.transaction(async (trx) => {
      const brand = await this.smsOutbox.brandFor(user.unitId, trx);
      const body = `${brand}${translator(lang)('sms.test.body')}`;
      const queued = await this.smsOutbox.enqueue({ to: recipient.phone, body, purpose: 'test', reference: testSmsReference(user.id), unitId: user.unitId, sendNow: true }, trx);
      await audit(trx, { actorId: user.id, action: 'sms.test', subject: `user:${user.id}`, detail: { smsId: queued.id }, at });
      return queued.id;
    });
    const message = await this.smsOutbox.dispatchNow(id);
    if (!message) throw new Error(`test SMS ${id} vanished`);
    if (message.status === 'failed') {
      return { ok: false, key: 'sms.error.twilio', params: { message: message.errorMessage ?? '', code: message.errorCode ?? '—' }, status: 502 };
    }
    return { ok: true, to: recipient.phone, message };
  }

  /** The user's latest test SMS as it stands now (delivery reports update it), if any. */
  async lastTestSms(user: CurrentUser): Promise<SmsRecord | null> {
    return (await this.smsOutbox.latest('test', testSmsReference(user.id))) ?? null;
  }
}
