import { audit } from '../platform/audit';
import type { Db } from '../platform/db';
import { fallbackMonth, officialMonth, type MonthCalendar } from './calendar';
import { parseDgpaCalendar, type CalendarIssue } from './dgpa';
import type { CalendarRepo, CalendarYear } from './repo';

export type ImportResult = { ok: true; year: number; workingDays: number; replaced: boolean } | { ok: false; issues: CalendarIssue[] };

export class CalendarService {
  constructor(
    private readonly db: Db,
    private readonly repo: CalendarRepo,
    private readonly clock: () => Date,
  ) {}

  years(): Promise<CalendarYear[]> {
    return this.repo.years();
  }

  /** Imports a DGPA file: all of it or nothing; a year imported before is replaced. */
  async importCsv(text: string, actorId: number | null): Promise<ImportResult> {
    const parsed = parseDgpaCalendar(text);
    if (!parsed.ok) return parsed;
    const now = this.clock().toISOString();
    const replaced = await this.repo.hasYear(parsed.year);
    await this.db.transaction(async (trx) => {
      await this.repo.replaceYear(parsed.year, parsed.days, actorId, now, trx);
      await audit(trx, { actorId, action: 'calendar.import', subject: `calendar:${parsed.year}`, detail: { replaced }, at: now });
    });
    return { ok: true, year: parsed.year, workingDays: parsed.days.filter((d) => !d.dayOff).length, replaced };
  }

  /** The working days of a month ("2026-03"): official where imported, otherwise the fallback (and it says so). */
  async month(month: string): Promise<MonthCalendar> {
    const year = Number(month.slice(0, 4));
    if (!(await this.repo.hasYear(year))) return fallbackMonth(month);
    return officialMonth(month, await this.repo.daysBetween(`${month}-01`, `${month}-31`));
  }
}
