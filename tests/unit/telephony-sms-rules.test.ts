import fc from 'fast-check';
import {
  brandPrefix,
  checkSmsBody,
  isQuietTime,
  isTaiwanMobile,
  nextAllowedSendTime,
  smsRecipient,
  smsSegments,
} from '../../server/telephony/sms-rules';

const AGENCY = '臺北市政府';
const GOOD = '【臺北市政府】感謝您來電，請協助填寫滿意度問卷：https://survey.gov.taipei/s/AbC123 （約1分鐘）';

describe('checkSmsBody', () => {
  it('passes a branded body with a full URL', () => {
    expect(checkSmsBody(GOOD, AGENCY)).toEqual([]);
    expect(checkSmsBody(GOOD, ' 臺北市政府 ')).toEqual([]);
  });

  it.each([
    ['no brand', '感謝您來電 https://survey.gov.taipei/s/1'],
    ['the brand not first', ' 【臺北市政府】感謝您來電'],
    ['another agency', '【新北市政府】感謝您來電'],
    ['plain brackets', '[臺北市政府]感謝您來電'],
  ])('wants the brand first: %s', (_name, body) => {
    expect(checkSmsBody(body, AGENCY)).toEqual([{ problem: 'missingBrand', expected: '【臺北市政府】' }]);
  });

  it('calls a body with nothing after the brand empty', () => {
    expect(checkSmsBody('', AGENCY)).toEqual([{ problem: 'empty' }]);
    expect(checkSmsBody(' 【臺北市政府】 ', AGENCY)).toEqual([{ problem: 'empty' }]);
  });

  it('refuses link shorteners, subdomains and www. included, and ends a URL at Chinese punctuation', () => {
    expect(checkSmsBody('【臺北市政府】問卷：https://reurl.cc/Ab12，謝謝', AGENCY)).toEqual([{ problem: 'shortenedUrl', url: 'https://reurl.cc/Ab12' }]);
    expect(checkSmsBody('【臺北市政府】https://WWW.Bit.ly/x http://m.lihi.cc/y', AGENCY)).toEqual([
      { problem: 'shortenedUrl', url: 'https://WWW.Bit.ly/x' },
      { problem: 'shortenedUrl', url: 'http://m.lihi.cc/y' },
    ]);
    expect(checkSmsBody('【臺北市政府】https://notbit.ly/x', AGENCY)).toEqual([]);
  });

  it('wants the scheme on every link', () => {
    expect(checkSmsBody('【臺北市政府】請至www.gov.taipei/s/1填寫', AGENCY)).toEqual([{ problem: 'urlWithoutScheme', text: 'www.gov.taipei/s/1' }]);
    expect(checkSmsBody('【臺北市政府】問卷 survey.gov.tw/abc 。', AGENCY)).toEqual([{ problem: 'urlWithoutScheme', text: 'survey.gov.tw/abc' }]);
    expect(checkSmsBody('【臺北市政府】reurl.cc/Ab12', AGENCY)).toEqual([
      { problem: 'urlWithoutScheme', text: 'reurl.cc/Ab12' },
      { problem: 'shortenedUrl', url: 'reurl.cc/Ab12' },
    ]);
  });

  it('does not take an e-mail address, a decimal or an abbreviation for a link', () => {
    expect(checkSmsBody('【臺北市政府】洽 service@mail.gov.tw，約 1.5 分鐘，e.g. 範例', AGENCY)).toEqual([]);
  });

  it('refuses an agency name it could not bracket', () => {
    expect(() => brandPrefix('  ')).toThrow(RangeError);
    expect(() => brandPrefix('【臺北市政府】')).toThrow(RangeError);
    expect(brandPrefix(' 臺北市政府 ')).toBe('【臺北市政府】');
  });
});

describe('smsSegments', () => {
  it.each([
    ['nothing', '', 'GSM-7', 0, 0],
    ['160 Latin letters', 'a'.repeat(160), 'GSM-7', 160, 1],
    ['161 Latin letters', 'a'.repeat(161), 'GSM-7', 161, 2],
    ['306 Latin letters (2 × 153)', 'a'.repeat(306), 'GSM-7', 306, 2],
    ['307 Latin letters', 'a'.repeat(307), 'GSM-7', 307, 3],
    ['80 euro signs (two septets each)', '€'.repeat(80), 'GSM-7', 160, 1],
    ['81 euro signs', '€'.repeat(81), 'GSM-7', 162, 2],
    ['an escape pair not cut across parts', `${'a'.repeat(152)}€${'a'.repeat(152)}`, 'GSM-7', 306, 3],
    ['70 Chinese characters', '測'.repeat(70), 'UCS-2', 70, 1],
    ['71 Chinese characters', '測'.repeat(71), 'UCS-2', 71, 2],
    ['134 Chinese characters (2 × 67)', '測'.repeat(134), 'UCS-2', 134, 2],
    ['135 Chinese characters', '測'.repeat(135), 'UCS-2', 135, 3],
    ['35 emoji (two units each)', '😀'.repeat(35), 'UCS-2', 70, 1],
    ['an emoji not cut across parts', `${'測'.repeat(66)}😀${'測'.repeat(66)}`, 'UCS-2', 134, 3],
    ['one Chinese character among Latin', `${'a'.repeat(100)}測`, 'UCS-2', 101, 2],
    ['the usual survey message', GOOD, 'UCS-2', 65, 1],
  ])('%s', (_name, body, encoding, units, segments) => {
    expect(smsSegments(body)).toEqual({ encoding, units, segments });
  });
});

describe('recipients', () => {
  it.each([
    ['0912-345-678', { ok: true, e164: '+886912345678' }],
    ['+886 912 345 678', { ok: true, e164: '+886912345678' }],
    ['02-2345-6789', { ok: false, reason: 'landline' }],
    ['02-2345-6789 分機 12', { ok: false, reason: 'landline' }],
    ['089-123456', { ok: false, reason: 'landline' }],
    ['0800-212-121', { ok: false, reason: 'landline' }],
    ['+1 415 555 1212', { ok: false, reason: 'invalid' }],
    ['not a number', { ok: false, reason: 'invalid' }],
  ])('%s', (input, expected) => {
    expect(smsRecipient(input)).toEqual(expected);
  });

  it('knows a Taiwanese mobile in E.164', () => {
    expect(isTaiwanMobile('+886912345678')).toBe(true);
    expect(isTaiwanMobile('+88691234567')).toBe(false);
    expect(isTaiwanMobile('+886223456789')).toBe(false);
    expect(isTaiwanMobile('0912345678')).toBe(false);
  });
});

describe('nextAllowedSendTime (Taiwan = UTC+8)', () => {
  // Each case: now (UTC), the Taiwan time it is, the answer (UTC).
  it.each([
    ['2026-03-05T12:59:59.999Z', '20:59:59.999', '2026-03-05T12:59:59.999Z'],
    ['2026-03-05T13:00:00.000Z', '21:00', '2026-03-06T01:00:00.000Z'],
    ['2026-03-05T15:59:59.000Z', '23:59:59', '2026-03-06T01:00:00.000Z'],
    ['2026-03-05T16:00:00.000Z', '00:00 next day', '2026-03-06T01:00:00.000Z'],
    ['2026-03-05T00:59:00.000Z', '08:59', '2026-03-05T01:00:00.000Z'],
    ['2026-03-05T00:59:59.999Z', '08:59:59.999', '2026-03-05T01:00:00.000Z'],
    ['2026-03-05T01:00:00.000Z', '09:00', '2026-03-05T01:00:00.000Z'],
    ['2026-03-05T04:29:00.000Z', '12:29', '2026-03-05T04:29:00.000Z'],
    ['2026-03-05T04:29:59.999Z', '12:29:59.999', '2026-03-05T04:29:59.999Z'],
    ['2026-03-05T04:30:00.000Z', '12:30', '2026-03-05T05:30:00.000Z'],
    ['2026-03-05T05:29:59.000Z', '13:29:59', '2026-03-05T05:30:00.000Z'],
    ['2026-03-05T05:30:00.000Z', '13:30', '2026-03-05T05:30:00.000Z'],
    ['2026-01-31T15:00:00.000Z', '23:00 on 31 January', '2026-02-01T01:00:00.000Z'],
    ['2026-02-28T14:00:00.000Z', '22:00 on 28 February 2026', '2026-03-01T01:00:00.000Z'],
    ['2028-02-28T14:00:00.000Z', '22:00 on 28 February 2028 (leap year)', '2028-02-29T01:00:00.000Z'],
    ['2026-03-31T20:00:00.000Z', '04:00 on 1 April, still 31 March in UTC', '2026-04-01T01:00:00.000Z'],
    ['2026-12-31T14:30:00.000Z', '22:30 on New Year’s Eve', '2027-01-01T01:00:00.000Z'],
  ])('%s (%s) → %s', (now, _taiwan, expected) => {
    expect(nextAllowedSendTime(new Date(now)).toISOString()).toBe(expected);
  });

  it('returns an instant equal to now, not now itself', () => {
    const now = new Date('2026-03-05T02:00:00Z');
    const next = nextAllowedSendTime(now);
    expect(next).toEqual(now);
    expect(next).not.toBe(now);
  });

  it('is never earlier, never quiet, and never skips an allowed instant (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.parse('2025-01-01T00:00:00Z'), max: Date.parse('2030-12-31T00:00:00Z') }), (ms) => {
        const now = new Date(ms);
        const next = nextAllowedSendTime(now);
        expect(next.getTime()).toBeGreaterThanOrEqual(ms);
        expect(isQuietTime(next)).toBe(false);
        if (next.getTime() > ms) {
          expect(isQuietTime(now)).toBe(true);
          expect(isQuietTime(new Date(next.getTime() - 1))).toBe(true);
        }
        expect(next.getTime() - ms).toBeLessThanOrEqual(12 * 3600 * 1000);
      }),
    );
  });

  it('takes other quiet windows, chained ones included', () => {
    const windows = [{ from: '22:00', to: '08:00' }, { from: '08:00', to: '08:30' }];
    expect(nextAllowedSendTime(new Date('2026-03-05T15:00:00Z'), windows).toISOString()).toBe('2026-03-06T00:30:00.000Z');
    expect(nextAllowedSendTime(new Date('2026-03-05T13:00:00Z'), windows).toISOString()).toBe('2026-03-05T13:00:00.000Z');
  });

  it('refuses windows that cover the day or are not times', () => {
    const now = new Date('2026-03-05T02:00:00Z');
    expect(() => nextAllowedSendTime(now, [{ from: '09:00', to: '21:00' }, { from: '21:00', to: '09:00' }])).toThrow(RangeError);
    expect(() => nextAllowedSendTime(now, [{ from: '10:00', to: '10:00' }])).toThrow(RangeError);
    expect(() => nextAllowedSendTime(now, [{ from: '9:00', to: '10:00' }])).toThrow(RangeError);
    expect(() => nextAllowedSendTime(now, [{ from: '24:00', to: '10:00' }])).toThrow(RangeError);
  });
});
