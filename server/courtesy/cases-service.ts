import type { Logger } from 'pino';
import { reachPath, type CurrentUser } from '../auth/current-user';
import { addDays } from '../calendar/dates';
import type { AppSettingsRepo } from '../platform/app-settings';
import type { Db } from '../platform/db';
import { ConflictError, NotFoundError } from '../platform/errors';
import type { NotificationsRepo } from '../platform/notifications';
import { taiwanDateTime } from '../platform/roc-date';
import type { CaseEvent, CaseRecord, CasesRepo } from './cases-repo';
import type { Retest } from './planner';
import type { CaseDueSms } from '../telephony/sms-reminders';
import { maskDigitRuns } from '../telephony/sms-status';

/**
 * The improvement loop: a case is opened by a result, the unit head files the
 * cause and the corrective actions, the manager accepts or returns it, an
 * accepted case is re-tested in the next plan, and the re-test closes it.
 */
export class CasesService {
  constructor(
    private readonly db: Db,
    private readonly cases: CasesRepo,
    private readonly settings: AppSettingsRepo,
    private readonly notifications: NotificationsRepo,
    private readonly clock: () => Date,
    /** The SMS beside the in-app due reminder (telephony/sms-reminders.ts); none in tests that need none. */
    private readonly caseSms: CaseDueSms | null = null,
    /** Where a failed due-reminder SMS is reported (the in-app reminder goes through regardless). */
    private readonly logger: Logger | null = null,
  ) {}

  private reach(user: CurrentUser): string {
    const reach = reachPath(user);
    if (reach === null) throw new NotFoundError();
    return reach;
  }

  /** Opens a case for a result (inside the caller's transaction) and tells the unit's heads. */
  async openFor(result: { id: number; unitId: number; unitPath: string }, now: Date, trx: Db): Promise<number> {
    const settings = await this.settings.get(trx);
    const today = taiwanDateTime(now).date;
    const id = await this.cases.open({ unitId: result.unitId, resultId: result.id, dueDate: addDays(today, settings.caseDueDays) }, now.toISOString(), trx);
    await this.cases.addEvent(id, null, 'opened', null, now.toISOString(), trx);
    const heads = await this.headsOf(result.unitPath, trx);
    await this.notifications.add(heads, 'notify.caseOpened', { caseId: id }, `/cases/${id}`, now.toISOString(), trx);
    return id;
  }

  /** Unit heads responsible for a unit: those of the unit itself and of the units above it. */
  private async headsOf(unitPath: string, trx: Db): Promise<number[]> {
    const ids = unitPath.split('/').filter(Boolean).map(Number);
    const rows = await trx('users').where({ role: 'unit_head', active: true }).whereIn('unit_id', ids).select('id');
    return rows.map((r: { id: number }) => r.id);
  }

  async list(user: CurrentUser): Promise<CaseRecord[]> {
    return this.cases.listInReach(this.reach(user));
  }

  async get(user: CurrentUser, id: number): Promise<{ record: CaseRecord; events: CaseEvent[] }> {
    const record = await this.cases.find(id);
    if (!record || !record.unitPath.startsWith(this.reach(user))) throw new NotFoundError();
    return { record, events: await this.cases.events(id) };
  }

  /** The unit head files the report; allowed while the case is open or was returned. */
  async fileReport(user: CurrentUser, id: number, cause: string, actions: string): Promise<void> {
    const { record } = await this.get(user, id);
    if (record.status !== 'open' && record.status !== 'returned') throw new ConflictError('case.error.notOpen');
    const now = this.clock().toISOString();
    await this.db.transaction(async (trx) => {
      await this.cases.update(id, { status: 'submitted', cause, actions }, trx);
      await this.cases.addEvent(id, user.id, 'submitted', null, now, trx);
    });
  }

  /** The manager accepts the report (a re-test follows in the next plan) or returns it with a comment. */
  async decide(user: CurrentUser, id: number, decision: 'accept' | 'return', comment: string): Promise<void> {
    const { record } = await this.get(user, id);
    if (record.status !== 'submitted') throw new ConflictError('case.error.notSubmitted');
    const now = this.clock().toISOString();
    await this.db.transaction(async (trx) => {
      if (decision === 'accept') await this.cases.update(id, { status: 'accepted', acceptedAt: now }, trx);
      else await this.cases.update(id, { status: 'returned' }, trx);
      await this.cases.addEvent(id, user.id, decision === 'accept' ? 'accepted' : 'returned', comment || null, now, trx);
      const heads = await this.headsOf(record.unitPath, trx);
      await this.notifications.add(heads, decision === 'accept' ? 'notify.caseAccepted' : 'notify.caseReturned', { caseId: id }, `/cases/${id}`, now, trx);
    });
  }

  /** What the planner needs to re-test accepted cases: within the set number of days, by another tester, in the other half-day. */
  async retestsFor(unitIds: number[]): Promise<Map<number, Retest>> {
    const settings = await this.settings.get();
    const due = await this.cases.retestsDue(unitIds);
    const out = new Map<number, Retest>();
    for (const d of due) {
      const accepted = taiwanDateTime(d.acceptedAt).date;
      const previousHalf = d.windowStart === null ? null : d.windowStart < settings.lunchStart ? 'am' : 'pm';
      out.set(d.unitId, { caseId: d.caseId, dueBy: addDays(accepted, settings.retestWithinDays), previousTesterId: d.testerId, previousHalf });
    }
    return out;
  }

  /** A re-test's result closes its case (inside the caller's transaction). */
  async closeWithRetest(caseId: number, resultId: number, now: Date, trx: Db): Promise<void> {
    await this.cases.update(caseId, { status: 'closed', retestResultId: resultId, closedAt: now.toISOString() }, trx);
    await this.cases.addEvent(caseId, null, 'retested', String(resultId), now.toISOString(), trx);
  }

  /** Reminds unit heads of cases due within three days (once per case), in the app and by SMS where Twilio is configured. */
  async remindDue(now: Date): Promise<number> {
    const soon = addDays(taiwanDateTime(now).date, 3);
    const due = await this.cases.dueForReminder(soon);
    for (const c of due) {
      await this.db.transaction(async (trx) => {
        const heads = await this.headsOf(c.unitPath, trx);
        await this.notifications.add(heads, 'notify.caseDue', { caseId: c.id, date: c.dueDate }, `/cases/${c.id}`, now.toISOString(), trx);
        await this.dueSms({ id: c.id, dueDate: c.dueDate, unitId: c.unitId }, heads, trx);
        await this.cases.markReminded(c.id, now.toISOString(), trx);
      });
    }
    return due.length;
  }

  /**
   * The SMS beside a due reminder, in a savepoint of the reminder's transaction: if it
   * fails, whatever it wrote is undone and logged, and the in-app reminder still goes through.
   */
  private async dueSms(c: { id: number; dueDate: string; unitId: number }, heads: readonly number[], trx: Db): Promise<void> {
    const sms = this.caseSms;
    if (!sms) return;
    try {
      await trx.transaction((savepoint) => sms.caseDue(c, heads, savepoint));
    } catch (err) {
      // The error's text masked: a database error may quote a head's phone number.
      const error = err instanceof Error ? `${err.name}: ${maskDigitRuns(err.message)}` : 'unknown';
      this.logger?.error({ caseId: c.id, error }, 'the SMS of a case\'s due reminder could not be queued');
    }
  }
}
