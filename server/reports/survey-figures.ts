/**
 * A survey's figures for a scope and period, from aggregate rows: each Likert
 * question's satisfaction and distribution, each dimension's score and α, the
 * trend of the overall question, comparisons with earlier periods, and units
 * against the rest of their scope. Pure: rows in, numbers out.
 */
import type { Survey } from '../surveys/definition';
import { marginOfError, type MarginOfError, type ProportionInterval } from '../stats/estimates';
import { likertSummary, sectionSummary, type LikertSummary, type ScaleShape, type SectionSummary } from '../stats/survey';
import { olsTrend, twoProportionZ, verdict, welchT, type TrendResult, type Verdict } from '../stats/tests';
import { ITEM_SUM, SECTION_N } from '../surveys/aggregate';
import type { CountRow, SectionRow, UnitCountRow } from './dashboard-repo';

/** Fewer valid answers than this and a point's interval is wide: the chart and table say so. */
export const SMALL_N = 30;

export type Histograms = Map<string, Map<string, number>>;

export interface LikertQuestion {
  key: string;
  sectionKey: string;
  text: { 'zh-TW': string; en: string };
  scale: ScaleShape & { labels: { value: number; label: { 'zh-TW': string; en: string } }[] };
}

export function likertQuestions(survey: Survey): LikertQuestion[] {
  return survey.sections.flatMap((section) =>
    section.questions.flatMap((q) => {
      if (q.type !== 'likert') return [];
      const scale = survey.scales[q.scale];
      if (!scale) return [];
      return [{ key: q.key, sectionKey: section.key, text: q.text, scale: { points: scale.points.map((p) => p.value), satisfied: scale.satisfied, labels: scale.points } }];
    }),
  );
}

/** The question reports lead with: "overall" where the survey has it, else its first Likert question. */
export function overallQuestion(questions: readonly LikertQuestion[]): LikertQuestion | undefined {
  return questions.find((q) => q.key === 'overall') ?? questions[0];
}

/** Histograms per question over the months listed (all rows when none are). */
export function histograms(rows: readonly CountRow[], months?: ReadonlySet<string>): Histograms {
  const out: Histograms = new Map();
  for (const r of rows) {
    if (months && !months.has(r.month)) continue;
    const h = out.get(r.questionKey) ?? new Map<string, number>();
    h.set(r.value, (h.get(r.value) ?? 0) + r.n);
    out.set(r.questionKey, h);
  }
  return out;
}

export function questionSummary(h: Histograms, q: LikertQuestion): LikertSummary {
  return likertSummary(h.get(q.key) ?? new Map(), q.scale);
}

export interface Dimension {
  key: string;
  title: { 'zh-TW': string; en: string };
  items: string[];
  summary: SectionSummary;
}

/** Dimension scores and reliability from the complete-case section sums (rows of one key, e.g. one per month, add up). */
export function dimensions(survey: Survey, rows: readonly SectionRow[]): Dimension[] {
  const byKey = new Map<string, number>();
  for (const r of rows) {
    const key = `${r.sectionKey}\u0000${r.itemI}\u0000${r.itemJ}`;
    byKey.set(key, (byKey.get(key) ?? 0) + r.sum);
  }
  const sum = (s: string, i: string, j: string) => byKey.get(`${s}\u0000${i}\u0000${j}`) ?? 0;
  return survey.sections.flatMap((section) => {
    const items = section.questions.filter((q) => q.type === 'likert').map((q) => q.key);
    if (items.length === 0) return [];
    const n = sum(section.key, SECTION_N, SECTION_N);
    const sums = items.map((i) => sum(section.key, i, ITEM_SUM));
    // Only i ≤ j is stored; the matrix is symmetric.
    const crossProducts = items.map((a, i) => items.map((b, j) => (i <= j ? sum(section.key, a, b) : sum(section.key, b, a))));
    return [{ key: section.key, title: section.title, items, summary: sectionSummary({ n, sums, crossProducts }) }];
  });
}

export interface TrendPoint {
  label: string;
  n: number;
  share: ProportionInterval | null;
  small: boolean;
}

export interface Trend {
  points: TrendPoint[];
  /** OLS of the satisfied share on the point's position (slope per point), over points with answers; null with fewer than 3. */
  fit: TrendResult | null;
  verdict: Verdict;
}

export function trend(rows: readonly CountRow[], q: LikertQuestion, buckets: readonly { label: string; months: readonly string[] }[]): Trend {
  const points = buckets.map((b) => {
    const s = questionSummary(histograms(rows, new Set(b.months)), q);
    return { label: b.label, n: s.n, share: s.share, small: s.n < SMALL_N };
  });
  const xy = points.flatMap((p, x) => (p.share ? [{ x, y: p.share.p }] : []));
  let fit: TrendResult | null = null;
  if (xy.length >= 3 && new Set(xy.map((p) => p.x)).size >= 2) fit = olsTrend(xy);
  return { points, fit, verdict: fit ? verdict(fit.p, fit.slope) : 'none' };
}

export interface Comparison {
  /** Difference in the satisfied share, current − other, in proportion points. */
  shareDiff: number | null;
  shareP: number | null;
  shareVerdict: Verdict;
  meanDiff: number | null;
  meanP: number | null;
  meanVerdict: Verdict;
}

/** Current against another period: two-proportion z-test on the satisfied share, Welch's t-test on the mean. */
export function compare(current: LikertSummary, other: LikertSummary): Comparison {
  const out: Comparison = { shareDiff: null, shareP: null, shareVerdict: 'none', meanDiff: null, meanP: null, meanVerdict: 'none' };
  if (current.n > 0 && other.n > 0) {
    const z = twoProportionZ(current.satisfied, current.n, other.satisfied, other.n);
    out.shareDiff = current.satisfied / current.n - other.satisfied / other.n;
    out.shareP = z.p;
    out.shareVerdict = verdict(z.p, out.shareDiff);
  }
  const a = current.mean;
  const b = other.mean;
  if (a && b && a.sd !== null && b.sd !== null && current.n >= 2 && other.n >= 2) {
    const t = welchT(current.n, a.mean, a.sd, other.n, b.mean, b.sd);
    if (Number.isFinite(t.p)) {
      out.meanDiff = a.mean - b.mean;
      out.meanP = t.p;
      out.meanVerdict = verdict(t.p, out.meanDiff);
    }
  }
  return out;
}

export interface UnitFigure {
  unitId: number;
  n: number;
  share: ProportionInterval | null;
  small: boolean;
  /** Against the rest of the scope (two-proportion z); null where either side has no answers. */
  vsRestP: number | null;
  vsRest: Verdict;
}

/** Units of the scope, highest satisfied share first, each tested against all the others together. */
export function unitFigures(rows: readonly UnitCountRow[], q: LikertQuestion): UnitFigure[] {
  const byUnit = new Map<number, Map<string, number>>();
  for (const r of rows) {
    const h = byUnit.get(r.unitId) ?? new Map<string, number>();
    h.set(r.value, (h.get(r.value) ?? 0) + r.n);
    byUnit.set(r.unitId, h);
  }
  const summaries = [...byUnit].map(([unitId, h]) => ({ unitId, s: likertSummary(h, q.scale) }));
  const totalN = summaries.reduce((a, u) => a + u.s.n, 0);
  const totalSat = summaries.reduce((a, u) => a + u.s.satisfied, 0);
  return summaries
    .filter((u) => u.s.n > 0)
    .map(({ unitId, s }) => {
      const restN = totalN - s.n;
      let vsRestP: number | null = null;
      let vsRest: Verdict = 'none';
      if (restN > 0) {
        const z = twoProportionZ(s.satisfied, s.n, totalSat - s.satisfied, restN);
        vsRestP = z.p;
        vsRest = verdict(z.p, s.satisfied / s.n - (totalSat - s.satisfied) / restN);
      }
      return { unitId, n: s.n, share: s.share, small: s.n < SMALL_N, vsRestP, vsRest };
    })
    .sort((a, b) => (b.share?.p ?? 0) - (a.share?.p ?? 0) || b.n - a.n || a.unitId - b.unitId);
}

/** The margin of error of the overall share, with the finite population correction when the population is known. */
export function margin(s: LikertSummary, population?: number): MarginOfError | null {
  if (s.n < 1) return null;
  return marginOfError({ n: s.n, p: s.share?.p, population: population !== undefined && population >= s.n ? population : undefined });
}

/**
 * The staff survey's suppression rule. A figure is only ever a sum over whole
 * (respondent unit, year) cells of at least `min` respondents: smaller cells
 * are left out of every figure, totals included, so no difference between two
 * figures (of two scopes, two units, a unit and its scope) can isolate fewer
 * than `min` people. Periods are whole years for the same reason.
 */
export function staffCells(respondents: readonly { unitId: number; year: number; n: number }[], min = 5): Map<number, number[]> {
  const out = new Map<number, number[]>();
  for (const r of respondents) {
    if (r.n < min) continue;
    out.set(r.year, [...(out.get(r.year) ?? []), r.unitId].sort((a, b) => a - b));
  }
  return out;
}
