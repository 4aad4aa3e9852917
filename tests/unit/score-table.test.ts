import { buildScoreTable, type TestResult } from '../../server/courtesy/score-table';
import { deadlineOf } from '../../server/courtesy/results-service';
import { DEFAULT_BANDS } from '../../server/courtesy/scoring';

const unit = (id: number, code: string) => ({ id, code, nameZh: code, nameEn: '' });
const result = (unitId: number, testedOn: string, total: number | null, deductions: string[] = [], kind: TestResult['kind'] = 'scored'): TestResult => ({
  unitId,
  testedOn,
  kind,
  total,
  deductions: deductions.map((itemKey) => ({ itemKey, lost: 1 })),
});

describe('the monthly score table', () => {
  const units = [unit(1, 'A'), unit(2, 'B'), unit(3, 'C'), unit(4, 'D')];
  const month = [
    result(1, '2026-12-03', 92.5, ['un.surname']),
    result(1, '2026-12-20', 87.4, ['un.surname', 'un.tone']),
    result(2, '2026-12-04', 89.95), // mean of one test: 89.95 → 90.0, ties with A's (92.5 + 87.4) / 2 = 89.95 → 90.0
    result(3, '2026-12-05', 61.0, ['un.tone']),
    result(4, '2026-12-06', null, [], 'unreachable'),
  ];
  const before = [result(1, '2026-10-02', 80.0), result(1, '2026-11-02', 85.0), result(3, '2026-11-09', 70.0)];
  const { rows, deductions } = buildScoreTable(units, month, before, DEFAULT_BANDS);

  test('the mean of the month, rounded once half up; equal scores share a rank and the next rank is skipped', () => {
    expect(rows.map((r) => [r.code, r.score, r.band, r.rank])).toEqual([
      ['A', 90, 'excellent', 1],
      ['B', 90, 'excellent', 1],
      ['C', 61, 'poor', 3],
      ['D', null, null, null],
    ]);
  });

  test('the change is against the latest test before the month', () => {
    const byCode = Object.fromEntries(rows.map((r) => [r.code, r]));
    expect(byCode.A).toMatchObject({ previous: 85, change: 5, tests: 2 });
    expect(byCode.C).toMatchObject({ previous: 70, change: -9 });
    expect(byCode.B).toMatchObject({ previous: null, change: null });
    expect(byCode.D).toMatchObject({ tests: 1, unreachable: 1 });
  });

  test('deductions are counted once per test, most frequent first', () => {
    expect(deductions).toEqual([
      { itemKey: 'un.surname', count: 2 },
      { itemKey: 'un.tone', count: 2 },
    ]);
  });
});

test('results of a month are due on the set day of the next month', () => {
  expect(deadlineOf('2026-12-15', 3)).toBe('2027-01-03');
  expect(deadlineOf('2026-01-31', 3)).toBe('2026-02-03');
  expect(deadlineOf('2026-06-01', 10)).toBe('2026-07-10');
});
