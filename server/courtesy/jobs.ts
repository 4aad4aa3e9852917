import type { Db } from '../platform/db';
import { runOnce } from '../platform/jobs';
import { taiwanDateTime } from '../platform/roc-date';
import type { CasesService } from './cases-service';
import type { PlansService } from './plans-service';

/**
 * The drafting job: once the draft day has come, next month's plans for every
 * agency, run by exactly one server instance (runOnce), each plan unique per
 * agency and month in the database as well.
 */
export async function draftPlansJob(db: Db, plans: PlansService, now: Date): Promise<{ ran: boolean; month: string | null }> {
  const month = await plans.monthDue(now);
  if (!month) return { ran: false, month: null };
  const ran = await runOnce(db, 'draft-plans', month, now, async () => {
    await plans.draftAll(month);
  });
  return { ran, month };
}

/**
 * The due-case reminders: once per Taiwan calendar day, on one server instance
 * (runOnce), unit heads are reminded of cases due within three days.
 */
export async function caseRemindersJob(db: Db, cases: CasesService, now: Date): Promise<{ ran: boolean; date: string; reminded: number }> {
  const date = taiwanDateTime(now).date;
  let reminded = 0;
  const ran = await runOnce(db, 'case-reminders', date, now, async () => {
    reminded = await cases.remindDue(now);
  });
  return { ran, date, reminded };
}
