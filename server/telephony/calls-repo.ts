import { forUpdate, type Db } from '../platform/db';
import { isCallStage, type CallStage } from './call-progress';
import { callEventFromParams, type CallEvent } from './ring-time';

export type Leg = 'tester' | 'unit';

/** What the unit leg's no-answer or busy did to the assignment: an attempt, or why none was added. */
export type AttemptNote = 'recorded' | 'unreachable' | 'tooSoon' | 'closed';
const ATTEMPT_NOTES: readonly string[] = ['recorded', 'unreachable', 'tooSoon', 'closed'];

export interface CallRecord {
  id: number;
  assignmentId: number;
  testerId: number;
  callSid: string | null;
  unitCallSid: string | null;
  answeredByMenu: boolean;
  status: CallStage;
  errorCode: number | null;
  errorMessage: string | null;
  attempt: AttemptNote | null;
  /** When the tester sent the scoring sheet with the figure as measured. */
  ringConfirmedAt: string | null;
  /** The tester's own figure instead of the measured one, and why. */
  ringOverride: { seconds: number | null; reason: string } | null;
  startedAt: string;
  updatedAt: string;
}

interface CallRow {
  id: number;
  assignment_id: number;
  tester_id: number;
  call_sid: string | null;
  unit_call_sid: string | null;
  answered_by_menu: boolean | number;
  status: string;
  error_code: number | null;
  error_message: string | null;
  attempt: string | null;
  ring_confirmed_at: string | null;
  ring_override_seconds: number | null;
  ring_override_reason: string | null;
  started_at: string;
  updated_at: string;
}

function toCall(r: CallRow): CallRecord {
  return {
    id: r.id,
    assignmentId: r.assignment_id,
    testerId: r.tester_id,
    callSid: r.call_sid,
    unitCallSid: r.unit_call_sid,
    answeredByMenu: Boolean(r.answered_by_menu),
    status: isCallStage(r.status) ? r.status : 'failed',
    errorCode: r.error_code,
    errorMessage: r.error_message,
    attempt: r.attempt !== null && ATTEMPT_NOTES.includes(r.attempt) ? (r.attempt as AttemptNote) : null,
    ringConfirmedAt: r.ring_confirmed_at,
    ringOverride:
      r.ring_override_reason === null ? null : { seconds: r.ring_override_seconds === null ? null : Number(r.ring_override_seconds), reason: r.ring_override_reason },
    startedAt: r.started_at,
    updatedAt: r.updated_at,
  };
}

/** The only code that reads or writes calls and call_events. */
export class CallsRepo {
  constructor(private readonly db: Db) {}

  async insert(c: { assignmentId: number; testerId: number; answeredByMenu: boolean }, now: string, trx: Db = this.db): Promise<number> {
    const [row] = await trx('calls')
      .insert({
        assignment_id: c.assignmentId,
        tester_id: c.testerId,
        answered_by_menu: c.answeredByMenu,
        status: 'requested',
        started_at: now,
        updated_at: now,
      })
      .returning<{ id: number }[]>('id');
    if (!row) throw new Error('insert returned no id');
    return row.id;
  }

  async find(id: number, trx: Db = this.db): Promise<CallRecord | undefined> {
    const row = await trx<CallRow>('calls').where({ id }).first();
    return row ? toCall(row) : undefined;
  }

  /** An assignment's calls, newest first. */
  async ofAssignment(assignmentId: number, trx: Db = this.db): Promise<CallRecord[]> {
    const rows = await trx<CallRow>('calls').where({ assignment_id: assignmentId }).orderBy('id', 'desc');
    return rows.map(toCall);
  }

  /** Twilio accepted the call. The stage moves on only if no event has moved it already. */
  async setPlaced(id: number, callSid: string, now: string): Promise<void> {
    await this.db('calls').where({ id }).update({ call_sid: callSid, updated_at: now });
    await this.db('calls').where({ id, status: 'requested' }).update({ status: 'calling-tester' });
  }

  async setFailed(id: number, error: { code: number | null; message: string }, now: string): Promise<void> {
    await this.db('calls').where({ id }).update({ status: 'failed', error_code: error.code, error_message: error.message.slice(0, 500), updated_at: now });
  }

  /**
   * Locks the call's row for the transaction (PostgreSQL; SQLite has one writer): callbacks of one
   * call then run one after another, each seeing the events stored before it.
   */
  async lock(id: number, trx: Db): Promise<void> {
    await forUpdate(trx, trx('calls').where({ id }).select('id'));
  }

  /** Takes the unit leg's SID if the call has none yet; returns the call's unit leg SID either way. */
  async claimUnitLeg(id: number, unitCallSid: string, trx: Db): Promise<string | null> {
    await trx('calls').where({ id }).whereNull('unit_call_sid').update({ unit_call_sid: unitCallSid });
    const row = await trx('calls').where({ id }).first<{ unit_call_sid: string | null } | undefined>('unit_call_sid');
    return row?.unit_call_sid ?? null;
  }

  /** Stores a status callback as received; false when the same one (call SID and sequence number) is already there. */
  async addEvent(callId: number, leg: Leg, event: CallEvent, params: Record<string, unknown>, now: string, trx: Db): Promise<boolean> {
    const inserted = await trx('call_events')
      .insert({
        call_id: callId,
        leg,
        call_sid: event.callSid,
        sequence_number: event.sequenceNumber,
        status: event.status,
        event_timestamp: event.timestamp,
        params: JSON.stringify(params),
        received_at: now,
      })
      .onConflict(['call_sid', 'sequence_number'])
      .ignore()
      .returning<{ id: number }[]>('id');
    return inserted.length > 0;
  }

  /** A leg's stored events, read back from the raw params. */
  async events(callId: number, leg: Leg, trx: Db = this.db): Promise<CallEvent[]> {
    const rows = await trx('call_events').where({ call_id: callId, leg }).orderBy('id').select<{ params: string }[]>('params');
    return rows.flatMap((r) => {
      const event = callEventFromParams(JSON.parse(r.params) as Record<string, unknown>);
      return event ? [event] : [];
    });
  }

  async setStatus(id: number, status: CallStage, now: string, trx: Db): Promise<void> {
    await trx('calls').where({ id }).update({ status, updated_at: now });
  }

  /** Claims the call's one automatic attempt: true for exactly one caller, however many events race. */
  async claimAttempt(id: number, trx: Db): Promise<boolean> {
    const changed = await trx('calls').where({ id }).whereNull('attempt').update({ attempt: 'claimed' });
    return Number(changed) === 1;
  }

  async setAttempt(id: number, note: AttemptNote, attemptId: number | null, trx: Db): Promise<void> {
    await trx('calls').where({ id }).update({ attempt: note, attempt_id: attemptId });
  }

  async recordRingDecision(id: number, d: { at: string; override: { seconds: number | null; reason: string } | null }, trx: Db): Promise<void> {
    await trx('calls')
      .where({ id })
      .update(
        d.override
          ? { ring_override_seconds: d.override.seconds, ring_override_reason: d.override.reason, ring_confirmed_at: null, updated_at: d.at }
          : { ring_confirmed_at: d.at, ring_override_seconds: null, ring_override_reason: null, updated_at: d.at },
      );
  }
}
