import { readCsv, type CsvColumn } from '../platform/csv';
import type { MessageKey, Params } from '../platform/i18n';
import { isoDate, weekdayOf } from './dates';

/**
 * The DGPA's 中華民國政府行政機關辦公日曆表 as published yearly in CSV:
 * 西元日期 (YYYYMMDD), 星期 (日一二三四五六), 是否放假 (2 day off, 0 working day), 備註.
 */
export interface CalendarDay {
  date: string;
  dayOff: boolean;
  note: string;
}

export interface CalendarIssue {
  line: number;
  key: MessageKey;
  params?: Params;
}

export type DgpaResult = { ok: true; year: number; days: CalendarDay[] } | { ok: false; issues: CalendarIssue[] };

const COLUMNS: readonly CsvColumn[] = [
  { name: 'date', aliases: ['西元日期'], required: true },
  { name: 'weekday', aliases: ['星期'], required: true },
  { name: 'off', aliases: ['是否放假'], required: true },
  { name: 'note', aliases: ['備註'], required: false },
];

const WEEKDAYS = ['日', '一', '二', '三', '四', '五', '六'];

/** Parses and checks a whole year: every day once, weekdays consistent, nothing else. */
export function parseDgpaCalendar(text: string): DgpaResult {
  const read = readCsv(text, COLUMNS);
  if (!read.ok) {
    const key: MessageKey = read.problem === 'missing-column' ? 'import.missingColumn' : read.problem === 'empty' ? 'import.empty' : 'import.malformed';
    return { ok: false, issues: [{ line: read.line, key, params: { column: read.column ?? '' } }] };
  }
  const issues: CalendarIssue[] = [];
  const days: CalendarDay[] = [];
  const seen = new Map<string, number>();
  for (const { line, values } of read.records) {
    const raw = values.date ?? '';
    const m = /^(\d{4})(\d{2})(\d{2})$/.exec(raw);
    const date = m ? isoDate(Number(m[1]), Number(m[2]), Number(m[3])) : null;
    if (!date) {
      issues.push({ line, key: 'calendar.error.date', params: { value: raw } });
      continue;
    }
    if (values.weekday !== WEEKDAYS[weekdayOf(date)]) {
      issues.push({ line, key: 'calendar.error.weekday', params: { date, value: values.weekday ?? '' } });
    }
    if (values.off !== '0' && values.off !== '2') {
      issues.push({ line, key: 'calendar.error.off', params: { value: values.off ?? '' } });
    }
    const earlier = seen.get(date);
    if (earlier !== undefined) issues.push({ line, key: 'calendar.error.duplicate', params: { date, other: earlier } });
    seen.set(date, line);
    days.push({ date, dayOff: values.off === '2', note: values.note ?? '' });
  }
  if (issues.length > 0) return { ok: false, issues };
  if (days.length === 0) return { ok: false, issues: [{ line: 1, key: 'import.empty' }] };
  const years = [...new Set(days.map((d) => Number(d.date.slice(0, 4))))];
  const year = years[0] as number;
  if (years.length > 1) {
    const stray = read.records.find((r) => !(r.values.date ?? '').startsWith(String(year)));
    return { ok: false, issues: [{ line: stray?.line ?? 1, key: 'calendar.error.mixedYears', params: { year } }] };
  }
  for (let d = new Date(Date.UTC(year, 0, 1)); d.getUTCFullYear() === year; d.setUTCDate(d.getUTCDate() + 1)) {
    const date = d.toISOString().slice(0, 10);
    if (!seen.has(date)) return { ok: false, issues: [{ line: 1, key: 'calendar.error.missingDay', params: { date } }] };
  }
  days.sort((a, b) => a.date.localeCompare(b.date));
  return { ok: true, year, days };
}
