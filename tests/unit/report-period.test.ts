import fc from 'fast-check';
import {
  firstMonth,
  lastMonth,
  monthsEnding,
  monthsOf,
  parsePeriod,
  periodKey,
  periodLabel,
  periodOf,
  previousPeriod,
  quarterOf,
  recentPeriods,
  sameLastYear,
  type Period,
  type PeriodKind,
} from '../../server/reports/period';

const month = (year: number, index: number): Period => ({ kind: 'month', year, index });
const quarter = (year: number, index: number): Period => ({ kind: 'quarter', year, index });
const half = (year: number, index: number): Period => ({ kind: 'half', year, index });
const year = (y: number): Period => ({ kind: 'year', year: y, index: 1 });

const PER_YEAR: Record<PeriodKind, number> = { month: 12, quarter: 4, half: 2, year: 1 };

const anyPeriod: fc.Arbitrary<Period> = fc
  .constantFrom<PeriodKind>('month', 'quarter', 'half', 'year')
  .chain((kind) => fc.record({ kind: fc.constant(kind), year: fc.integer({ min: 2001, max: 2099 }), index: fc.integer({ min: 1, max: PER_YEAR[kind] }) }));

const anyMonth: fc.Arbitrary<string> = fc
  .record({ y: fc.integer({ min: 2001, max: 2099 }), m: fc.integer({ min: 1, max: 12 }) })
  .map(({ y, m }) => `${y}-${String(m).padStart(2, '0')}`);

/** The month after a "YYYY-MM" month, computed without the module. */
function nextMonth(m: string): string {
  const [y, mm] = [Number(m.slice(0, 4)), Number(m.slice(5, 7))];
  return mm === 12 ? `${y + 1}-01` : `${y}-${String(mm + 1).padStart(2, '0')}`;
}

describe('parsePeriod', () => {
  it.each<[string, Period]>([
    ['2026-07', month(2026, 7)],
    ['2026-7', month(2026, 7)],
    ['2026-12', month(2026, 12)],
    ['2026Q3', quarter(2026, 3)],
    ['2026q1', quarter(2026, 1)],
    ['2026H2', half(2026, 2)],
    ['2026h1', half(2026, 1)],
    ['2026', year(2026)],
    ['  2026Q4 ', quarter(2026, 4)],
    // ROC (民國) years: 115 = 2026, 99 = 2010
    ['115', year(2026)],
    ['115-07', month(2026, 7)],
    ['115-1', month(2026, 1)],
    ['115Q3', quarter(2026, 3)],
    ['115H1', half(2026, 1)],
    ['114-12', month(2025, 12)],
    ['99', year(2010)],
    ['99Q2', quarter(2010, 2)],
    // the ends of the accepted range: 2000 and 2100 (ROC 89 and 189)
    ['2000', year(2000)],
    ['2100', year(2100)],
    ['89', year(2000)],
    ['189', year(2100)],
  ])('reads %j', (raw, expected) => {
    expect(parsePeriod(raw)).toEqual(expected);
  });

  it.each([
    '',
    ' ',
    'abc',
    '2026-00',
    '2026-13',
    '115-13',
    '2026Q0',
    '2026Q5',
    '2026H0',
    '2026H3',
    '2026-07-01',
    '2026/07',
    '2026 Q3',
    '2026-',
    'Q3',
    '5',
    '20261',
    '1999',
    '2101',
    '88', // ROC 88 = 1999
    '190', // ROC 190 = 2101
    '0115', // four digits are a Western year, and 115 AD is out of range
    '-2026',
  ])('rejects %j', (raw) => {
    expect(parsePeriod(raw)).toBeUndefined();
  });
});

describe('periodKey', () => {
  it('writes the canonical Western form', () => {
    expect(periodKey(month(2026, 7))).toBe('2026-07');
    expect(periodKey(month(2026, 12))).toBe('2026-12');
    expect(periodKey(quarter(2026, 3))).toBe('2026Q3');
    expect(periodKey(half(2026, 2))).toBe('2026H2');
    expect(periodKey(year(2026))).toBe('2026');
  });

  it('property: parsing the key gives the period back, and so does its ROC form', () => {
    fc.assert(
      fc.property(anyPeriod, (p) => {
        const key = periodKey(p);
        expect(parsePeriod(key)).toEqual(p);
        expect(parsePeriod(String(p.year - 1911) + key.slice(4))).toEqual(p);
      }),
    );
  });
});

describe('monthsOf, firstMonth and lastMonth', () => {
  it('lists the months of each kind of period', () => {
    expect(monthsOf(month(2026, 7))).toEqual(['2026-07']);
    expect(monthsOf(quarter(2026, 3))).toEqual(['2026-07', '2026-08', '2026-09']);
    expect(monthsOf(quarter(2026, 4))).toEqual(['2026-10', '2026-11', '2026-12']);
    expect(monthsOf(half(2026, 2))).toEqual(['2026-07', '2026-08', '2026-09', '2026-10', '2026-11', '2026-12']);
    expect(monthsOf(half(2026, 1))).toEqual(['2026-01', '2026-02', '2026-03', '2026-04', '2026-05', '2026-06']);
    expect(monthsOf(year(2026))).toEqual(['2026-01', '2026-02', '2026-03', '2026-04', '2026-05', '2026-06', '2026-07', '2026-08', '2026-09', '2026-10', '2026-11', '2026-12']);
  });

  it('gives the first and last month', () => {
    expect([firstMonth(month(2026, 1)), lastMonth(month(2026, 1))]).toEqual(['2026-01', '2026-01']);
    expect([firstMonth(quarter(2026, 2)), lastMonth(quarter(2026, 2))]).toEqual(['2026-04', '2026-06']);
    expect([firstMonth(half(2026, 2)), lastMonth(half(2026, 2))]).toEqual(['2026-07', '2026-12']);
    expect([firstMonth(year(2025)), lastMonth(year(2025))]).toEqual(['2025-01', '2025-12']);
  });

  it('property: consecutive months from firstMonth to lastMonth, each of which lies in the period', () => {
    fc.assert(
      fc.property(anyPeriod, (p) => {
        const ms = monthsOf(p);
        expect(ms).toHaveLength(12 / PER_YEAR[p.kind]);
        expect(ms[0]).toBe(firstMonth(p));
        expect(ms[ms.length - 1]).toBe(lastMonth(p));
        for (let i = 1; i < ms.length; i++) expect(ms[i]).toBe(nextMonth(ms[i - 1] ?? ''));
        for (const m of ms) expect(periodOf(m, p.kind)).toEqual(p);
      }),
    );
  });
});

describe('previousPeriod', () => {
  it.each<[Period, Period]>([
    [month(2026, 7), month(2026, 6)],
    [month(2026, 1), month(2025, 12)],
    [quarter(2026, 3), quarter(2026, 2)],
    [quarter(2026, 1), quarter(2025, 4)],
    [half(2026, 2), half(2026, 1)],
    [half(2026, 1), half(2025, 2)],
    [year(2026), year(2025)],
  ])('goes from %j to %j', (p, expected) => {
    expect(previousPeriod(p)).toEqual(expected);
  });

  it('property: the previous period ends the month before the period starts', () => {
    fc.assert(
      fc.property(anyPeriod, (p) => {
        const prev = previousPeriod(p);
        expect(prev.kind).toBe(p.kind);
        expect(nextMonth(lastMonth(prev))).toBe(firstMonth(p));
        expect(monthsOf(prev)).toHaveLength(monthsOf(p).length);
      }),
    );
  });
});

describe('sameLastYear', () => {
  it('keeps the kind and index, one year earlier', () => {
    expect(sameLastYear(quarter(2026, 3))).toEqual(quarter(2025, 3));
    expect(sameLastYear(month(2026, 1))).toEqual(month(2025, 1));
    expect(sameLastYear(half(2026, 2))).toEqual(half(2025, 2));
    expect(sameLastYear(year(2026))).toEqual(year(2025));
  });
});

describe('monthsEnding', () => {
  it('counts back across year boundaries', () => {
    expect(monthsEnding('2026-02', 4)).toEqual(['2025-11', '2025-12', '2026-01', '2026-02']);
    expect(monthsEnding('2026-12', 3)).toEqual(['2026-10', '2026-11', '2026-12']);
    expect(monthsEnding('2026-07', 1)).toEqual(['2026-07']);
    expect(monthsEnding('2026-07', 0)).toEqual([]);
    const two = monthsEnding('2026-01', 25);
    expect(two[0]).toBe('2024-01');
    expect(two[12]).toBe('2025-01');
    expect(two[24]).toBe('2026-01');
  });

  it('property: `count` consecutive months that end with the last', () => {
    fc.assert(
      fc.property(anyMonth, fc.integer({ min: 1, max: 40 }), (last, count) => {
        const ms = monthsEnding(last, count);
        expect(ms).toHaveLength(count);
        expect(ms[count - 1]).toBe(last);
        for (let i = 1; i < count; i++) expect(ms[i]).toBe(nextMonth(ms[i - 1] ?? ''));
      }),
    );
  });
});

describe('periodOf and quarterOf', () => {
  it('finds the period of each kind that holds a month', () => {
    expect(periodOf('2026-07', 'month')).toEqual(month(2026, 7));
    expect(periodOf('2026-07', 'quarter')).toEqual(quarter(2026, 3));
    expect(periodOf('2026-07', 'half')).toEqual(half(2026, 2));
    expect(periodOf('2026-07', 'year')).toEqual(year(2026));
    expect(periodOf('2026-06', 'half')).toEqual(half(2026, 1));
    expect(periodOf('2026-12', 'quarter')).toEqual(quarter(2026, 4));
    expect(periodOf('2026-01', 'quarter')).toEqual(quarter(2026, 1));
    expect(periodOf('2026-03', 'quarter')).toEqual(quarter(2026, 1));
    expect(periodOf('2026-04', 'quarter')).toEqual(quarter(2026, 2));
  });

  it('property: quarterOf is periodOf(…, "quarter"), and the period contains the month', () => {
    fc.assert(
      fc.property(anyMonth, fc.constantFrom<PeriodKind>('month', 'quarter', 'half', 'year'), (m, kind) => {
        expect(quarterOf(m)).toEqual(periodOf(m, 'quarter'));
        expect(monthsOf(periodOf(m, kind))).toContain(m);
      }),
    );
  });
});

describe('periodLabel', () => {
  it('names the ROC year in zh-TW', () => {
    expect(periodLabel(month(2026, 7), 'zh-TW')).toBe('115年7月');
    expect(periodLabel(quarter(2026, 3), 'zh-TW')).toBe('115年第3季');
    expect(periodLabel(half(2026, 1), 'zh-TW')).toBe('115年上半年');
    expect(periodLabel(half(2026, 2), 'zh-TW')).toBe('115年下半年');
    expect(periodLabel(year(2026), 'zh-TW')).toBe('115年');
    expect(periodLabel(month(2025, 12), 'zh-TW')).toBe('114年12月');
  });

  it('names the Western year in English, with the ROC year beside a whole year', () => {
    expect(periodLabel(month(2026, 7), 'en')).toBe('Jul 2026');
    expect(periodLabel(month(2026, 1), 'en')).toBe('Jan 2026');
    expect(periodLabel(month(2025, 12), 'en')).toBe('Dec 2025');
    expect(periodLabel(quarter(2026, 3), 'en')).toBe('2026 Q3');
    expect(periodLabel(half(2026, 2), 'en')).toBe('2026 H2');
    expect(periodLabel(year(2026), 'en')).toBe('2026 (ROC 115)');
  });
});

describe('recentPeriods', () => {
  it('lists, year by year newest first, the year, its halves, quarters and months that have started', () => {
    expect(recentPeriods('2026-02', 2).map(periodKey)).toEqual([
      '2026',
      '2026H1',
      '2026Q1',
      '2026-02',
      '2026-01',
      '2025',
      '2025H2',
      '2025H1',
      '2025Q4',
      '2025Q3',
      '2025Q2',
      '2025Q1',
      '2025-12',
      '2025-11',
      '2025-10',
      '2025-09',
      '2025-08',
      '2025-07',
      '2025-06',
      '2025-05',
      '2025-04',
      '2025-03',
      '2025-02',
      '2025-01',
    ]);
  });

  it('counts a period as started in its first month', () => {
    const keys = recentPeriods('2026-07', 1).map(periodKey);
    expect(keys).toEqual(['2026', '2026H2', '2026H1', '2026Q3', '2026Q2', '2026Q1', '2026-07', '2026-06', '2026-05', '2026-04', '2026-03', '2026-02', '2026-01']);
    expect(recentPeriods('2026-06', 1).map(periodKey)).not.toContain('2026H2');
    expect(recentPeriods('2026-06', 1).map(periodKey)).not.toContain('2026Q3');
  });

  it('gives nothing for no years', () => {
    expect(recentPeriods('2026-07', 0)).toEqual([]);
  });

  it('property: exactly the started periods of the years asked for, each kind newest first', () => {
    fc.assert(
      fc.property(anyMonth, fc.integer({ min: 1, max: 4 }), (now, years) => {
        const ps = recentPeriods(now, years);
        const keys = ps.map(periodKey);
        expect(new Set(keys).size).toBe(keys.length);
        const currentYear = Number(now.slice(0, 4));
        const m = Number(now.slice(5, 7));
        // in the current year: the year, halves, quarters and months started so far; 19 in each earlier year
        const expected = 1 + Math.ceil(m / 6) + Math.ceil(m / 3) + m + (years - 1) * 19;
        expect(ps).toHaveLength(expected);
        for (const p of ps) {
          expect(firstMonth(p) <= now).toBe(true);
          expect(p.year).toBeGreaterThan(currentYear - years);
          expect(p.year).toBeLessThanOrEqual(currentYear);
        }
        for (const kind of ['month', 'quarter', 'half', 'year'] as const) {
          const firsts = ps.filter((p) => p.kind === kind).map(firstMonth);
          expect(firsts).toEqual([...firsts].sort().reverse());
          expect(keys).toContain(periodKey(periodOf(now, kind)));
        }
        expect(ps[0]).toEqual(year(currentYear));
      }),
    );
  });
});
