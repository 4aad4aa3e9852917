import type { Db } from '../platform/db';
import type { CalendarDay } from './dgpa';

export interface CalendarYear {
  year: number;
  workingDays: number;
  importedAt: string;
  importedBy: number | null;
}

/** The only code that reads or writes calendar_days and calendar_years. */
export class CalendarRepo {
  constructor(private readonly db: Db) {}

  async years(): Promise<CalendarYear[]> {
    const rows = await this.db('calendar_years').orderBy('year', 'desc');
    return rows.map((r: { year: number; working_days: number; imported_at: string; imported_by: number | null }) => ({
      year: r.year,
      workingDays: r.working_days,
      importedAt: r.imported_at,
      importedBy: r.imported_by,
    }));
  }

  async hasYear(year: number): Promise<boolean> {
    return (await this.db('calendar_years').where({ year }).first()) !== undefined;
  }

  async daysBetween(from: string, to: string): Promise<CalendarDay[]> {
    const rows = await this.db('calendar_days').whereBetween('date', [from, to]).orderBy('date');
    return rows.map((r: { date: string; day_off: boolean | number; note: string }) => ({ date: r.date, dayOff: Boolean(r.day_off), note: r.note }));
  }

  /** Replaces a year's days in one transaction (a corrected file for the same year replaces it). */
  async replaceYear(year: number, days: CalendarDay[], actorId: number | null, now: string, trx: Db): Promise<void> {
    await trx('calendar_days').where({ year }).delete();
    const rows = days.map((d) => ({ date: d.date, year, day_off: d.dayOff, note: d.note }));
    await trx.batchInsert('calendar_days', rows, 100);
    await trx('calendar_years')
      .insert({ year, working_days: days.filter((d) => !d.dayOff).length, imported_by: actorId, imported_at: now })
      .onConflict('year')
      .merge();
  }
}
