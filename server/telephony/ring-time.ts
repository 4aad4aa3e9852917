/**
 * Ring time and outcome of the unit's leg of a bridged call, computed from the
 * raw status callbacks Twilio sent for that leg.
 *
 * The database keeps every callback it accepted, untouched (CallEvent), and
 * calls summariseCall on read: Twilio may deliver an event twice or out of
 * order, and a late event must be able to change the figure, so nothing is
 * folded into a stored "ring time" column. A tester's correction is stored
 * beside the events and applied on top (applyManualRingTime).
 *
 * Ring time = answered − ringing, in whole seconds (Twilio's Timestamp has
 * whole seconds). Its source says how far to trust it:
 * - measured: both events present;
 * - pbx: a switchboard or voice menu answered (sendDigits only plays once
 *   something picks up, so with an extension "answered" is the machine): the
 *   figure is kept but the tester must confirm it;
 * - missing: an event is missing; fall back to initiated → answered (an upper
 *   bound) or completed − CallDuration for the answer, else no figure; flagged;
 * - manual: the tester typed the figure, with a reason.
 */

export const CALL_EVENT_STATUSES = [
  'initiated',
  'ringing',
  'in-progress',
  'answered',
  'completed',
  'busy',
  'no-answer',
  'failed',
  'canceled',
] as const;
export type CallEventStatus = (typeof CALL_EVENT_STATUSES)[number];

/** One status callback of the unit leg, as stored. */
export interface CallEvent {
  callSid: string;
  /** Twilio's SequenceNumber: 0, 1, 2… per call, in the order the events fired. */
  sequenceNumber: number;
  /** Twilio reports the answer as CallStatus 'in-progress'; 'answered' is accepted too. */
  status: CallEventStatus;
  /** RFC 2822 as Twilio sends it, e.g. "Thu, 05 Mar 2026 06:00:07 +0000". */
  timestamp: string;
  /** DialCallStatus of the <Dial> action request, when the service stores it with the leg. */
  dialCallStatus?: string;
  /** AnsweredBy from answering-machine detection, when it was asked for. */
  answeredBy?: string;
  /** CallDuration, sent with 'completed': seconds from the answer to the hang-up. */
  callDuration?: number;
}

export type CallOutcome = 'answered' | 'no-answer' | 'busy' | 'failed' | 'canceled' | 'pending';
export type RingTimeSource = 'measured' | 'pbx' | 'missing' | 'manual';
export type RingTimeFlag =
  | 'answeredByMenu'
  | 'machineDetected'
  | 'ringingMissing'
  | 'answerEstimated'
  | 'answerMissing'
  | 'startMissing'
  | 'answerBeforeRinging';

export interface ManualRingTime {
  seconds: number;
  reason: string;
}

export interface RingTime {
  /** Whole seconds from ringing to answer; null when the events cannot tell. */
  seconds: number | null;
  source: RingTimeSource;
  needsConfirmation: boolean;
  flags: RingTimeFlag[];
  /** The instants the figure was taken between (ISO), for the tester to see. */
  from: string | null;
  to: string | null;
  /** With source 'manual': the reason and what the events said. */
  override?: { reason: string; measured: { outcome: CallOutcome; ringTime: RingTime | null } };
}

export interface CallSummary {
  outcome: CallOutcome;
  /** Only for an answered call. */
  ringTime: RingTime | null;
}

export interface RingTimeOptions {
  /**
   * The unit is reached through a switchboard or voice menu: it is dialled
   * with an extension, or the tester reported that a menu answered.
   */
  answeredByMenu?: boolean;
}

/** The unit did not pick up: the test counts an attempt and is tried again later. */
export function countsAsAttempt(outcome: CallOutcome): boolean {
  return outcome === 'no-answer' || outcome === 'busy';
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const RFC2822 = /^(?:[A-Z][a-z]{2}, )?(\d{1,2}) ([A-Z][a-z]{2}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) (?:([+-])(\d{2})(\d{2})|GMT|UT)$/;

/** Parses the RFC 2822 form Twilio uses; null for anything else (Date.parse would guess). */
export function parseRfc2822(text: string): Date | null {
  const m = RFC2822.exec(text.trim());
  if (!m) return null;
  const month = MONTHS.indexOf(m[2] ?? '');
  const [day, year, h, min, s] = [m[1], m[3], m[4], m[5], m[6]].map(Number) as [number, number, number, number, number];
  if (month < 0 || h > 23 || min > 59 || s > 59) return null;
  const utc = Date.UTC(year, month, day, h, min, s);
  if (new Date(utc).getUTCDate() !== day) return null;
  const offset = m[7] ? (m[7] === '-' ? -1 : 1) * (Number(m[8]) * 60 + Number(m[9])) : 0;
  return new Date(utc - offset * 60_000);
}

/** "Thu, 05 Mar 2026 06:00:07 +0000": the form of Twilio's Timestamp and date_* fields. */
export function formatRfc2822(instant: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  const d = instant;
  const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  return `${DAYS[d.getUTCDay()]}, ${pad(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${time} +0000`;
}

/**
 * Reads a call status callback's form parameters into an event to store;
 * null when a field the ring time depends on is missing or malformed.
 */
export function callEventFromParams(params: Readonly<Record<string, unknown>>): CallEvent | null {
  const text = (key: string) => (typeof params[key] === 'string' ? (params[key] as string) : undefined);
  const callSid = text('CallSid');
  const status = text('CallStatus');
  const sequence = text('SequenceNumber');
  const timestamp = text('Timestamp');
  if (!callSid || !/^CA[0-9a-f]{32}$/i.test(callSid)) return null;
  if (!status || !(CALL_EVENT_STATUSES as readonly string[]).includes(status)) return null;
  if (!sequence || !/^\d{1,9}$/.test(sequence)) return null;
  if (!timestamp || !parseRfc2822(timestamp)) return null;
  const event: CallEvent = { callSid, sequenceNumber: Number(sequence), status: status as CallEventStatus, timestamp };
  const dialCallStatus = text('DialCallStatus');
  const answeredBy = text('AnsweredBy');
  const duration = text('CallDuration');
  if (dialCallStatus) event.dialCallStatus = dialCallStatus;
  if (answeredBy) event.answeredBy = answeredBy;
  if (duration && /^\d+$/.test(duration)) event.callDuration = Number(duration);
  return event;
}

/** Each delivery once (first one kept), in firing order. */
export function orderEvents(events: readonly CallEvent[]): CallEvent[] {
  const seen = new Map<string, CallEvent>();
  for (const e of events) {
    const key = `${e.callSid}#${e.sequenceNumber}`;
    if (!seen.has(key)) seen.set(key, e);
  }
  const time = (e: CallEvent) => parseRfc2822(e.timestamp)?.getTime() ?? Number.POSITIVE_INFINITY;
  return [...seen.values()].sort((a, b) => a.sequenceNumber - b.sequenceNumber || time(a) - time(b));
}

const ANSWER: readonly CallEventStatus[] = ['in-progress', 'answered'];
// A Map, not an object: DialCallStatus is free text from a request ('constructor' must not match).
const FINAL = new Map<string, CallOutcome>([
  ['completed', 'answered'],
  ['answered', 'answered'],
  ['busy', 'busy'],
  ['no-answer', 'no-answer'],
  ['failed', 'failed'],
  ['canceled', 'canceled'],
]);

function outcomeOf(events: readonly CallEvent[]): CallOutcome {
  if (events.some((e) => ANSWER.includes(e.status))) return 'answered';
  // 'completed' on a leg means it was connected; the others end an unanswered leg.
  const latest = [...events].reverse();
  const final = latest.find((e) => FINAL.has(e.status));
  if (final) return FINAL.get(final.status) ?? 'pending';
  const dial = latest.find((e) => e.dialCallStatus !== undefined && FINAL.has(e.dialCallStatus));
  return (dial?.dialCallStatus !== undefined && FINAL.get(dial.dialCallStatus)) || 'pending';
}

function instantOf(events: readonly CallEvent[], statuses: readonly CallEventStatus[]): number | null {
  for (const e of events) {
    if (!statuses.includes(e.status)) continue;
    const at = parseRfc2822(e.timestamp);
    if (at) return at.getTime();
  }
  return null;
}

function measure(events: readonly CallEvent[], options: RingTimeOptions): RingTime {
  const flags: RingTimeFlag[] = [];
  if (options.answeredByMenu) flags.push('answeredByMenu');
  if (events.some((e) => e.answeredBy && /^(machine|fax)/.test(e.answeredBy))) flags.push('machineDetected');

  let start = instantOf(events, ['ringing']);
  if (start === null) {
    start = instantOf(events, ['initiated']);
    flags.push(start === null ? 'startMissing' : 'ringingMissing');
  }
  let answer = instantOf(events, ANSWER);
  if (answer === null) {
    const completed = events.find((e) => e.status === 'completed' && e.callDuration !== undefined && parseRfc2822(e.timestamp));
    const end = completed ? parseRfc2822(completed.timestamp) : null;
    answer = completed && end ? end.getTime() - (completed.callDuration ?? 0) * 1000 : null;
    flags.push(answer === null ? 'answerMissing' : 'answerEstimated');
  }
  let seconds = start !== null && answer !== null ? Math.round((answer - start) / 1000) : null;
  if (seconds !== null && seconds < 0) {
    flags.push('answerBeforeRinging');
    seconds = null;
  }
  const missing = flags.some((f) => f !== 'answeredByMenu' && f !== 'machineDetected');
  const source: RingTimeSource = missing ? 'missing' : flags.length > 0 ? 'pbx' : 'measured';
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  return { seconds, source, needsConfirmation: source !== 'measured', flags, from: iso(start), to: iso(answer) };
}

/**
 * Outcome and ring time of the unit leg. The events must all belong to that
 * leg (one CallSid); repeats and any order are fine.
 */
export function summariseCall(events: readonly CallEvent[], options: RingTimeOptions = {}): CallSummary {
  const ordered = orderEvents(events);
  if (new Set(ordered.map((e) => e.callSid)).size > 1) throw new RangeError('events of more than one call');
  const outcome = outcomeOf(ordered);
  return { outcome, ringTime: outcome === 'answered' ? measure(ordered, options) : null };
}

/** The tester accepts the figure as it stands (a pbx or fallback figure). */
export function confirmRingTime(summary: CallSummary): CallSummary {
  if (!summary.ringTime || summary.ringTime.seconds === null) throw new RangeError('no figure to confirm');
  return { ...summary, ringTime: { ...summary.ringTime, needsConfirmation: false } };
}

/**
 * The tester's own figure replaces the events'. A ring time means the unit
 * answered, and the tester was on the call: the outcome becomes 'answered'.
 */
export function applyManualRingTime(summary: CallSummary, manual: ManualRingTime): CallSummary {
  if (!Number.isInteger(manual.seconds) || manual.seconds < 0 || manual.seconds > 600) throw new RangeError(`bad ring time: ${manual.seconds}`);
  const reason = manual.reason.trim();
  if (reason === '') throw new RangeError('a manual ring time needs a reason');
  const measured = summary.ringTime?.override?.measured ?? { outcome: summary.outcome, ringTime: summary.ringTime };
  return {
    outcome: 'answered',
    ringTime: { seconds: manual.seconds, source: 'manual', needsConfirmation: false, flags: [], from: null, to: null, override: { reason, measured } },
  };
}
