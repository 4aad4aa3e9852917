import type { Lang, Translate } from '../platform/i18n';
import type { Cell, Column } from '../exports/table';
import { formatRocMonth } from '../platform/roc-date';
import type { Band, BandSettings, Deduction } from './scoring';
import { bandOf, roundHalfUp1 } from './scoring';

/** The monthly score table (成績表): each unit's score, band, rank and change, and the most frequent deductions. */
export interface ScoreRow {
  unitId: number;
  code: string;
  nameZh: string;
  nameEn: string;
  tests: number;
  unreachable: number;
  score: number | null;
  band: Band | null;
  rank: number | null;
  previous: number | null;
  change: number | null;
}

export interface DeductionCount {
  itemKey: string;
  count: number;
}

export interface TestResult {
  unitId: number;
  testedOn: string;
  kind: 'scored' | 'unreachable';
  total: number | null;
  deductions: Deduction[];
}

/**
 * A unit's score for the month is the mean of its tests' totals (unreachable
 * tests count with the score the rule gave them, if any), rounded once half up.
 * Ranks are competition ranks: equal scores share a rank, the next is skipped.
 * The change is against the unit's latest test before the month.
 */
export function buildScoreTable(
  units: readonly { id: number; code: string; nameZh: string; nameEn: string }[],
  month: readonly TestResult[],
  before: readonly TestResult[],
  bands: BandSettings,
): { rows: ScoreRow[]; deductions: DeductionCount[] } {
  const rows = units.map((u): ScoreRow => {
    const mine = month.filter((r) => r.unitId === u.id);
    const totals = mine.map((r) => r.total).filter((t): t is number => t !== null);
    const score = totals.length > 0 ? roundHalfUp1(totals.reduce((a, b) => a + b, 0) / totals.length) : null;
    const prior = before.filter((r) => r.unitId === u.id && r.total !== null).sort((a, b) => a.testedOn.localeCompare(b.testedOn));
    const previous = prior.length > 0 ? (prior[prior.length - 1]?.total ?? null) : null;
    return {
      unitId: u.id,
      code: u.code,
      nameZh: u.nameZh,
      nameEn: u.nameEn,
      tests: mine.length,
      unreachable: mine.filter((r) => r.kind === 'unreachable').length,
      score,
      band: score === null ? null : bandOf(score, bands),
      rank: null,
      previous,
      change: score !== null && previous !== null ? roundHalfUp1(score - previous) : null,
    };
  });
  const scored = rows.filter((r) => r.score !== null).sort((a, b) => (b.score as number) - (a.score as number));
  scored.forEach((r, i) => {
    const prev = scored[i - 1];
    r.rank = prev && prev.score === r.score ? prev.rank : i + 1;
  });
  rows.sort((a, b) => (a.rank ?? Infinity) - (b.rank ?? Infinity) || a.code.localeCompare(b.code));
  const counts = new Map<string, number>();
  for (const r of month) for (const d of new Set(r.deductions.map((x) => x.itemKey))) counts.set(d, (counts.get(d) ?? 0) + 1);
  const deductions = [...counts.entries()].map(([itemKey, count]) => ({ itemKey, count })).sort((a, b) => b.count - a.count || a.itemKey.localeCompare(b.itemKey));
  return { rows, deductions };
}

/** The score table for export: numbers as numbers (scores with one decimal), the month in ISO and in ROC form. */
export function scoreTableColumns(t: Translate): Column[] {
  return [
    { key: 'rank', header: t('scores.col.rank') },
    { key: 'unit_code', header: t('allocation.col.unitCode') },
    { key: 'unit', header: t('allocation.col.unit') },
    { key: 'tests', header: t('scores.col.tests') },
    { key: 'score', header: t('scores.col.score'), decimals: 1 },
    { key: 'band', header: t('scores.col.band') },
    { key: 'previous', header: t('scores.col.previous'), decimals: 1 },
    { key: 'change', header: t('scores.col.change'), decimals: 1 },
    { key: 'month', header: t('allocation.col.month') },
    { key: 'roc_month', header: t('scores.col.rocMonth') },
  ];
}

export function scoreTableRows(table: { month: string; rows: readonly ScoreRow[] }, lang: Lang, t: Translate): Cell[][] {
  const rocMonth = formatRocMonth(Number(table.month.slice(0, 4)), Number(table.month.slice(5, 7)), 'zh-TW');
  return table.rows.map((r) => [
    r.rank,
    r.code,
    lang === 'en' && r.nameEn ? r.nameEn : r.nameZh,
    r.tests,
    r.score,
    r.band === null ? null : t(`band.${r.band}`),
    r.previous,
    r.change,
    table.month,
    rocMonth,
  ]);
}
