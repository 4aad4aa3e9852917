import type { TestResult } from '../../server/courtesy/score-table';
import { DEFAULT_BANDS } from '../../server/courtesy/scoring';
import { periodCases, periodDays, responseRate, scoreMatrix, type CaseInput } from '../../server/reports/report-figures';

describe('the days of a report period', () => {
  it('runs from the first to the last calendar day, bounded by Taiwan midnights (UTC+8)', () => {
    expect(periodDays({ kind: 'quarter', year: 2026, index: 3 })).toEqual({
      from: '2026-07-01',
      to: '2026-09-30',
      startInstant: '2026-06-30T16:00:00.000Z',
      endInstant: '2026-09-30T16:00:00.000Z',
    });
    expect(periodDays({ kind: 'quarter', year: 2024, index: 1 }).to).toBe('2024-03-31');
    expect(periodDays({ kind: 'half', year: 2026, index: 2 })).toEqual({ from: '2026-07-01', to: '2026-12-31', startInstant: '2026-06-30T16:00:00.000Z', endInstant: '2026-12-31T16:00:00.000Z' });
    // A month (the dashboard's and the API's periods): its own last day, not a fixed "-31".
    expect(periodDays({ kind: 'month', year: 2026, index: 2 })).toEqual({ from: '2026-02-01', to: '2026-02-28', startInstant: '2026-01-31T16:00:00.000Z', endInstant: '2026-02-28T16:00:00.000Z' });
    expect(periodDays({ kind: 'month', year: 2024, index: 2 }).to).toBe('2024-02-29');
    expect(periodDays({ kind: 'year', year: 2025, index: 1 })).toEqual({ from: '2025-01-01', to: '2025-12-31', startInstant: '2024-12-31T16:00:00.000Z', endInstant: '2025-12-31T16:00:00.000Z' });
  });
});

describe('the monthly score table of a period', () => {
  const unit = (id: number, code: string) => ({ id, code, nameZh: code, nameEn: code });
  const result = (unitId: number, testedOn: string, total: number | null): TestResult => ({ unitId, testedOn, kind: total === null ? 'unreachable' : 'scored', total, deductions: [] });

  it('has a column per month and a row per unit tested, each cell the month\'s score table figure', () => {
    const units = [unit(1, 'B-UNIT'), unit(2, 'A-UNIT'), unit(3, 'C-UNIT')];
    const results = [
      result(1, '2026-07-03', 88.25),
      result(1, '2026-07-20', 91.1), // July: (88.25 + 91.1) / 2 = 89.675 → 89.7, good (80 ≤ 89.7 < 90)
      result(1, '2026-08-12', null), // August: unreachable, no score
      result(2, '2026-09-09', 95), // September: 95.0, excellent
      result(3, '2026-10-01', 50), // October is outside 2026 Q3
    ];
    const m = scoreMatrix(units, results, { kind: 'quarter', year: 2026, index: 3 }, DEFAULT_BANDS);
    expect(m.months).toEqual(['2026-07', '2026-08', '2026-09']);
    expect(m.rows.map((r) => r.unit.code)).toEqual(['A-UNIT', 'B-UNIT']);
    expect(m.rows[0]?.cells).toEqual([
      { month: '2026-07', score: null, band: null, tests: 0, unreachable: 0 },
      { month: '2026-08', score: null, band: null, tests: 0, unreachable: 0 },
      { month: '2026-09', score: 95, band: 'excellent', tests: 1, unreachable: 0 },
    ]);
    expect(m.rows[1]?.cells).toEqual([
      { month: '2026-07', score: 89.7, band: 'good', tests: 2, unreachable: 0 },
      { month: '2026-08', score: null, band: null, tests: 1, unreachable: 1 },
      { month: '2026-09', score: null, band: null, tests: 0, unreachable: 0 },
    ]);
  });
});

describe('the improvement cases of a period', () => {
  const kase = (id: number, openedAt: string, closedAt: string | null, resultId: number, retestResultId: number | null): CaseInput => ({
    id,
    unitId: 1,
    resultId,
    status: closedAt ? 'closed' : 'accepted',
    cause: null,
    actions: null,
    openedAt,
    closedAt,
    retestResultId,
  });
  const scores = new Map<number, number | null>([
    [10, 75],
    [11, 85],
    [12, 60],
    [13, 70],
  ]);
  const start = '2026-06-30T16:00:00.000Z';
  const end = '2026-09-30T16:00:00.000Z';

  it('takes cases open at some time within the period, oldest first, with the outcome of their re-test against the threshold', () => {
    const cases = [
      kase(3, '2026-09-30T15:59:59.000Z', '2026-10-05T02:00:00.000Z', 12, 13), // opened on 30 September, Taiwan time; re-test 70 < 80
      kase(4, '2026-09-30T16:00:00.000Z', null, 12, null), // 1 October in Taiwan: next quarter
      kase(2, '2026-07-10T02:00:00.000Z', null, 12, null), // no re-test yet
      kase(1, '2026-06-30T15:59:59.000Z', '2026-07-05T02:00:00.000Z', 10, 11), // opened the quarter before, closed in it; re-test 85 ≥ 80
      kase(5, '2026-05-01T02:00:00.000Z', '2026-06-15T02:00:00.000Z', 10, 11), // all before
      kase(6, '2026-05-02T02:00:00.000Z', null, 10, null), // opened the quarter before, still open: open through the whole quarter
      kase(7, '2026-05-03T02:00:00.000Z', '2026-10-03T02:00:00.000Z', 12, 13), // opened before, closed after: open through the whole quarter
      kase(8, '2026-05-04T02:00:00.000Z', '2026-06-30T16:00:00.000Z', 10, 11), // closed at the quarter's first Taiwan midnight: open in it
      kase(9, '2026-05-05T02:00:00.000Z', '2026-06-30T15:59:59.000Z', 10, 11), // closed a second before the quarter
    ];
    const out = periodCases(cases, scores, start, end, 80);
    expect(out.map((c) => [c.record.id, c.score, c.retestScore, c.outcome])).toEqual([
      [6, 75, null, 'pending'],
      [7, 60, 70, 'notImproved'],
      [8, 75, 85, 'improved'],
      [1, 75, 85, 'improved'],
      [2, 60, null, 'pending'],
      [3, 60, 70, 'notImproved'],
    ]);
  });

  it('counts a re-test exactly at the threshold as a pass', () => {
    expect(periodCases([kase(1, '2026-07-01T00:00:00.000Z', '2026-07-20T00:00:00.000Z', 10, 14)], new Map([[14, 80]]), start, end, 80)[0]?.outcome).toBe('improved');
  });
});

describe('the response rate', () => {
  it('is respondents over the population, and unknown without a population', () => {
    expect(responseRate(30, 120)).toBe(0.25);
    expect(responseRate(5, null)).toBeNull();
    expect(responseRate(5, 0)).toBeNull();
  });
});
