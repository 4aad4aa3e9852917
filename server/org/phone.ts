import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

export type PhoneResult = { ok: true; e164: string; ext: string | null } | { ok: false };

const FULL_WIDTH_DIGIT = /[０-９]/g;
// What people write before an extension: 分機 123, 轉123, #123, ext. 123, x123.
const EXTENSION = /\s*(?:分機|轉|#|ext\.?|x)\s*(\d{1,8})\s*$/i;

/**
 * Turns a Taiwanese phone number as people write it (02-2345-6789 分機 123,
 * (02)23456789#123, 0912-345-678, ＋886…) into E.164 plus the extension.
 */
export function normalisePhone(input: string): PhoneResult {
  const ascii = input
    .replace(FULL_WIDTH_DIGIT, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0))
    .replace(/＋/g, '+')
    .replace(/[（]/g, '(')
    .replace(/[）]/g, ')')
    .replace(/[－—–]/g, '-')
    .trim();
  if (ascii === '') return { ok: false };
  const ext = EXTENSION.exec(ascii);
  const main = ext ? ascii.slice(0, ext.index) : ascii;
  if (!/^[+\d()\-\s.]+$/.test(main)) return { ok: false };
  const parsed = parsePhoneNumberFromString(main, 'TW');
  // Units and staff are called in Taiwan: a foreign number is more likely a typing mistake.
  if (!parsed || !parsed.isValid() || parsed.country !== 'TW') return { ok: false };
  return { ok: true, e164: parsed.number, ext: ext?.[1] ?? null };
}

/** 02 2345 6789 分機 123 / 02 2345 6789 ext. 123, for people to read. */
export function formatPhone(e164: string | null, ext: string | null, lang: 'zh-TW' | 'en'): string {
  if (!e164) return '';
  const parsed = parsePhoneNumberFromString(e164);
  const national = parsed ? parsed.formatNational() : e164;
  if (!ext) return national;
  return lang === 'zh-TW' ? `${national} 分機 ${ext}` : `${national} ext. ${ext}`;
}

/** tel: URI that dials the number and then the extension after a pause. */
export function telUri(e164: string, ext: string | null): string {
  return ext ? `tel:${e164},${ext}` : `tel:${e164}`;
}
