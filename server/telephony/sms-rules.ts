/**
 * Rules a survey SMS must follow in Taiwan, checked before anything is sent:
 * - the body starts with the sender's name in brackets (【機關名稱】…), which
 *   carriers and the public expect of official messages;
 * - links are full URLs, never shorteners (people are told shortened links in
 *   SMS are how fraud arrives);
 * - only mobiles (+886 9…) receive SMS; landlines are skipped with a reason;
 * - no sending 21:00–09:00 or 12:30–13:30 Taiwan time (UTC+8, no DST).
 * Segment counting is here too: a segment is billed, and a Chinese message
 * fits 70 characters in one SMS but only 67 per part once it is split.
 */
import { normalisePhone } from '../org/phone';

export function brandPrefix(agencyName: string): string {
  const name = agencyName.trim();
  if (name === '' || /[【】]/.test(name)) throw new RangeError(`not a usable agency name: ${agencyName}`);
  return `【${name}】`;
}

/** Hosts of link shorteners seen in Taiwanese SMS (and their subdomains). */
export const SHORTENER_HOSTS: readonly string[] = [
  'bit.ly', 'reurl.cc', 'tinyurl.com', 'goo.gl', 't.co', 'ppt.cc', 'lihi.cc', 'lihi1.cc', 'lihi1.com', 'lihi2.cc',
  'pse.is', 'is.gd', 'ow.ly', 'buff.ly', 'rebrand.ly', 'cutt.ly', 's.id', 'shorturl.at', 'tiny.cc', '0rz.tw',
  'myppt.cc', 't.ly', 'lnkd.in', 'forms.gle', 'g.co', 'x.co', 'urlzs.com', 'bit.do',
];

export type SmsBodyIssue =
  | { problem: 'empty' }
  | { problem: 'missingBrand'; expected: string }
  | { problem: 'shortenedUrl'; url: string }
  | { problem: 'urlWithoutScheme'; text: string };

// A link ends at the first space or non-ASCII character: Chinese text and punctuation
// are written right after it, and handsets stop the link there too.
const FULL_URL = /https?:\/\/[^\s<>"'\u0080-\uffff]+/gi;
const BARE_URL = /(?<![\w@.\-/:])(?:www\.)?(?:[a-z0-9-]+\.)+(?:tw|taipei|com|net|org|gov|edu|cc|io|ly|me|co|gl|gd|id|info)\b(?:\/[^\s<>"'\u0080-\uffff]*)?/gi;

function isShortener(host: string): boolean {
  const h = host.toLowerCase().replace(/^www\./, '');
  return SHORTENER_HOSTS.some((s) => h === s || h.endsWith(`.${s}`));
}

/** Every rule the body breaks; empty when it can be sent. */
export function checkSmsBody(body: string, agencyName: string): SmsBodyIssue[] {
  const prefix = brandPrefix(agencyName);
  if (body.trim() === '' || body.trim() === prefix) return [{ problem: 'empty' }];
  const issues: SmsBodyIssue[] = [];
  if (!body.startsWith(prefix)) issues.push({ problem: 'missingBrand', expected: prefix });
  for (const url of body.match(FULL_URL) ?? []) {
    const host = URL.canParse(url) ? new URL(url).hostname : '';
    if (isShortener(host)) issues.push({ problem: 'shortenedUrl', url });
  }
  const rest = body.replace(FULL_URL, ' ');
  for (const text of rest.match(BARE_URL) ?? []) {
    issues.push({ problem: 'urlWithoutScheme', text });
    if (isShortener(text.split('/')[0] ?? '')) issues.push({ problem: 'shortenedUrl', url: text });
  }
  return issues;
}

export type SmsEncoding = 'GSM-7' | 'UCS-2';

export interface SegmentCount {
  encoding: SmsEncoding;
  /** Septets (GSM-7; ^{}[~]|€ take two) or UTF-16 code units (UCS-2; an emoji takes two). */
  units: number;
  segments: number;
}

const GSM_BASIC = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
);
const GSM_EXTENDED = new Set('^{}\\[~]|€\f');

/**
 * How many SMS the body goes out as: one holds 160 GSM-7 or 70 UCS-2 units;
 * split, each part holds 153 or 67 (the rest is the part header). A
 * character is never cut across two parts, as handsets would show garbage.
 */
export function smsSegments(body: string): SegmentCount {
  const chars = [...body];
  const gsm = chars.every((c) => GSM_BASIC.has(c) || GSM_EXTENDED.has(c));
  const cost = (c: string) => (gsm ? (GSM_EXTENDED.has(c) ? 2 : 1) : c.length);
  const units = chars.reduce((sum, c) => sum + cost(c), 0);
  const [single, part] = gsm ? [160, 153] : [70, 67];
  if (units === 0) return { encoding: gsm ? 'GSM-7' : 'UCS-2', units, segments: 0 };
  if (units <= single) return { encoding: gsm ? 'GSM-7' : 'UCS-2', units, segments: 1 };
  let segments = 1;
  let used = 0;
  for (const c of chars) {
    if (used + cost(c) > part) {
      segments += 1;
      used = 0;
    }
    used += cost(c);
  }
  return { encoding: gsm ? 'GSM-7' : 'UCS-2', units, segments };
}

export function isTaiwanMobile(e164: string): boolean {
  return /^\+8869\d{8}$/.test(e164);
}

export type SmsRecipient = { ok: true; e164: string } | { ok: false; reason: 'landline' | 'invalid' };

/**
 * Who an SMS can go to: a Taiwanese mobile. A landline (or a service number
 * such as 0800) cannot receive one; the caller records the reason and skips it.
 */
export function smsRecipient(phone: string): SmsRecipient {
  const parsed = normalisePhone(phone);
  if (!parsed.ok) return { ok: false, reason: 'invalid' };
  return isTaiwanMobile(parsed.e164) ? { ok: true, e164: parsed.e164 } : { ok: false, reason: 'landline' };
}

/** A quiet period in Taiwan time, 'HH:MM' to 'HH:MM', end excluded; it may span midnight. */
export interface QuietWindow {
  from: string;
  to: string;
}

export const DEFAULT_QUIET_WINDOWS: readonly QuietWindow[] = [
  { from: '21:00', to: '09:00' },
  { from: '12:30', to: '13:30' },
];

const MINUTE = 60_000;
const DAY = 1440 * MINUTE;
const TAIWAN_OFFSET = 480 * MINUTE;

function minutesOf(hhmm: string): number {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(hhmm);
  if (!m) throw new RangeError(`not a time of day: ${hhmm}`);
  return Number(m[1]) * 60 + Number(m[2]);
}

/** The end of the quiet window that instant t falls in (epoch ms), or null if sending is allowed. */
function quietUntil(t: number, windows: readonly QuietWindow[]): number | null {
  const local = t + TAIWAN_OFFSET;
  const midnight = Math.floor(local / DAY) * DAY;
  const ms = local - midnight;
  for (const w of windows) {
    const [from, to] = [minutesOf(w.from) * MINUTE, minutesOf(w.to) * MINUTE];
    if (from === to) throw new RangeError(`empty quiet window ${w.from}–${w.to}`);
    if (from < to ? ms >= from && ms < to : ms >= from) return (from < to ? midnight + to : midnight + DAY + to) - TAIWAN_OFFSET;
    if (from > to && ms < to) return midnight + to - TAIWAN_OFFSET;
  }
  return null;
}

export function isQuietTime(now: Date, windows: readonly QuietWindow[] = DEFAULT_QUIET_WINDOWS): boolean {
  return quietUntil(now.getTime(), windows) !== null;
}

/** `now` when an SMS may go out now, else the first instant it may. */
export function nextAllowedSendTime(now: Date, windows: readonly QuietWindow[] = DEFAULT_QUIET_WINDOWS): Date {
  let t = now.getTime();
  // Windows may touch end to start; more steps than twice their number means they cover the whole day.
  for (let step = 0; step <= windows.length * 2; step++) {
    const end = quietUntil(t, windows);
    if (end === null) return new Date(t);
    t = end;
  }
  throw new RangeError('the quiet windows cover the whole day');
}
