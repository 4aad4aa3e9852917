import type { Db } from '../platform/db';
import type { PhoneKind } from './case-import';

export type InvitationStatus = 'pending' | 'answered' | 'expired';

export interface Invitation {
  id: number;
  caseId: number;
  caseNumber: string;
  unitId: number;
  unitPath: string;
  unitNameZh: string;
  unitNameEn: string;
  closedOn: string;
  surveyKey: string;
  channelId: number;
  token: string | null;
  pin: string | null;
  pinHash: string;
  phoneE164: string | null;
  phoneKind: PhoneKind;
  status: InvitationStatus;
  month: string;
  expiresAt: string;
  answeredMonth: string | null;
  pinFailures: number;
  smsId: number | null;
  reminderSmsId: number | null;
  remindedAt: string | null;
  callStatus: string | null;
  callAnswered: boolean;
  erasedAt: string | null;
  createdAt: string;
}

interface Row {
  id: number;
  case_id: number;
  case_number: string;
  unit_id: number;
  unit_path: string;
  unit_name_zh: string;
  unit_name_en: string;
  closed_on: string;
  survey_key: string;
  channel_id: number;
  token: string | null;
  pin: string | null;
  pin_hash: string;
  phone_e164: string | null;
  phone_kind: PhoneKind;
  status: InvitationStatus;
  month: string;
  expires_at: string;
  answered_month: string | null;
  pin_failures: number;
  sms_id: number | null;
  reminder_sms_id: number | null;
  reminded_at: string | null;
  call_status: string | null;
  call_answered: boolean | number;
  erased_at: string | null;
  created_at: string;
}

const toInvitation = (r: Row): Invitation => ({
  id: r.id,
  caseId: r.case_id,
  caseNumber: r.case_number,
  unitId: r.unit_id,
  unitPath: r.unit_path,
  unitNameZh: r.unit_name_zh,
  unitNameEn: r.unit_name_en,
  closedOn: r.closed_on,
  surveyKey: r.survey_key,
  channelId: r.channel_id,
  token: r.token,
  pin: r.pin,
  pinHash: r.pin_hash,
  phoneE164: r.phone_e164,
  phoneKind: r.phone_kind,
  status: r.status,
  month: r.month,
  expiresAt: r.expires_at,
  answeredMonth: r.answered_month,
  pinFailures: Number(r.pin_failures),
  smsId: r.sms_id,
  reminderSmsId: r.reminder_sms_id,
  remindedAt: r.reminded_at,
  callStatus: r.call_status,
  callAnswered: Boolean(r.call_answered),
  erasedAt: r.erased_at,
  createdAt: r.created_at,
});

export interface NewCase {
  caseNumber: string;
  unitId: number;
  closedOn: string;
  surveyKey: string;
  createdBy: number;
}

export interface NewInvitation {
  channelId: number;
  tokenHash: string;
  pinHash: string;
  token: string;
  pin: string;
  phoneE164: string | null;
  phoneKind: PhoneKind;
  month: string;
  expiresAt: string;
}

export interface RateInput {
  surveyKey: string;
  unitId: number;
  month: string;
  answered: boolean;
  smsIds: number[];
  callAnswered: boolean;
}

/** A keypad call in progress. */
export interface KeypadSession {
  id: number;
  callSid: string;
  channelId: number;
  invitationId: number | null;
  lang: 'zh-TW' | 'en' | null;
  position: number;
  retried: boolean;
  answers: Record<string, string>;
  // A row exists only while the call is under way: it is deleted when the call ends.
  status: 'active';
}

/** The only code that reads or writes petition_cases, invitations and keypad_sessions. */
export class PetitionsRepo {
  constructor(private readonly db: Db) {}

  private invitations(trx: Db) {
    return trx('invitations')
      .join('petition_cases', 'petition_cases.id', 'invitations.case_id')
      .join('units', 'units.id', 'petition_cases.unit_id')
      .select(
        'invitations.*',
        'petition_cases.case_number',
        'petition_cases.unit_id',
        'petition_cases.closed_on',
        'petition_cases.survey_key',
        'units.path as unit_path',
        'units.name_zh as unit_name_zh',
        'units.name_en as unit_name_en',
      );
  }

  async storedCaseNumbers(numbers: string[], trx: Db = this.db): Promise<Set<string>> {
    const upper = [...new Set(numbers.map((n) => n.toUpperCase()))];
    const found = new Set<string>();
    for (let i = 0; i < upper.length; i += 500) {
      const rows = (await trx('petition_cases').whereIn('case_number', upper.slice(i, i + 500)).select('case_number')) as { case_number: string }[];
      for (const r of rows) found.add(r.case_number.toUpperCase());
    }
    return found;
  }

  async insertCase(c: NewCase, now: string, trx: Db): Promise<number> {
    const [row] = await trx('petition_cases')
      .insert({ case_number: c.caseNumber, unit_id: c.unitId, closed_on: c.closedOn, survey_key: c.surveyKey, created_by: c.createdBy, created_at: now })
      .returning<{ id: number }[]>('id');
    if (!row) throw new Error('insert returned no id');
    return row.id;
  }

  async insertInvitation(caseId: number, i: NewInvitation, now: string, trx: Db): Promise<number> {
    const [row] = await trx('invitations')
      .insert({
        case_id: caseId,
        channel_id: i.channelId,
        token_hash: i.tokenHash,
        pin_hash: i.pinHash,
        token: i.token,
        pin: i.pin,
        phone_e164: i.phoneE164,
        phone_kind: i.phoneKind,
        status: 'pending',
        month: i.month,
        expires_at: i.expiresAt,
        created_at: now,
      })
      .returning<{ id: number }[]>('id');
    if (!row) throw new Error('insert returned no id');
    return row.id;
  }

  async byId(id: number, trx: Db = this.db): Promise<Invitation | undefined> {
    const row = await this.invitations(trx).where('invitations.id', id).first<Row | undefined>();
    return row ? toInvitation(row) : undefined;
  }

  async byTokenHash(hash: string, trx: Db = this.db): Promise<Invitation | undefined> {
    const row = await this.invitations(trx).where('invitations.token_hash', hash).first<Row | undefined>();
    return row ? toInvitation(row) : undefined;
  }

  async byCaseNumber(caseNumber: string, trx: Db = this.db): Promise<Invitation | undefined> {
    const row = await this.invitations(trx).where('petition_cases.case_number', caseNumber.trim().toUpperCase()).first<Row | undefined>();
    return row ? toInvitation(row) : undefined;
  }

  async inReach(path: string, limit = 500): Promise<Invitation[]> {
    const rows = (await this.invitations(this.db).where('units.path', 'like', `${path}%`).orderBy('invitations.id', 'desc').limit(limit)) as Row[];
    return rows.map(toInvitation);
  }

  /**
   * Claims one PIN try for the case, counted in the database so that every
   * instance sees it: true only if the case had fewer than `max` tries
   * counted, in one conditional update (parallel tries cannot all read 0).
   */
  async claimPinTry(id: number, max: number): Promise<boolean> {
    const changed = await this.db('invitations').where({ id }).andWhere('pin_failures', '<', max).increment('pin_failures', 1);
    return Number(changed) === 1;
  }

  /** A try that turned out right is not a failure: given back. */
  async returnPinTry(id: number): Promise<void> {
    await this.db('invitations').where({ id }).andWhere('pin_failures', '>', 0).decrement('pin_failures', 1);
  }

  /**
   * Marks the invitation answered if it still may be (pending, not expired),
   * and erases the phone number and the plain token and PIN with it. In the
   * answer's transaction: of two answers at once, exactly one gets true.
   */
  async spend(id: number, now: Date, month: string, trx: Db): Promise<boolean> {
    const changed = await trx('invitations')
      .where({ id, status: 'pending' })
      .andWhere('expires_at', '>', now.toISOString())
      // No time is kept (not even erased_at): the month is all that may tie an invitation to an answer.
      .update({ status: 'answered', answered_month: month, phone_e164: null, token: null, pin: null });
    return changed === 1;
  }

  /** Pending invitations past their expiry become expired, their phone numbers and plain secrets erased. */
  async expire(now: string): Promise<number> {
    return this.db('invitations')
      .where({ status: 'pending' })
      .andWhere('expires_at', '<=', now)
      .update({ status: 'expired', phone_e164: null, token: null, pin: null, erased_at: now });
  }

  /**
   * Takes the right to send the reminder: only while the invitation is still
   * pending, unexpired and unreminded. A conditional update, so that on
   * PostgreSQL an answer at the same moment waits for the reminder's
   * transaction (and then erases its copy too), or the reminder is skipped.
   */
  async claimReminder(id: number, now: string, trx: Db): Promise<boolean> {
    const changed = await trx('invitations').where({ id, status: 'pending', reminder_sms_id: null }).andWhere('expires_at', '>', now).update({ reminded_at: now });
    return changed === 1;
  }

  async setSms(id: number, which: 'first' | 'reminder', smsId: number, now: string, trx: Db): Promise<void> {
    await trx('invitations').where({ id }).update(which === 'first' ? { sms_id: smsId } : { reminder_sms_id: smsId, reminded_at: now });
  }

  async setCallStatus(id: number, status: string, answered: boolean, trx: Db = this.db): Promise<void> {
    const fields: Record<string, unknown> = { call_status: status };
    if (answered) fields.call_answered = true;
    await trx('invitations').where({ id }).update(fields);
  }

  /** Answered or expired invitations whose messages in the outbox still hold the number and text. */
  async smsToErase(limit = 500): Promise<{ id: number; smsIds: number[] }[]> {
    const rows = (await this.db('invitations')
      .whereIn('status', ['answered', 'expired'])
      .andWhere({ sms_erased: false })
      .orderBy('id')
      .limit(limit)
      .select('id', 'sms_id', 'reminder_sms_id')) as { id: number; sms_id: number | null; reminder_sms_id: number | null }[];
    return rows.map((r) => ({ id: r.id, smsIds: [r.sms_id, r.reminder_sms_id].filter((x): x is number => x !== null) }));
  }

  async markSmsErased(ids: number[]): Promise<void> {
    if (ids.length > 0) await this.db('invitations').whereIn('id', ids).update({ sms_erased: true });
  }

  /** Pending invitations whose first SMS went out before `before` and that have had no reminder. */
  async dueForReminder(before: string, now: string): Promise<Invitation[]> {
    const rows = (await this.invitations(this.db)
      .where('invitations.status', 'pending')
      .andWhere('invitations.phone_kind', 'mobile')
      .whereNotNull('invitations.sms_id')
      .whereNull('invitations.reminder_sms_id')
      .whereNull('invitations.reminded_at')
      .andWhere('invitations.created_at', '<', before)
      .andWhere('invitations.expires_at', '>', now)) as Row[];
    return rows.map(toInvitation);
  }

  /** What the response rate is computed from: every invitation made in the months, with its messages and call. */
  async rateInputs(unitIds: number[] | null, months: string[], surveyKey?: string): Promise<RateInput[]> {
    const q = this.db('invitations')
      .join('petition_cases', 'petition_cases.id', 'invitations.case_id')
      .whereIn('invitations.month', months)
      .select('petition_cases.survey_key', 'petition_cases.unit_id', 'invitations.month', 'invitations.status', 'invitations.sms_id', 'invitations.reminder_sms_id', 'invitations.call_answered');
    if (unitIds) q.whereIn('petition_cases.unit_id', unitIds);
    if (surveyKey) q.where('petition_cases.survey_key', surveyKey);
    const rows = (await q) as { survey_key: string; unit_id: number; month: string; status: InvitationStatus; sms_id: number | null; reminder_sms_id: number | null; call_answered: boolean | number }[];
    return rows.map((r) => ({
      surveyKey: r.survey_key,
      unitId: Number(r.unit_id),
      month: r.month,
      answered: r.status === 'answered',
      smsIds: [r.sms_id, r.reminder_sms_id].filter((x): x is number => x !== null),
      callAnswered: Boolean(r.call_answered),
    }));
  }

  // Keypad sessions

  async insertSession(s: { callSid: string; channelId: number; invitationId: number | null }, now: string): Promise<KeypadSession> {
    await this.db('keypad_sessions')
      .insert({ call_sid: s.callSid, channel_id: s.channelId, invitation_id: s.invitationId, status: 'active', answers: '{}', created_at: now, updated_at: now })
      .onConflict('call_sid')
      .ignore();
    const found = await this.sessionBySid(s.callSid);
    if (!found) throw new Error('keypad session not stored');
    return found;
  }

  private toSession(r: { id: number; call_sid: string; channel_id: number; invitation_id: number | null; lang: string | null; position: number; retried: boolean | number; answers: string | null; status: KeypadSession['status'] }): KeypadSession {
    return {
      id: r.id,
      callSid: r.call_sid,
      channelId: r.channel_id,
      invitationId: r.invitation_id,
      lang: r.lang === 'en' ? 'en' : r.lang === 'zh-TW' ? 'zh-TW' : null,
      position: Number(r.position),
      retried: Boolean(r.retried),
      answers: r.answers ? (JSON.parse(r.answers) as Record<string, string>) : {},
      status: r.status,
    };
  }

  async session(id: number, trx: Db = this.db): Promise<KeypadSession | undefined> {
    const row = await trx('keypad_sessions').where({ id }).first();
    return row ? this.toSession(row) : undefined;
  }

  async sessionBySid(callSid: string, trx: Db = this.db): Promise<KeypadSession | undefined> {
    const row = await trx('keypad_sessions').where({ call_sid: callSid }).first();
    return row ? this.toSession(row) : undefined;
  }

  /** Saves a step of an active session; false when the call has already ended. */
  async saveStep(id: number, s: { lang: string | null; position: number; retried: boolean; answers: Record<string, string> }, now: string): Promise<boolean> {
    const changed = await this.db('keypad_sessions')
      .where({ id, status: 'active' })
      .update({ lang: s.lang, position: s.position, retried: s.retried, answers: JSON.stringify(s.answers), updated_at: now });
    return changed === 1;
  }

  /** Active sessions with no step since `before` (their call's status callback was lost), oldest first. */
  async idleSessions(before: string, limit = 500): Promise<KeypadSession[]> {
    const rows = (await this.db('keypad_sessions').where({ status: 'active' }).andWhere('updated_at', '<', before).orderBy('id').limit(limit)) as Parameters<PetitionsRepo['toSession']>[0][];
    return rows.map((r) => this.toSession(r));
  }

  /**
   * Ends an active session by deleting it (its answers, its call SID, its
   * invitation and the time it ended would tie a response to a caller); false
   * when another request ended it first.
   */
  async closeSession(id: number, trx: Db = this.db): Promise<boolean> {
    const deleted = await trx('keypad_sessions').where({ id, status: 'active' }).delete();
    return deleted === 1;
  }
}
