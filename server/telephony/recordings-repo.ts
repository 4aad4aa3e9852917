/**
 * The only code that reads or writes the recordings table (and the per-call
 * recording consent on calls).
 *
 * A recording is Twilio's dual-channel file of a bridged call (tester on one
 * channel, unit on the other), known to us from its signed status callback
 * (store()). It is played through our own server, never by a Twilio URL
 * (RecordingsService.stream), and deleted at Twilio when the retention period
 * (setting recordingRetentionDays, from available_at) has passed; deleted_at
 * is then set and the row is kept, so that pages can say the recording was
 * deleted per the retention period.
 *
 * For other modules (e.g. calibration rounds):
 * - playable(): recordings that can be played now (completed, not deleted),
 *   newest first, with their call, assignment and tester;
 * - playableByAssignment(ids) / playableByAssignmentQuery(db): for each
 *   assignment, its newest playable recording (one query; the subquery lets
 *   another repo join it);
 * - find(id) / ofCall(callId): one recording, or a call's;
 * - the audio: GET /recordings/:id/audio (rights checked there); from another
 *   route, sendRecording(req, res, (range) => recordings.media(id, range))
 *   (recordings-routes.ts) after checking that route's own rights.
 */
import type { Knex } from 'knex';
import type { Db } from '../platform/db';

/** Twilio's RecordingStatus values we ask for: a file, or none ('absent': the call was silent or too short). */
export type RecordingStatus = 'completed' | 'absent';
export const RECORDING_STATUSES: readonly RecordingStatus[] = ['completed', 'absent'];

export interface RecordingRecord {
  id: number;
  callId: number;
  recordingSid: string;
  status: RecordingStatus;
  durationSeconds: number | null;
  channels: number | null;
  /** Twilio's error code for an absent recording (16101 …). */
  errorCode: number | null;
  /** Twilio's RecordingStartTime, as sent (RFC 2822). */
  startedAt: string | null;
  /** When the completed callback arrived (ISO): the retention period runs from here. */
  availableAt: string | null;
  createdAt: string;
  updatedAt: string;
  /** When Twilio deleted the file (retention); null while it is kept. */
  deletedAt: string | null;
  deleteAttempts: number;
  deleteLastError: string | null;
  /** The retention job does not try again before this (backoff after a failure). */
  deleteNextAt: string | null;
}

/** What a recording status callback says, parsed. */
export interface RecordingCallback {
  recordingSid: string;
  status: RecordingStatus;
  durationSeconds: number | null;
  channels: number | null;
  errorCode: number | null;
  startedAt: string | null;
}

/** A recording with what pages need to say whose call it was. */
export interface PlayableRecording extends RecordingRecord {
  assignmentId: number;
  testerId: number;
  callStartedAt: string;
}

export interface RecordingConsent {
  by: number;
  at: string;
}

interface RecordingRow {
  id: number;
  call_id: number;
  recording_sid: string;
  status: string;
  duration_seconds: number | null;
  channels: number | null;
  error_code: number | null;
  started_at: string | null;
  available_at: string | null;
  created_at: string;
  updated_at: string;
  deleted_at: string | null;
  delete_attempts: number | string;
  delete_last_error: string | null;
  delete_next_at: string | null;
}

const num = (v: number | string | null): number | null => (v === null ? null : Number(v));

function toRecording(r: RecordingRow): RecordingRecord {
  return {
    id: r.id,
    callId: r.call_id,
    recordingSid: r.recording_sid,
    status: r.status === 'completed' ? 'completed' : 'absent',
    durationSeconds: num(r.duration_seconds),
    channels: num(r.channels),
    errorCode: num(r.error_code),
    startedAt: r.started_at,
    availableAt: r.available_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    deletedAt: r.deleted_at,
    deleteAttempts: Number(r.delete_attempts),
    deleteLastError: r.delete_last_error,
    deleteNextAt: r.delete_next_at,
  };
}

/** A recording with its call and the unit called (for lists filtered by reach). */
export interface PlayableInUnit extends PlayableRecording {
  unitPath: string;
  unitNameZh: string;
  unitNameEn: string;
}

type PlayableRow = RecordingRow & { assignment_id: number; tester_id: number; call_started_at: string; unit_path: string; unit_name_zh: string; unit_name_en: string };

const PLAYABLE_COLUMNS = [
  'recordings.*',
  'calls.assignment_id',
  'calls.tester_id',
  'calls.started_at as call_started_at',
  'units.path as unit_path',
  'units.name_zh as unit_name_zh',
  'units.name_en as unit_name_en',
];

const toPlayable = (r: PlayableRow): PlayableInUnit => ({
  ...toRecording(r),
  assignmentId: r.assignment_id,
  testerId: r.tester_id,
  callStartedAt: r.call_started_at,
  unitPath: r.unit_path,
  unitNameZh: r.unit_name_zh,
  unitNameEn: r.unit_name_en,
});

const withUnit = (q: Knex.QueryBuilder) => q.join('assignments', 'assignments.id', 'calls.assignment_id').join('units', 'units.id', 'assignments.unit_id');

/**
 * assignment_id → recording_id of its newest playable recording (a file, not deleted), as a subquery:
 * RecordingsRepo.playableByAssignment reads it, and another repo may join it (e.g. calibration candidates).
 */
export function playableByAssignmentQuery(db: Db): Knex.QueryBuilder {
  return db('recordings')
    .join('calls', 'calls.id', 'recordings.call_id')
    .where('recordings.status', 'completed')
    .whereNull('recordings.deleted_at')
    .groupBy('calls.assignment_id')
    .select('calls.assignment_id')
    .max({ recording_id: 'recordings.id' });
}

export type StoreOutcome = 'stored' | 'updated' | 'unchanged';

export class RecordingsRepo {
  constructor(private readonly db: Db) {}

  /**
   * Stores a status callback, idempotently: the first callback of a recording
   * SID inserts it; a repeat changes nothing; a late 'absent' never hides a
   * completed file; a 'completed' after 'absent' fills it in. A deleted
   * recording is never revived, and a SID already stored for another call is left alone.
   */
  async store(callId: number, cb: RecordingCallback, now: string, trx: Db = this.db): Promise<StoreOutcome> {
    const fields = {
      status: cb.status,
      duration_seconds: cb.durationSeconds,
      channels: cb.channels,
      error_code: cb.status === 'absent' ? cb.errorCode : null,
      started_at: cb.startedAt,
      available_at: cb.status === 'completed' ? now : null,
      updated_at: now,
    };
    const inserted = await trx('recordings')
      .insert({ call_id: callId, recording_sid: cb.recordingSid, created_at: now, delete_attempts: 0, ...fields })
      .onConflict('recording_sid')
      .ignore()
      .returning<{ id: number }[]>('id');
    if (inserted.length > 0) return 'stored';
    if (cb.status !== 'completed') return 'unchanged';
    const changed = await trx('recordings')
      .where({ recording_sid: cb.recordingSid, call_id: callId, status: 'absent' })
      .whereNull('deleted_at')
      .update(fields);
    return Number(changed) > 0 ? 'updated' : 'unchanged';
  }

  async find(id: number, trx: Db = this.db): Promise<RecordingRecord | undefined> {
    const row = await trx<RecordingRow>('recordings').where({ id }).first();
    return row ? toRecording(row) : undefined;
  }

  async findBySid(recordingSid: string, trx: Db = this.db): Promise<RecordingRecord | undefined> {
    const row = await trx<RecordingRow>('recordings').where({ recording_sid: recordingSid }).first();
    return row ? toRecording(row) : undefined;
  }

  /** A call's recordings, newest first. */
  async ofCall(callId: number, trx: Db = this.db): Promise<RecordingRecord[]> {
    const rows = await trx<RecordingRow>('recordings').where({ call_id: callId }).orderBy('id', 'desc');
    return rows.map(toRecording);
  }

  /** The recordings of an assignment's calls, newest first. */
  async ofAssignment(assignmentId: number, trx: Db = this.db): Promise<RecordingRecord[]> {
    const rows = await trx('recordings')
      .join('calls', 'calls.id', 'recordings.call_id')
      .where('calls.assignment_id', assignmentId)
      .orderBy('recordings.id', 'desc')
      .select<RecordingRow[]>('recordings.*');
    return rows.map(toRecording);
  }

  /**
   * Recordings that can be played now (a file, not deleted), newest first; with `unitPath`, only those of
   * calls to units under it (filtered in SQL, before the limit).
   */
  async playable(limit = 200, unitPath: string | null = null, trx: Db = this.db): Promise<PlayableInUnit[]> {
    const q = withUnit(trx('recordings').join('calls', 'calls.id', 'recordings.call_id'))
      .where('recordings.status', 'completed')
      .whereNull('recordings.deleted_at')
      .orderBy('recordings.id', 'desc')
      .limit(limit)
      .select<PlayableRow[]>(...PLAYABLE_COLUMNS);
    if (unitPath !== null) q.where('units.path', 'like', `${unitPath}%`);
    return (await q).map(toPlayable);
  }

  /** For each of the assignments that has one, the id of its newest playable recording (one query). */
  async playableByAssignment(assignmentIds: readonly number[], trx: Db = this.db): Promise<Map<number, number>> {
    const out = new Map<number, number>();
    const ids = [...new Set(assignmentIds)];
    for (let i = 0; i < ids.length; i += 500) {
      const rows = await playableByAssignmentQuery(trx).whereIn('calls.assignment_id', ids.slice(i, i + 500));
      for (const r of rows as { assignment_id: number; recording_id: number | string }[]) out.set(Number(r.assignment_id), Number(r.recording_id));
    }
    return out;
  }

  /**
   * Files whose retention has passed (available before `availableBefore`) and
   * that are not deleted yet, skipping those whose next try is still ahead.
   */
  async dueForDeletion(availableBefore: string, now: string, limit = 500, trx: Db = this.db): Promise<RecordingRecord[]> {
    const rows = await trx<RecordingRow>('recordings')
      .where('status', 'completed')
      .whereNull('deleted_at')
      .where('available_at', '<', availableBefore)
      .where((q) => q.whereNull('delete_next_at').orWhere('delete_next_at', '<=', now))
      .orderBy('id')
      .limit(limit);
    return rows.map(toRecording);
  }

  async markDeleted(id: number, now: string, trx: Db = this.db): Promise<void> {
    await trx('recordings').where({ id }).whereNull('deleted_at').update({ deleted_at: now, delete_next_at: null, updated_at: now });
  }

  /** A failed delete: counted, its error kept, the next try not before nextAt. */
  async markDeleteFailed(id: number, error: string, nextAt: string, now: string, trx: Db = this.db): Promise<void> {
    await trx('recordings')
      .where({ id })
      .whereNull('deleted_at')
      .update({ delete_attempts: trx.raw('delete_attempts + 1'), delete_last_error: error.slice(0, 500), delete_next_at: nextAt, updated_at: now });
  }

  /** Recordings the retention job failed to delete and that are still not deleted, most tries first. */
  async deleteFailures(unitPath: string | null = null, trx: Db = this.db): Promise<PlayableInUnit[]> {
    const q = withUnit(trx('recordings').join('calls', 'calls.id', 'recordings.call_id'))
      .whereNull('recordings.deleted_at')
      .where('recordings.delete_attempts', '>', 0)
      .orderBy([{ column: 'recordings.delete_attempts', order: 'desc' }, { column: 'recordings.id' }])
      .select<PlayableRow[]>(...PLAYABLE_COLUMNS);
    if (unitPath !== null) q.where('units.path', 'like', `${unitPath}%`);
    return (await q).map(toPlayable);
  }

  /** The tester's consent to record a call (who ticked it, when). */
  async setConsent(callId: number, consent: RecordingConsent, trx: Db = this.db): Promise<void> {
    await trx('calls').where({ id: callId }).update({ recording_consent_by: consent.by, recording_consent_at: consent.at });
  }

  async consentOf(callId: number, trx: Db = this.db): Promise<RecordingConsent | null> {
    const row = await trx('calls')
      .where({ id: callId })
      .first<{ recording_consent_by: number | null; recording_consent_at: string | null } | undefined>('recording_consent_by', 'recording_consent_at');
    return row && row.recording_consent_by !== null && row.recording_consent_at !== null ? { by: row.recording_consent_by, at: row.recording_consent_at } : null;
  }
}
