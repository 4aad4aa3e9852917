import fc from 'fast-check';
import {
  formatRocDate,
  formatRocDateTime,
  formatRocMonth,
  parseIsoDate,
  rocYear,
  taiwanDateTime,
  taiwanMonth,
} from '../../server/platform/roc-date';

describe('rocYear', () => {
  it('counts from 1912, the first year of the Republic', () => {
    expect(rocYear(1912)).toBe(1);
    expect(rocYear(2026)).toBe(115);
  });

  it('refuses years before the Republic', () => {
    expect(() => rocYear(1911)).toThrow(RangeError);
    expect(() => rocYear(1800)).toThrow('year 1800 is before the ROC era');
  });
});

describe('parseIsoDate', () => {
  it('reads the calendar date, including a leap day', () => {
    expect(parseIsoDate('2026-03-05')).toEqual({ year: 2026, month: 3, day: 5 });
    expect(parseIsoDate('2024-02-29')).toEqual({ year: 2024, month: 2, day: 29 });
  });

  it('takes the date part of a timestamp as written, without converting time zones', () => {
    expect(parseIsoDate('2026-03-05T23:59:59Z')).toEqual({ year: 2026, month: 3, day: 5 });
    expect(parseIsoDate('2026-03-05T00:10:00+08:00')).toEqual({ year: 2026, month: 3, day: 5 });
  });

  it.each(['2026-02-30', '2025-02-29', '2026-04-31', '2026-13-01', '2026-00-10', '2026-01-00'])(
    'rejects %s, which is not on the calendar',
    (iso) => {
      expect(() => parseIsoDate(iso)).toThrow(`no such date: ${iso}`);
    },
  );

  it.each(['', 'tomorrow', '2026-3-5', '26-03-05', '2026/03/05', ' 2026-03-05'])('rejects %j, which is not an ISO date', (text) => {
    expect(() => parseIsoDate(text)).toThrow(`not an ISO date: ${text}`);
  });

  it('agrees with the calendar for every day from 1912 to 2200', () => {
    const start = Date.UTC(1912, 0, 1);
    const end = Date.UTC(2200, 11, 31);
    fc.assert(
      fc.property(fc.integer({ min: start, max: end }), (ms) => {
        const d = new Date(ms);
        expect(parseIsoDate(d.toISOString())).toEqual({
          year: d.getUTCFullYear(),
          month: d.getUTCMonth() + 1,
          day: d.getUTCDate(),
        });
      }),
    );
  });
});

describe('formatRocDate', () => {
  it('writes the date as government documents do', () => {
    expect(formatRocDate('2026-03-05')).toBe('民國115年3月5日');
    expect(formatRocDate('2026-12-31', 'zh-TW')).toBe('民國115年12月31日');
    expect(formatRocDate('1912-01-01')).toBe('民國1年1月1日');
  });

  it('gives the ISO date with the ROC year in English', () => {
    expect(formatRocDate('2026-03-05', 'en')).toBe('2026-03-05 (ROC 115)');
    expect(formatRocDate('2026-03-05T10:00:00Z', 'en')).toBe('2026-03-05 (ROC 115)');
  });

  it('refuses dates before the Republic and impossible dates', () => {
    expect(() => formatRocDate('1911-12-31')).toThrow(RangeError);
    expect(() => formatRocDate('2026-02-30')).toThrow(RangeError);
  });
});

describe('formatRocMonth', () => {
  it('writes a month in both languages', () => {
    expect(formatRocMonth(2026, 3)).toBe('民國115年3月');
    expect(formatRocMonth(2026, 3, 'en')).toBe('March 2026 (ROC 115)');
    expect(formatRocMonth(2026, 12, 'en')).toBe('December 2026 (ROC 115)');
    expect(formatRocMonth(1912, 1)).toBe('民國1年1月');
  });

  it('refuses months before the Republic', () => {
    expect(() => formatRocMonth(1911, 12)).toThrow(RangeError);
    expect(() => formatRocMonth(1911, 12, 'en')).toThrow(RangeError);
  });
});

describe('taiwanMonth', () => {
  it('gives the Taiwan (UTC+8) month of an instant, crossing into the next month and year at 16:00 UTC', () => {
    // 2026-01-31T16:00Z is 2026-02-01 00:00 in Taipei; 2025-12-31T16:00Z is 2026-01-01 00:00.
    expect(taiwanMonth('2026-01-31T15:59:59Z')).toBe('2026-01');
    expect(taiwanMonth('2026-01-31T16:00:00Z')).toBe('2026-02');
    expect(taiwanMonth(new Date('2025-12-31T16:00:00Z'))).toBe('2026-01');
    expect(taiwanMonth('2026-03-01T00:30:00+08:00')).toBe('2026-03'); // 2026-02-28T16:30Z
  });
});

describe('taiwanDateTime', () => {
  it('moves an instant to UTC+8, crossing midnight into the next day', () => {
    expect(taiwanDateTime('2026-03-04T16:30:00Z')).toEqual({ date: '2026-03-05', time: '00:30' });
    expect(taiwanDateTime('2026-03-04T15:59:59Z')).toEqual({ date: '2026-03-04', time: '23:59' });
    expect(taiwanDateTime('2025-12-31T16:00:00Z')).toEqual({ date: '2026-01-01', time: '00:00' });
  });

  it('accepts a Date and a timestamp with its own offset', () => {
    expect(taiwanDateTime(new Date(Date.UTC(2026, 2, 4, 16, 30)))).toEqual({ date: '2026-03-05', time: '00:30' });
    expect(taiwanDateTime('2026-03-05T00:30:00+08:00')).toEqual({ date: '2026-03-05', time: '00:30' });
  });

  it('refuses text that is not an instant', () => {
    expect(() => taiwanDateTime('not a time')).toThrow(RangeError);
  });

  it('agrees with the Asia/Taipei time zone for any instant since 1980 (no daylight saving since 1979)', () => {
    const taipei = new Intl.DateTimeFormat('en-CA', {
      timeZone: 'Asia/Taipei',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(1980, 0, 1), max: Date.UTC(2200, 0, 1) }), (ms) => {
        const part = (type: Intl.DateTimeFormatPartTypes) => taipei.formatToParts(ms).find((p) => p.type === type)?.value;
        expect(taiwanDateTime(new Date(ms))).toEqual({
          date: `${part('year')}-${part('month')}-${part('day')}`,
          time: `${part('hour')}:${part('minute')}`,
        });
      }),
    );
  });
});

describe('formatRocDateTime', () => {
  it('writes the Taiwan date and minute of a stored UTC instant', () => {
    expect(formatRocDateTime('2026-03-04T16:30:00Z')).toBe('民國115年3月5日 00:30');
    expect(formatRocDateTime('2026-03-05T06:05:00Z', 'zh-TW')).toBe('民國115年3月5日 14:05');
    expect(formatRocDateTime('2026-03-04T16:30:00Z', 'en')).toBe('2026-03-05 (ROC 115) 00:30');
  });
});
