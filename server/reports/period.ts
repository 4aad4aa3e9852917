/**
 * Reporting periods: a month, a quarter, a half-year or a year, written in a
 * URL as 2026-07, 2026Q3, 2026H2 or 2026, or with the ROC year (115-07, 115Q3,
 * 115H2, 115) as people in Taiwan often type it. Months are "YYYY-MM" strings,
 * the key the aggregates use.
 */
import type { Lang } from '../platform/i18n';
import { ROC_OFFSET } from '../platform/roc-date';

export type PeriodKind = 'month' | 'quarter' | 'half' | 'year';

export interface Period {
  kind: PeriodKind;
  year: number;
  /** 1–12 for a month, 1–4 for a quarter, 1–2 for a half, 1 for a year. */
  index: number;
}

const LENGTH: Record<PeriodKind, number> = { month: 1, quarter: 3, half: 6, year: 12 };

/** The period a string names, or undefined if it names none. */
export function parsePeriod(raw: string): Period | undefined {
  const m = /^(\d{2,4})(?:-(\d{1,2})|[Qq]([1-4])|[Hh]([12]))?$/.exec(raw.trim());
  if (!m) return undefined;
  let year = Number(m[1]);
  // Two or three digits: an ROC year (民國), as 115 for 2026.
  if ((m[1] as string).length < 4) year += ROC_OFFSET;
  if (year < 2000 || year > 2100) return undefined;
  if (m[2] !== undefined) {
    const month = Number(m[2]);
    return month >= 1 && month <= 12 ? { kind: 'month', year, index: month } : undefined;
  }
  if (m[3] !== undefined) return { kind: 'quarter', year, index: Number(m[3]) };
  if (m[4] !== undefined) return { kind: 'half', year, index: Number(m[4]) };
  return { kind: 'year', year, index: 1 };
}

/** The canonical (Western) form, as used in URLs: 2026-07, 2026Q3, 2026H2, 2026. */
export function periodKey(p: Period): string {
  switch (p.kind) {
    case 'month':
      return `${p.year}-${String(p.index).padStart(2, '0')}`;
    case 'quarter':
      return `${p.year}Q${p.index}`;
    case 'half':
      return `${p.year}H${p.index}`;
    default:
      return String(p.year);
  }
}

/** Months as a count since year 0, so that month arithmetic is plain arithmetic. */
function ordinal(month: string): number {
  return Number(month.slice(0, 4)) * 12 + Number(month.slice(5, 7)) - 1;
}

function monthOf(ord: number): string {
  return `${Math.floor(ord / 12)}-${String((ord % 12) + 1).padStart(2, '0')}`;
}

export function firstMonth(p: Period): string {
  return monthOf(p.year * 12 + (p.index - 1) * LENGTH[p.kind]);
}

export function monthsOf(p: Period): string[] {
  const start = ordinal(firstMonth(p));
  return Array.from({ length: LENGTH[p.kind] }, (_, i) => monthOf(start + i));
}

export function lastMonth(p: Period): string {
  return monthOf(ordinal(firstMonth(p)) + LENGTH[p.kind] - 1);
}

/** The period of the same kind just before. */
export function previousPeriod(p: Period): Period {
  const per = 12 / LENGTH[p.kind];
  const flat = p.year * per + p.index - 1 - 1;
  return { kind: p.kind, year: Math.floor(flat / per), index: (flat % per) + 1 };
}

export function sameLastYear(p: Period): Period {
  return { ...p, year: p.year - 1 };
}

/** `count` consecutive months ending with `last`. */
export function monthsEnding(last: string, count: number): string[] {
  const end = ordinal(last);
  return Array.from({ length: count }, (_, i) => monthOf(end - count + 1 + i));
}

/** The quarter a month falls in, as a period. */
export function quarterOf(month: string): Period {
  return { kind: 'quarter', year: Number(month.slice(0, 4)), index: Math.floor((Number(month.slice(5, 7)) - 1) / 3) + 1 };
}

/** The period containing a month, of a kind. */
export function periodOf(month: string, kind: PeriodKind): Period {
  const year = Number(month.slice(0, 4));
  const m = Number(month.slice(5, 7));
  return { kind, year, index: Math.floor((m - 1) / LENGTH[kind]) + 1 };
}

/** 115年第3季 / "2026 Q3": zh-TW names the ROC year as reports do; English the Western year (a whole year also gives the ROC one). */
export function periodLabel(p: Period, lang: Lang): string {
  const roc = p.year - ROC_OFFSET;
  if (lang === 'en') {
    switch (p.kind) {
      case 'month':
        return `${new Date(Date.UTC(p.year, p.index - 1, 1)).toLocaleString('en', { month: 'short', timeZone: 'UTC' })} ${p.year}`;
      case 'quarter':
        return `${p.year} Q${p.index}`;
      case 'half':
        return `${p.year} H${p.index}`;
      default:
        return `${p.year} (ROC ${roc})`;
    }
  }
  switch (p.kind) {
    case 'month':
      return `${roc}年${p.index}月`;
    case 'quarter':
      return `${roc}年第${p.index}季`;
    case 'half':
      return `${roc}年${p.index === 1 ? '上' : '下'}半年`;
    default:
      return `${roc}年`;
  }
}

/** Periods to offer in a filter, newest first: for each of `years` years ending with `now`'s, the year, its halves, quarters and months up to now. */
export function recentPeriods(nowMonth: string, years: number): Period[] {
  const out: Period[] = [];
  const currentYear = Number(nowMonth.slice(0, 4));
  for (let year = currentYear; year > currentYear - years; year -= 1) {
    const started = (p: Period) => firstMonth(p) <= nowMonth;
    out.push({ kind: 'year', year, index: 1 });
    for (const index of [2, 1]) if (started({ kind: 'half', year, index })) out.push({ kind: 'half', year, index });
    for (const index of [4, 3, 2, 1]) if (started({ kind: 'quarter', year, index })) out.push({ kind: 'quarter', year, index });
    for (let index = 12; index >= 1; index -= 1) if (started({ kind: 'month', year, index })) out.push({ kind: 'month', year, index });
  }
  return out;
}
