/**
 * The SMS outbox: every SMS the product sends goes through here, so that
 * Taiwan's rules, quiet hours, retries and delivery reports are handled once.
 *
 * How to send an SMS (services.smsOutbox, an SmsOutbox):
 *
 *   if (outbox.enabled) {                       // false in manual mode (no Twilio): enqueue throws SmsOutboxDisabledError
 *     await db.transaction(async (trx) => {
 *       const brand = await outbox.brandFor(unitId, trx);            // '【甲機關】', the agency above the unit
 *       const { id, status, reason } = await outbox.enqueue({
 *         to: person.phoneE164,                  // E.164 or as typed ('0912-345-678'); null when there is none
 *         body: `${brand}請填寫滿意度調查 https://…/s/abc`,  // checked: brand first, full URLs, no shorteners
 *         purpose: 'invitation',                  // one of SMS_PURPOSES (sms-status.ts); a new one also needs 'sms.purpose.…' keys
 *         reference: `invitation:${invitationId}`, // shown to managers; free text up to 100 characters
 *         unitId,                                 // whose managers see it, and whose agency is the brand
 *         dedupeKey: `invitation:${invitationId}`, // optional: a second enqueue returns the first message
 *       }, trx);                                  // inside your transaction: rolled back with it
 *     });
 *   }
 *
 * - A body that breaks the rules throws SmsBodyError (a RangeError listing the issues): a bug in the
 *   caller, never something a user typed.
 * - A landline, an unreadable number or none at all is stored as status 'skipped' with reason
 *   'landline' / 'invalid' / 'noPhone' and never sent; `enqueue` still returns its id.
 * - Otherwise status 'pending', to be sent from `sendAfter` on: now, or the end of Taiwan's quiet hours
 *   (21:00–09:00, 12:30–13:30).
 * - `dispatchDue(now)` (run every minute by main.ts on every instance) claims due messages one by one
 *   with a conditional UPDATE, so two instances never send one twice, and sends them through Twilio
 *   with a status callback to PUBLIC_BASE_URL + /twilio/sms/:id/status (signature-checked). Twilio busy
 *   or unreachable: retried (RETRY_DELAYS_MINUTES); refused: failed with Twilio's error code; cut off
 *   mid-request: failed as 'unknownOutcome', never retried (a delivery report arriving later still counts).
 * - `sendNow: true` (only for a message its recipient is waiting for: the administrator's test SMS) makes it
 *   due at once, quiet hours or not, and `dispatchNow(id)` sends that one message straight away, claimed
 *   like any other; it is then tracked (retries, delivery reports) like every other message.
 * - Delivery callbacks move the status forward only (queued → sent → delivered / undelivered / failed),
 *   whatever order they come in; `find(id)` reads a message back; /sms lists them for managers.
 */
import { randomBytes } from 'node:crypto';
import twilio from 'twilio';
import type { Logger } from 'pino';
import { z } from 'zod';
import { reachPath, type CurrentUser } from '../auth/current-user';
import { normalisePhone } from '../org/phone';
import type { UnitsRepo } from '../org/units-repo';
import type { Config } from '../platform/config';
import type { Db } from '../platform/db';
import { BadRequestError, NotFoundError } from '../platform/errors';
import { publicUrl, type TelephonyClient } from './client';
import type { SmsRecord, SmsRepo } from './sms-repo';
import { brandPrefix, checkSmsBody, isQuietTime, nextAllowedSendTime, smsRecipient, smsSegments, type SmsBodyIssue } from './sms-rules';
import { classifyFailure, fromTwilioStatus, maskDigitRuns, retryAt, type SmsPurpose, type SmsReason, type SmsStatus } from './sms-status';

export interface SmsToSend {
  /** The recipient's phone, E.164 or as typed; null when the person has none (stored as skipped: noPhone). */
  to: string | null;
  /** The whole text, starting with brandFor(unitId). */
  body: string;
  purpose: SmsPurpose;
  /** What the message is about, for the people reading the list ('assignment:12', 'case:5'). */
  reference: string | null;
  /** The unit the message concerns: its agency's name is the brand; its managers see the message. */
  unitId: number;
  /** A second enqueue with the same key stores nothing and returns the first message. */
  dedupeKey?: string;
  /**
   * Due at once, quiet hours or not: only for a message its recipient is
   * waiting for (the administrator's test SMS, purpose 'test'), sent with dispatchNow.
   */
  sendNow?: boolean;
}

export interface Enqueued {
  id: number;
  status: 'pending' | 'skipped';
  reason: SmsReason | null;
  /** When a dispatcher may send it (ISO); for a skipped message, when it was stored. */
  sendAfter: string;
  /** The dedupe key was already used: this is the earlier message, as it was stored then. */
  duplicate: boolean;
}

export class SmsBodyError extends RangeError {
  constructor(readonly issues: SmsBodyIssue[]) {
    super(`the SMS breaks Taiwan's SMS rules: ${JSON.stringify(issues)}`);
  }
}

export class SmsOutboxDisabledError extends Error {
  constructor() {
    super('Twilio is not configured (manual mode): no SMS can be queued');
  }
}

export interface DispatchReport {
  /** Handed to Twilio. */
  sent: number;
  /** Twilio busy or unreachable: back to pending for a later try. */
  retried: number;
  /** Given up: refused by Twilio, out of tries, or cut off mid-request. */
  failed: number;
}

/** A dispatcher that claimed a message and has not finished with it after this long has died. */
const STALE_CLAIM_MS = 10 * 60_000;
const BATCH = 50;

const statusCallbackForm = z.object({
  MessageSid: z.string().regex(/^(SM|MM)[0-9a-f]{32}$/i),
  MessageStatus: z.string().min(1).max(20),
  ErrorCode: z.string().regex(/^\d{1,6}$/).optional(),
});

export class SmsOutbox {
  constructor(
    private readonly db: Db,
    private readonly repo: SmsRepo,
    private readonly units: UnitsRepo,
    private readonly config: Config,
    private readonly client: TelephonyClient | null,
    private readonly clock: () => Date,
    private readonly logger: Logger,
  ) {}

  /** Whether SMS can be sent at all (Twilio configured); in manual mode nothing is queued. */
  get enabled(): boolean {
    return this.client !== null && this.config.twilio !== null;
  }

  /** '【機關名稱】': the brand of the nearest agency at or above the unit. */
  async brandFor(unitId: number, trx: Db = this.db): Promise<string> {
    return brandPrefix(await this.agencyNameOf(unitId, trx));
  }

  private async agencyNameOf(unitId: number, trx: Db): Promise<string> {
    const unit = await this.units.findById(unitId, trx);
    if (!unit) throw new RangeError(`no unit ${unitId}`);
    return (await this.units.agencyOf(unit.path, trx)).nameZh;
  }

  /** Stores a message to send (see the top of this file); inside the caller's transaction when given one. */
  async enqueue(sms: SmsToSend, trx: Db = this.db): Promise<Enqueued> {
    if (!this.enabled) throw new SmsOutboxDisabledError();
    const issues = checkSmsBody(sms.body, await this.agencyNameOf(sms.unitId, trx));
    if (issues.length > 0) throw new SmsBodyError(issues);
    const now = this.clock();
    const recipient = sms.to === null || sms.to.trim() === '' ? null : smsRecipient(sms.to);
    const reason: SmsReason | null = recipient === null ? 'noPhone' : recipient.ok ? null : recipient.reason;
    const status = reason === null ? 'pending' : 'skipped';
    const sendAfter = (status === 'pending' && !sms.sendNow ? nextAllowedSendTime(now) : now).toISOString();
    const parsed = sms.to === null ? null : normalisePhone(sms.to);
    const toPhone = parsed?.ok ? parsed.e164 : (sms.to?.trim().slice(0, 40) || null);
    const { id, inserted } = await this.repo.insert(
      {
        purpose: sms.purpose,
        reference: sms.reference?.slice(0, 100) ?? null,
        dedupeKey: sms.dedupeKey ?? null,
        unitId: sms.unitId,
        toPhone,
        body: sms.body,
        segments: smsSegments(sms.body).segments,
        status,
        reason,
        sendAfter,
      },
      now.toISOString(),
      trx,
    );
    if (inserted) return { id, status, reason, sendAfter, duplicate: false };
    const first = await this.repo.find(id, trx);
    if (!first) throw new Error(`message ${id} vanished`);
    return { id, status: first.status === 'skipped' ? 'skipped' : 'pending', reason: first.reason, sendAfter: first.sendAfter, duplicate: true };
  }

  async find(id: number): Promise<SmsRecord | undefined> {
    return this.repo.find(id);
  }

  /** The newest message of a purpose about a reference (the last test SMS of 'user:3'). */
  async latest(purpose: SmsPurpose, reference: string): Promise<SmsRecord | undefined> {
    return this.repo.latest(purpose, reference);
  }

  /** Sends what is due (see the top of this file). Safe to run on every instance at once. */
  async dispatchDue(now: Date = this.clock()): Promise<DispatchReport> {
    const report: DispatchReport = { sent: 0, retried: 0, failed: 0 };
    if (!this.enabled) return report;
    const at = now.toISOString();
    report.failed += await this.repo.failStale(new Date(now.getTime() - STALE_CLAIM_MS).toISOString(), at);
    if (isQuietTime(now)) return report;
    for (const id of await this.repo.dueIds(at, BATCH)) {
      const token = randomBytes(16).toString('hex');
      if (!(await this.repo.claim(id, token, at))) continue; // another instance has it
      const outcome = await this.send(id, token, now);
      report[outcome] += 1;
    }
    return report;
  }

  /**
   * Sends one due message now, quiet hours or not (one enqueued with sendNow: the
   * test SMS), claimed like any other; returns it as it stands afterwards. A message
   * another dispatcher has claimed, or one not yet due, is left to it.
   */
  async dispatchNow(id: number, now: Date = this.clock()): Promise<SmsRecord | undefined> {
    if (this.enabled) {
      const token = randomBytes(16).toString('hex');
      if (await this.repo.claim(id, token, now.toISOString())) await this.send(id, token, now);
    }
    return this.repo.find(id);
  }

  /** Hands a claimed message to Twilio and records how that went. */
  private async send(id: number, token: string, now: Date): Promise<keyof DispatchReport> {
    const twilioConfig = this.config.twilio;
    if (!this.client || !twilioConfig) throw new SmsOutboxDisabledError();
    const at = now.toISOString();
    const message = await this.repo.find(id);
    if (!message?.toPhone) throw new Error(`claimed message ${id} has no number`);
    try {
      const sent = await this.client.sendSms({
        to: message.toPhone,
        from: twilioConfig.callerId,
        body: message.body,
        statusCallbackUrl: publicUrl(this.config.publicBaseUrl, `/twilio/sms/${id}/status`),
      });
      await this.repo.markAccepted(id, token, { messageSid: sent.messageSid, status: fromTwilioStatus(sent.status) ?? 'queued', segments: sent.segments }, at);
      return 'sent';
    } catch (err) {
      const known = err instanceof twilio.RestException;
      const code: unknown = !known && typeof err === 'object' && err !== null && 'code' in err ? err.code : undefined;
      const networkCode = typeof code === 'string' ? code : undefined;
      const kind = classifyFailure(known ? { httpStatus: err.status } : { networkCode });
      const errorCode = known && typeof err.code === 'number' ? err.code : null;
      // Twilio's 4xx texts quote the recipient's number: stored masked, never logged.
      const error = { code: errorCode, message: maskDigitRuns(err instanceof Error ? err.message : String(err)) };
      this.logger.warn({ smsId: id, kind, errorCode, httpStatus: known ? err.status : undefined, networkCode }, 'an SMS could not be handed to Twilio');
      const again = kind === 'transient' ? retryAt(now, message.attempts) : null;
      if (again) {
        await this.repo.markRetry(id, token, error, again.toISOString(), at);
        return 'retried';
      }
      const reason: SmsReason = kind === 'permanent' ? 'rejected' : kind === 'unknown' ? 'unknownOutcome' : 'retriesExhausted';
      await this.repo.markFailed(id, token, reason, error, at);
      return 'failed';
    }
  }

  /** Twilio's delivery report for message `id` (the webhook's signature is checked by the route). */
  async statusCallback(id: number, params: Readonly<Record<string, unknown>>): Promise<'changed' | 'unchanged'> {
    const form = statusCallbackForm.safeParse(params);
    if (!form.success) throw new BadRequestError();
    const status = fromTwilioStatus(form.data.MessageStatus);
    const errorCode = form.data.ErrorCode === undefined ? null : Number(form.data.ErrorCode);
    const known = await this.repo.find(id);
    if (!known) throw new NotFoundError();
    // A status the outbox does not track (an inbound 'received'): acknowledged, nothing stored.
    if (status === null) return 'unchanged';
    const result = await this.repo.applyStatus(id, form.data.MessageSid, status, errorCode, this.clock().toISOString());
    if (result === 'unknown') throw new NotFoundError();
    return result;
  }

  /** The messages a manager may see (his or her subtree; administrators all), newest first. */
  async list(user: CurrentUser, statuses: readonly SmsStatus[], limit = 200): Promise<{ messages: SmsRecord[]; counts: Map<SmsStatus, number> }> {
    const reach = reachPath(user);
    if (reach === null) throw new NotFoundError();
    return { messages: await this.repo.list({ reach, statuses, limit }), counts: await this.repo.countByStatus(reach) };
  }

  /** The delivery status of each of several messages, for the domain that queued them. */
  async statuses(ids: readonly number[]): Promise<Map<number, SmsStatus>> {
    return this.repo.statuses(ids);
  }

  /** Erases number and text of finished messages (see SmsRepo.erase); returns the ids still waiting to be sent. */
  async erase(ids: readonly number[]): Promise<number[]> {
    return this.repo.erase(ids, this.clock().toISOString());
  }
}
