/**
 * Dates as Taiwanese government documents write them: the ROC (民國) year is
 * the Western year − 1911, so 2026-03-05 is 民國115年3月5日. Data files keep
 * ISO dates; only what people read is converted.
 */
import type { Lang } from './i18n';

export const ROC_OFFSET = 1911;

export function rocYear(westernYear: number): number {
  if (westernYear <= ROC_OFFSET) throw new RangeError(`year ${westernYear} is before the ROC era`);
  return westernYear - ROC_OFFSET;
}

/** Parses "YYYY-MM-DD" (or the date part of an ISO timestamp) without time-zone drift. */
export function parseIsoDate(iso: string): { year: number; month: number; day: number } {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso);
  if (!m) throw new RangeError(`not an ISO date: ${iso}`);
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const probe = new Date(Date.UTC(year, month - 1, day));
  if (probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== day) throw new RangeError(`no such date: ${iso}`);
  return { year, month, day };
}

/** 民國115年3月5日, or "2026-03-05 (ROC 115)" in English. */
export function formatRocDate(iso: string, lang: Lang = 'zh-TW'): string {
  const { year, month, day } = parseIsoDate(iso);
  if (lang === 'en') return `${iso.slice(0, 10)} (ROC ${rocYear(year)})`;
  return `民國${rocYear(year)}年${month}月${day}日`;
}

/** 民國115年3月 / "March 2026 (ROC 115)". */
export function formatRocMonth(year: number, month: number, lang: Lang = 'zh-TW'): string {
  if (lang === 'en') {
    const name = new Date(Date.UTC(year, month - 1, 1)).toLocaleString('en', { month: 'long', timeZone: 'UTC' });
    return `${name} ${year} (ROC ${rocYear(year)})`;
  }
  return `民國${rocYear(year)}年${month}月`;
}

/** Date and minute of an instant in Taiwan time (UTC+8, no daylight saving). */
export function taiwanDateTime(instant: string | Date): { date: string; time: string } {
  const ms = (typeof instant === 'string' ? Date.parse(instant) : instant.getTime()) + 8 * 3600 * 1000;
  const iso = new Date(ms).toISOString();
  return { date: iso.slice(0, 10), time: iso.slice(11, 16) };
}

/** The month (YYYY-MM) of an instant in Taiwan time. */
export function taiwanMonth(instant: string | Date): string {
  return taiwanDateTime(instant).date.slice(0, 7);
}

/** 民國115年3月5日 14:05 (Taiwan time) for a stored UTC instant. */
export function formatRocDateTime(instant: string | Date, lang: Lang = 'zh-TW'): string {
  const { date, time } = taiwanDateTime(instant);
  return `${formatRocDate(date, lang)} ${time}`;
}
