/**
 * The report's own arrangements of figures that the courtesy and statistics
 * modules compute: the period's first and last day, the monthly score table of
 * a scope (units × months, each cell the score table's rounded mean and band),
 * the improvement cases of the period with their outcome, and the response
 * rate. Pure: plain data in, plain data out.
 */
import type { Band, BandSettings } from '../courtesy/scoring';
import { buildScoreTable, type TestResult } from '../courtesy/score-table';
import { firstMonth, lastMonth, monthsOf, type Period } from './period';

/** First and last calendar day of a period (ISO dates), and the UTC instants that bound it in Taiwan time (UTC+8). */
export function periodDays(p: Period): { from: string; to: string; startInstant: string; endInstant: string } {
  const from = `${firstMonth(p)}-01`;
  const [y, m] = lastMonth(p).split('-').map(Number) as [number, number];
  const lastDay = new Date(Date.UTC(y, m, 0)).getUTCDate();
  const to = `${lastMonth(p)}-${String(lastDay).padStart(2, '0')}`;
  return {
    from,
    to,
    startInstant: new Date(Date.parse(`${from}T00:00:00+08:00`)).toISOString(),
    endInstant: new Date(Date.UTC(y, m, 1) - 8 * 3600_000).toISOString(),
  };
}

export interface MatrixUnit {
  id: number;
  code: string;
  nameZh: string;
  nameEn: string;
}

export interface MatrixRow {
  unit: MatrixUnit;
  /** One cell per month of the period: the month's score (mean of its tests, rounded once half up), band and tests. */
  cells: { month: string; score: number | null; band: Band | null; tests: number; unreachable: number }[];
}

/**
 * The monthly score table (成績表) of every unit tested in the period, one column per month:
 * each month is the score table the courtesy module builds for that month alone.
 */
export function scoreMatrix(units: readonly MatrixUnit[], results: readonly TestResult[], p: Period, bands: BandSettings): { months: string[]; rows: MatrixRow[] } {
  const months = monthsOf(p);
  const tables = months.map((month) => {
    const inMonth = results.filter((r) => r.testedOn.startsWith(month));
    const tested = units.filter((u) => inMonth.some((r) => r.unitId === u.id));
    return new Map(buildScoreTable(tested, inMonth, [], bands).rows.map((r) => [r.unitId, r]));
  });
  const rows = units
    .filter((u) => tables.some((t) => t.has(u.id)))
    .map((unit) => ({
      unit,
      cells: months.map((month, i) => {
        const r = tables[i]?.get(unit.id);
        return { month, score: r?.score ?? null, band: r?.band ?? null, tests: r?.tests ?? 0, unreachable: r?.unreachable ?? 0 };
      }),
    }))
    .sort((a, b) => a.unit.code.localeCompare(b.unit.code));
  return { months, rows };
}

export interface CaseInput {
  id: number;
  unitId: number;
  resultId: number;
  status: string;
  cause: string | null;
  actions: string | null;
  openedAt: string;
  closedAt: string | null;
  retestResultId: number | null;
}

export type CaseOutcome = 'improved' | 'notImproved' | 'pending';

export interface PeriodCase<C extends CaseInput> {
  record: C;
  /** The score that opened the case, and the re-test's, where known. */
  score: number | null;
  retestScore: number | null;
  outcome: CaseOutcome;
}

/**
 * Cases open at some time within the period (instants, start inclusive, end
 * exclusive): opened before its end and not closed before its start, so a
 * case opened earlier and still open (or closed later) is reported too. Oldest
 * first. A closed case improved when its re-test reached the follow-up
 * threshold; until the re-test it is pending.
 */
export function periodCases<C extends CaseInput>(cases: readonly C[], scores: ReadonlyMap<number, number | null>, startInstant: string, endInstant: string, threshold: number): PeriodCase<C>[] {
  return cases
    .filter((c) => c.openedAt < endInstant && (c.closedAt === null || c.closedAt >= startInstant))
    .sort((a, b) => a.openedAt.localeCompare(b.openedAt) || a.id - b.id)
    .map((record) => {
      const score = scores.get(record.resultId) ?? null;
      const retestScore = record.retestResultId === null ? null : (scores.get(record.retestResultId) ?? null);
      const outcome: CaseOutcome = record.retestResultId === null || retestScore === null ? 'pending' : retestScore >= threshold ? 'improved' : 'notImproved';
      return { record, score, retestScore, outcome };
    });
}

/** Respondents as a share of the population asked, where the population is known. */
export function responseRate(n: number, population: number | null): number | null {
  return population !== null && population > 0 ? n / population : null;
}
