import Holidays from 'date-holidays';
import type { CalendarDay } from './dgpa';
import { datesOfMonth, weekdayOf } from './dates';

/**
 * The working days of a month, and where that knowledge came from: the
 * official DGPA calendar, or (for a year not imported yet) weekends plus
 * Taiwan's national holidays, which knows no make-up working Saturdays and no
 * bridge holidays.
 */
export interface MonthCalendar {
  month: string;
  source: 'official' | 'fallback';
  workingDays: string[];
}

export function officialMonth(month: string, days: CalendarDay[]): MonthCalendar {
  const prefix = `${month}-`;
  return {
    month,
    source: 'official',
    workingDays: days.filter((d) => d.date.startsWith(prefix) && !d.dayOff).map((d) => d.date),
  };
}

const holidaysByYear = new Map<number, Set<string>>();

function nationalHolidays(year: number): Set<string> {
  let set = holidaysByYear.get(year);
  if (!set) {
    const hd = new Holidays('TW');
    set = new Set(
      hd
        .getHolidays(year)
        .filter((h) => h.type === 'public')
        .map((h) => h.date.slice(0, 10)),
    );
    holidaysByYear.set(year, set);
  }
  return set;
}

export function fallbackMonth(month: string): MonthCalendar {
  const holidays = nationalHolidays(Number(month.slice(0, 4)));
  return {
    month,
    source: 'fallback',
    workingDays: datesOfMonth(month).filter((d) => {
      const wd = weekdayOf(d);
      return wd !== 0 && wd !== 6 && !holidays.has(d);
    }),
  };
}
