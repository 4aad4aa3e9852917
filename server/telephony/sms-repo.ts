import type { Db } from '../platform/db';
import { isSmsReason, isSmsStatus, statusesBefore, type SmsPurpose, type SmsReason, type SmsStatus } from './sms-status';

export interface SmsRecord {
  id: number;
  /** An SmsPurpose when written by this version; kept as stored otherwise. */
  purpose: string;
  reference: string | null;
  dedupeKey: string | null;
  unitId: number | null;
  unitNameZh: string | null;
  unitNameEn: string | null;
  /** E.164 when the number could be read, else as given (null: the person has none). */
  toPhone: string | null;
  body: string;
  segments: number;
  status: SmsStatus;
  reason: SmsReason | null;
  errorCode: number | null;
  errorMessage: string | null;
  messageSid: string | null;
  attempts: number;
  sendAfter: string;
  sentAt: string | null;
  statusAt: string | null;
  createdAt: string;
  updatedAt: string;
}

interface SmsRow {
  id: number;
  purpose: string;
  reference: string | null;
  dedupe_key: string | null;
  unit_id: number | null;
  unit_name_zh: string | null;
  unit_name_en: string | null;
  to_phone: string | null;
  body: string;
  segments: number | string;
  status: string;
  reason: string | null;
  error_code: number | string | null;
  error_message: string | null;
  message_sid: string | null;
  attempts: number | string;
  send_after: string;
  sent_at: string | null;
  status_at: string | null;
  created_at: string;
  updated_at: string;
}

function toSms(r: SmsRow): SmsRecord {
  return {
    id: r.id,
    purpose: r.purpose,
    reference: r.reference,
    dedupeKey: r.dedupe_key,
    unitId: r.unit_id,
    unitNameZh: r.unit_name_zh,
    unitNameEn: r.unit_name_en,
    toPhone: r.to_phone,
    body: r.body,
    segments: Number(r.segments),
    status: isSmsStatus(r.status) ? r.status : 'failed',
    reason: isSmsReason(r.reason) ? r.reason : null,
    errorCode: r.error_code === null ? null : Number(r.error_code),
    errorMessage: r.error_message,
    messageSid: r.message_sid,
    attempts: Number(r.attempts),
    sendAfter: r.send_after,
    sentAt: r.sent_at,
    statusAt: r.status_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export interface NewSms {
  purpose: SmsPurpose;
  reference: string | null;
  dedupeKey: string | null;
  unitId: number | null;
  toPhone: string | null;
  body: string;
  segments: number;
  status: 'pending' | 'skipped';
  reason: SmsReason | null;
  sendAfter: string;
}

/** The only code that reads or writes sms_messages. */
export class SmsRepo {
  constructor(private readonly db: Db) {}

  private select(trx: Db) {
    return trx<SmsRow>('sms_messages')
      .leftJoin('units', 'units.id', 'sms_messages.unit_id')
      .select('sms_messages.*', 'units.name_zh as unit_name_zh', 'units.name_en as unit_name_en');
  }

  /** Inserts the message, or returns the id of the one with the same dedupe key (inserted: false). */
  async insert(m: NewSms, now: string, trx: Db = this.db): Promise<{ id: number; inserted: boolean }> {
    const row = {
      purpose: m.purpose,
      reference: m.reference,
      dedupe_key: m.dedupeKey,
      unit_id: m.unitId,
      to_phone: m.toPhone,
      body: m.body,
      segments: m.segments,
      status: m.status,
      reason: m.reason,
      attempts: 0,
      send_after: m.sendAfter,
      created_at: now,
      updated_at: now,
    };
    const query = trx('sms_messages').insert(row);
    const inserted = await (m.dedupeKey === null ? query : query.onConflict('dedupe_key').ignore()).returning<{ id: number }[]>('id');
    if (inserted[0]) return { id: inserted[0].id, inserted: true };
    const existing = await trx('sms_messages').where({ dedupe_key: m.dedupeKey }).first<{ id: number } | undefined>('id');
    if (!existing) throw new Error('insert returned no id');
    return { id: existing.id, inserted: false };
  }

  async find(id: number, trx: Db = this.db): Promise<SmsRecord | undefined> {
    const row = await this.select(trx).where('sms_messages.id', id).first<SmsRow | undefined>();
    return row ? toSms(row) : undefined;
  }

  /** Ids of pending messages whose moment has come, oldest first. */
  async dueIds(now: string, limit: number): Promise<number[]> {
    const rows = await this.db('sms_messages').where({ status: 'pending' }).andWhere('send_after', '<=', now).orderBy('id').limit(limit).select<{ id: number }[]>('id');
    return rows.map((r) => r.id);
  }

  /**
   * Takes a due message for one dispatcher: a single conditional UPDATE, so
   * whichever instance changes the row owns it and every other sees 0 rows.
   */
  async claim(id: number, token: string, now: string): Promise<boolean> {
    const changed = await this.db('sms_messages')
      .where({ id, status: 'pending' })
      .andWhere('send_after', '<=', now)
      .update({ status: 'sending', claim_token: token, claimed_at: now, attempts: this.db.raw('attempts + 1'), updated_at: now });
    return Number(changed) === 1;
  }

  /**
   * Twilio accepted the message. A status callback may have come first (it
   * names the SID too): the status then stays where the callback put it.
   */
  async markAccepted(id: number, token: string, sent: { messageSid: string; status: SmsStatus; segments: number | null }, now: string): Promise<void> {
    const owned = { id, claim_token: token };
    const segments = sent.segments === null ? {} : { segments: sent.segments };
    await this.db('sms_messages').where(owned).update({ message_sid: sent.messageSid, sent_at: now, updated_at: now, ...segments });
    await this.db('sms_messages').where({ ...owned, status: 'sending' }).update({ status: sent.status, status_at: now });
  }

  /** A passing failure: back to pending until `sendAfter`. */
  async markRetry(id: number, token: string, error: { code: number | null; message: string }, sendAfter: string, now: string): Promise<void> {
    await this.db('sms_messages')
      .where({ id, claim_token: token, status: 'sending' })
      .update({ status: 'pending', send_after: sendAfter, error_code: error.code, error_message: error.message.slice(0, 500), claim_token: null, updated_at: now });
  }

  /** Given up on our side (reason says why). */
  async markFailed(id: number, token: string, reason: SmsReason, error: { code: number | null; message: string }, now: string): Promise<void> {
    await this.db('sms_messages')
      .where({ id, claim_token: token, status: 'sending' })
      .update({ status: 'failed', reason, error_code: error.code, error_message: error.message.slice(0, 500), status_at: now, updated_at: now });
  }

  /**
   * Messages a dispatcher claimed and never finished (its server stopped mid-send): Twilio may have
   * them, so they are not tried again but marked failed for a person to check. Returns how many.
   */
  async failStale(claimedBefore: string, now: string): Promise<number> {
    const changed = await this.db('sms_messages')
      .where({ status: 'sending' })
      .andWhere('claimed_at', '<', claimedBefore)
      .update({ status: 'failed', reason: 'unknownOutcome', status_at: now, updated_at: now });
    return Number(changed);
  }

  /**
   * A status callback: moves the message forward only (a repeat or a late
   * earlier status changes nothing). The SID must be the message's, or the
   * message must be mid-send with none stored yet (the callback outran the
   * REST answer) or cut off mid-send (so Twilio did get it). 'changed', 'unchanged' (known message, nothing newer), or
   * 'unknown' (no such message with that SID).
   */
  async applyStatus(id: number, messageSid: string, status: SmsStatus, errorCode: number | null, now: string): Promise<'changed' | 'unchanged' | 'unknown'> {
    const changed = await this.db('sms_messages')
      .where({ id })
      .andWhere((q) =>
        q
          .where((forward) =>
            forward
              .whereIn('status', statusesBefore(status))
              .andWhere((w) => w.where({ message_sid: messageSid }).orWhere((mid) => mid.whereNull('message_sid').andWhere({ status: 'sending' }))),
          )
          // Cut off mid-request (failStale, or a timeout): Twilio did have it after all, and says how it went.
          .orWhere((cutOff) => cutOff.whereNull('message_sid').andWhere({ status: 'failed', reason: 'unknownOutcome' })),
      )
      .update({ status, reason: null, message_sid: messageSid, error_code: errorCode, status_at: now, updated_at: now });
    if (Number(changed) === 1) return 'changed';
    const row = await this.db('sms_messages').where({ id, message_sid: messageSid }).first<{ id: number } | undefined>('id');
    return row ? 'unchanged' : 'unknown';
  }

  /** Newest first, in a reach (unit path prefix; '/' also shows messages about no unit), optionally of some statuses. */
  async list(f: { reach: string; statuses: readonly SmsStatus[]; limit: number }, trx: Db = this.db): Promise<SmsRecord[]> {
    let q = this.select(trx);
    if (f.reach !== '/') q = q.where('units.path', 'like', `${f.reach}%`);
    if (f.statuses.length > 0) q = q.whereIn('sms_messages.status', f.statuses);
    const rows = await q.orderBy('sms_messages.id', 'desc').limit(f.limit);
    return (rows as SmsRow[]).map(toSms);
  }

  /** The newest message of a purpose about a reference ('test', 'user:3'), if any. */
  async latest(purpose: SmsPurpose, reference: string, trx: Db = this.db): Promise<SmsRecord | undefined> {
    const row = await this.select(trx).where({ 'sms_messages.purpose': purpose, 'sms_messages.reference': reference }).orderBy('sms_messages.id', 'desc').first<SmsRow | undefined>();
    return row ? toSms(row) : undefined;
  }

  /** How many messages of each status in a reach. */
  async countByStatus(reach: string, trx: Db = this.db): Promise<Map<SmsStatus, number>> {
    let q = trx('sms_messages').leftJoin('units', 'units.id', 'sms_messages.unit_id');
    if (reach !== '/') q = q.where('units.path', 'like', `${reach}%`);
    const rows = await q.groupBy('sms_messages.status').select<{ status: string; n: number | string }[]>('sms_messages.status as status', trx.raw('count(*) as n'));
    const out = new Map<SmsStatus, number>();
    for (const r of rows) if (isSmsStatus(r.status)) out.set(r.status, Number(r.n));
    return out;
  }

  /** The status of each of several messages (the domains that queued them show it: a delivery status per invitation). */
  async statuses(ids: readonly number[], trx: Db = this.db): Promise<Map<number, SmsStatus>> {
    const out = new Map<number, SmsStatus>();
    for (let i = 0; i < ids.length; i += 500) {
      const rows = (await trx('sms_messages').whereIn('id', ids.slice(i, i + 500)).select('id', 'status')) as { id: number; status: string }[];
      for (const r of rows) if (isSmsStatus(r.status)) out.set(r.id, r.status);
    }
    return out;
  }

  /**
   * Erases the number and the text of messages that are done with (anything
   * but pending or being sent), once what they were for no longer needs them.
   * Returns the ids still waiting to be sent, to be erased on a later run.
   */
  async erase(ids: readonly number[], _now: string, trx: Db = this.db): Promise<number[]> {
    if (ids.length === 0) return [];
    // updated_at is left alone and the reference and dedupe key (invitation:<id>…) go: an erasure, minutes
    // after an answer, must not tell when a given invitation was answered.
    await trx('sms_messages').whereIn('id', ids).whereNotIn('status', ['pending', 'sending']).update({ to_phone: null, body: '', reference: null, dedupe_key: null });
    const waiting = (await trx('sms_messages').whereIn('id', ids).whereIn('status', ['pending', 'sending']).select('id')) as { id: number }[];
    return waiting.map((r) => r.id);
  }
}
