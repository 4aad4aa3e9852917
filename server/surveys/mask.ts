/**
 * Free text is masked before it is stored: Taiwan national ID numbers and
 * resident certificate numbers, mobile and landline numbers, e-mail
 * addresses. What a person wrote around them is kept.
 */
export const MASKS = {
  id: '[身分證號]',
  phone: '[電話]',
  email: '[電子郵件]',
} as const;

const FULL_WIDTH = /[０-９Ａ-Ｚａ-ｚ＠．－（）＋]/g;

function halfWidth(text: string): string {
  return text.replace(FULL_WIDTH, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0));
}

const PATTERNS: [RegExp, string][] = [
  // E-mail first, so that digits inside an address are not read as a phone number.
  [/[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g, MASKS.email],
  // National ID (A123456789), new resident certificate (A800000000, A900000000), old one (AB12345678).
  [/(?<![A-Za-z0-9])[A-Za-z](?:[12]\d|[89]\d|[A-Da-d]\d)\d{7}(?![A-Za-z0-9])/g, MASKS.id],
  // Mobile: 0912-345-678, 0912 345 678, 0912345678, +886 912 345 678, 886-912-345-678.
  [/(?<!\d)(?:\+?886[-\s]?|0)9\d{2}[-\s]?\d{3}[-\s]?\d{3}(?!\d)/g, MASKS.phone],
  // Landline: 02-2345-6789, (02)2345-6789, 04 2222 3333, 037-123456, +886-2-2345-6789, with an extension.
  [/(?<!\d)(?:\+?886[-\s]?\(?\d{1,2}\)?|\(0\d{1,3}\)|0\d{1,3})[-\s]?\d{3,4}[-\s]?\d{3,4}(?:\s*(?:分機|轉|#|ext\.?)\s*\d{1,6})?(?!\d)/gi, MASKS.phone],
];

export function maskPersonalData(text: string): string {
  let out = halfWidth(text);
  for (const [pattern, mask] of PATTERNS) out = out.replace(pattern, mask);
  return out;
}
