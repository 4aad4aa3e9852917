/**
 * The SMS outbox's rules as plain data: what a message is for, the statuses it
 * passes through and the order they may follow each other in, when a failed
 * send is tried again, and how a number is shown to people who need not see
 * it whole. No database, no clock: sms-outbox.ts passes `now`.
 */
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { nextAllowedSendTime } from './sms-rules';

/** What a message is for. A new purpose is a line here and an 'sms.purpose.…' key in both catalogs. */
export const SMS_PURPOSES = ['reminder.tester', 'reminder.caseDue', 'invitation', 'test'] as const;
export type SmsPurpose = (typeof SMS_PURPOSES)[number];

export function isSmsPurpose(value: unknown): value is SmsPurpose {
  return typeof value === 'string' && (SMS_PURPOSES as readonly string[]).includes(value);
}

/**
 * pending: in our outbox, waiting for its send_after moment; sending: claimed
 * by one dispatcher, the request to Twilio under way; then Twilio's own
 * statuses; skipped: never sent (see SmsReason).
 */
export const SMS_STATUSES = ['pending', 'sending', 'queued', 'sent', 'delivered', 'undelivered', 'failed', 'skipped'] as const;
export type SmsStatus = (typeof SMS_STATUSES)[number];

export function isSmsStatus(value: unknown): value is SmsStatus {
  return typeof value === 'string' && (SMS_STATUSES as readonly string[]).includes(value);
}

/** The statuses a manager must look at: the message did not reach the phone. */
export const PROBLEM_STATUSES: readonly SmsStatus[] = ['undelivered', 'failed'];

/**
 * Why a message was skipped or failed on our side (Twilio's failures carry its error code instead):
 * landline / noPhone / invalid: not sent, nobody could receive it;
 * rejected: Twilio refused the request (error code kept); retriesExhausted: Twilio could not be
 * reached after every retry; unknownOutcome: the request was cut off (a timeout, a server stopped
 * mid-send) and Twilio may or may not have it, so it is not tried again (never twice).
 */
export const SMS_REASONS = ['landline', 'noPhone', 'invalid', 'rejected', 'retriesExhausted', 'unknownOutcome'] as const;
export type SmsReason = (typeof SMS_REASONS)[number];

export function isSmsReason(value: unknown): value is SmsReason {
  return typeof value === 'string' && (SMS_REASONS as readonly string[]).includes(value);
}

/** Twilio's statuses that a REST answer or a status callback may carry, as the outbox keeps them. */
const FROM_TWILIO: Readonly<Record<string, SmsStatus>> = {
  accepted: 'queued',
  scheduled: 'queued',
  queued: 'queued',
  sending: 'queued',
  sent: 'sent',
  delivered: 'delivered',
  read: 'delivered',
  undelivered: 'undelivered',
  failed: 'failed',
  canceled: 'failed',
};

export function fromTwilioStatus(status: string): SmsStatus | null {
  return Object.hasOwn(FROM_TWILIO, status) ? (FROM_TWILIO[status] ?? null) : null;
}

const RANK: Readonly<Record<SmsStatus, number>> = {
  pending: 0,
  sending: 1,
  queued: 2,
  sent: 3,
  delivered: 4,
  undelivered: 4,
  failed: 4,
  skipped: 4,
};

/** The statuses a message may leave for `next`: only earlier ones, so a late or repeated callback changes nothing. */
export function statusesBefore(next: SmsStatus): SmsStatus[] {
  return SMS_STATUSES.filter((s) => RANK[s] < RANK[next]);
}

/** Minutes to wait before the 2nd, 3rd, 4th and 5th try; after the 5th the message has failed. */
export const RETRY_DELAYS_MINUTES: readonly number[] = [1, 5, 15, 60];

/**
 * When to try again after `attempts` tries failed for a passing reason
 * (Twilio busy or unreachable): the back-off, pushed out of the quiet hours;
 * null once every try is used.
 */
export function retryAt(now: Date, attempts: number): Date | null {
  const delay = RETRY_DELAYS_MINUTES[attempts - 1];
  if (attempts < 1 || delay === undefined) return null;
  return nextAllowedSendTime(new Date(now.getTime() + delay * 60_000));
}

/** What went wrong with one request to Twilio, as far as can be told. */
export interface SendFailure {
  /** Twilio answered with this HTTP status (a RestException). */
  httpStatus?: number;
  /** Node's error code when no answer came (ECONNREFUSED, ETIMEDOUT…). */
  networkCode?: string;
}

/** Errors raised before the request left this machine: Twilio cannot have the message. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH']);

/**
 * transient: try again later (Twilio said 429 or 5xx, or could not be reached);
 * permanent: Twilio refused this message (4xx: a bad number, a blocked destination);
 * unknown: cut off without an answer, so Twilio may have sent it; not tried again.
 */
export function classifyFailure(f: SendFailure): 'transient' | 'permanent' | 'unknown' {
  if (f.httpStatus !== undefined) return f.httpStatus === 429 || f.httpStatus >= 500 ? 'transient' : 'permanent';
  return f.networkCode !== undefined && NOT_SENT_CODES.has(f.networkCode) ? 'transient' : 'unknown';
}

/** 0912***678: the number as dialled in Taiwan, its middle hidden. */
export function maskPhone(phone: string | null): string {
  if (phone === null || phone.trim() === '') return '—';
  const parsed = parsePhoneNumberFromString(phone, 'TW');
  const digits = (parsed?.country === 'TW' ? `0${parsed.nationalNumber}` : phone).replace(/\D/g, '');
  if (digits.length < 7) return '***';
  return `${digits.slice(0, 4)}***${digits.slice(-3)}`;
}

/**
 * Twilio's error text with every phone-number-like run (6 digits or more, with
 * '+', spaces, dashes, dots or brackets between them) replaced by '***': its
 * 4xx messages quote the full number ("The 'To' number +886912345678 is not…").
 * Error codes (5 digits) stay readable.
 */
export function maskDigitRuns(text: string): string {
  return text.replace(/\+?\d[\d\s().-]*\d/g, (run) => (run.replace(/\D/g, '').length >= 6 ? '***' : run));
}
