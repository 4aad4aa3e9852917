/**
 * SMS reminders, queued in the outbox (sms-outbox.ts):
 * - to each tester on the morning of a day with calls: how many, from when,
 *   and a full link to the tester's day page (a daily job, once per day);
 * - to a unit's heads when an improvement case is due within three days,
 *   beside the in-app reminder (CasesService.remindDue, once per case).
 * The number is the user's phone (the one click-to-call rings, labelled
 * mobile on the user form): none, or a landline, is stored as skipped with
 * the reason. In manual mode (no Twilio) nothing is queued.
 */
import type { PlansRepo } from '../courtesy/plans-repo';
import type { ResultsRepo } from '../courtesy/results-repo';
import type { UsersRepo } from '../org/users-repo';
import type { Config } from '../platform/config';
import type { Db } from '../platform/db';
import { translator, type Lang } from '../platform/i18n';
import { runOnce } from '../platform/jobs';
import { formatRocDate, taiwanDateTime } from '../platform/roc-date';
import { publicUrl } from './client';
import type { SmsOutbox } from './sms-outbox';

/** Testers' reminders are prepared from 07:00 (sent from 09:00, the end of the quiet night) until 17:00 Taiwan time. */
export const TESTER_REMINDER_FROM = '07:00';
export const TESTER_REMINDER_UNTIL = '17:00';

/** The Taiwan date whose testers' reminders are due at `now`, or null outside the hours they are prepared in. */
export function testerReminderDate(now: Date): string | null {
  const { date, time } = taiwanDateTime(now);
  return time >= TESTER_REMINDER_FROM && time < TESTER_REMINDER_UNTIL ? date : null;
}

/** A date in an SMS: 民國115年12月7日, or the ISO date in English. */
export function smsDate(iso: string, lang: Lang): string {
  return lang === 'zh-TW' ? formatRocDate(iso, lang) : iso;
}

/** The tester's reminder text after the brand. */
export function testerReminderText(lang: Lang, o: { date: string; count: number; firstTime: string | null; url: string }): string {
  const t = translator(lang);
  const params = { date: smsDate(o.date, lang), count: o.count, url: o.url };
  return o.firstTime === null ? t('sms.reminder.testerAnyTime', params) : t('sms.reminder.tester', { ...params, time: o.firstTime });
}

export function caseDueText(lang: Lang, o: { caseId: number; dueDate: string; url: string }): string {
  return translator(lang)('sms.reminder.caseDue', { caseId: o.caseId, date: smsDate(o.dueDate, lang), url: o.url });
}

/** What CasesService needs to send its due reminders by SMS too. */
export interface CaseDueSms {
  caseDue(c: { id: number; dueDate: string; unitId: number }, headIds: readonly number[], trx: Db): Promise<void>;
}

export class SmsReminders implements CaseDueSms {
  constructor(
    private readonly db: Db,
    private readonly outbox: SmsOutbox,
    private readonly plans: PlansRepo,
    private readonly results: ResultsRepo,
    private readonly users: UsersRepo,
    private readonly config: Config,
  ) {}

  get enabled(): boolean {
    return this.outbox.enabled;
  }

  /**
   * One SMS per tester with open calls on `date` (published plans, no result
   * yet). Returns how many were stored (sent or skipped).
   */
  async remindTesters(date: string): Promise<number> {
    if (!this.enabled) return 0;
    const day = await this.plans.publishedOn(date);
    const done = await this.results.withResults(day.map((a) => a.id));
    const byTester = new Map<number, typeof day>();
    for (const a of day) if (a.testerId !== null && !done.has(a.id)) byTester.set(a.testerId, [...(byTester.get(a.testerId) ?? []), a]);
    let stored = 0;
    for (const [testerId, calls] of byTester) {
      await this.db.transaction(async (trx) => {
        const tester = await this.users.findById(testerId, trx);
        if (!tester?.active) return;
        const times = calls.map((c) => c.windowStart).filter((w): w is string => w !== null).sort();
        const url = publicUrl(this.config.publicBaseUrl, '/my/assignments');
        const text = testerReminderText(tester.locale, { date, count: calls.length, firstTime: times[0] ?? null, url });
        await this.outbox.enqueue(
          {
            to: tester.phoneE164,
            body: `${await this.outbox.brandFor(tester.unitId, trx)}${text}`,
            purpose: 'reminder.tester',
            reference: `tester:${tester.id}:${date}`,
            unitId: tester.unitId,
            dedupeKey: `reminder.tester:${tester.id}:${date}`,
          },
          trx,
        );
        stored += 1;
      });
    }
    return stored;
  }

  /** The unit heads' SMS for a case due soon, in the transaction that marks it reminded. */
  async caseDue(c: { id: number; dueDate: string; unitId: number }, headIds: readonly number[], trx: Db): Promise<void> {
    if (!this.enabled) return;
    const brand = await this.outbox.brandFor(c.unitId, trx);
    const url = publicUrl(this.config.publicBaseUrl, `/cases/${c.id}`);
    for (const headId of headIds) {
      const head = await this.users.findById(headId, trx);
      if (!head) continue;
      await this.outbox.enqueue(
        {
          to: head.phoneE164,
          body: `${brand}${caseDueText(head.locale, { caseId: c.id, dueDate: c.dueDate, url })}`,
          purpose: 'reminder.caseDue',
          reference: `case:${c.id}`,
          unitId: c.unitId,
          dedupeKey: `reminder.caseDue:${c.id}:${head.id}`,
        },
        trx,
      );
    }
  }
}

/**
 * The testers' morning job: once per Taiwan day, on one server instance
 * (runOnce), from 07:00. Not run at all in manual mode, so that Twilio
 * configured later that morning still reminds.
 */
export async function testerRemindersJob(db: Db, reminders: SmsReminders, now: Date): Promise<{ ran: boolean; date: string | null; stored: number }> {
  const date = testerReminderDate(now);
  if (!date || !reminders.enabled) return { ran: false, date, stored: 0 };
  let stored = 0;
  const ran = await runOnce(db, 'sms-tester-reminders', date, now, async () => {
    stored = await reminders.remindTesters(date);
  });
  return { ran, date, stored };
}
