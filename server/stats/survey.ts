/**
 * Summaries of one survey question or section from the stored aggregates: a
 * histogram of answers per question, and per section the complete-case sums
 * and cross-products. Satisfaction is the top-box share (the scale's
 * "satisfied" points, 非常滿意 + 滿意) over valid answers; "neutral" (the middle
 * point of an odd scale) and "not applicable" are reported apart, never
 * folded into either side.
 */
import { alphaIfDeleted, cronbachAlpha, meanInterval, wilson, type MeanInterval, type ProportionInterval } from './estimates';

export interface ScaleShape {
  /** The scale's values, in the order the survey lists them. */
  points: readonly number[];
  satisfied: readonly number[];
}

export interface LikertSummary {
  /** Valid answers: on the scale (not N/A). */
  n: number;
  notApplicable: number;
  satisfied: number;
  /** Answers at the middle point of an odd scale; null for an even scale, which has none. */
  neutral: number | null;
  share: ProportionInterval | null;
  mean: MeanInterval | null;
  distribution: { value: number; n: number; share: number }[];
}

export const NOT_APPLICABLE = 'na';

/** A Likert question's summary from its histogram (answer value → count). */
export function likertSummary(histogram: ReadonlyMap<string, number>, scale: ScaleShape): LikertSummary {
  let n = 0;
  let sum = 0;
  let sumSq = 0;
  let satisfied = 0;
  const byValue = new Map<number, number>();
  for (const point of scale.points) {
    const count = histogram.get(String(point)) ?? 0;
    byValue.set(point, count);
    n += count;
    sum += count * point;
    sumSq += count * point * point;
    if (scale.satisfied.includes(point)) satisfied += count;
  }
  const sorted = [...scale.points].sort((a, b) => a - b);
  const middle = sorted.length % 2 === 1 ? (sorted[(sorted.length - 1) / 2] as number) : null;
  return {
    n,
    notApplicable: histogram.get(NOT_APPLICABLE) ?? 0,
    satisfied,
    neutral: middle === null ? null : (byValue.get(middle) ?? 0),
    share: n > 0 ? wilson(satisfied, n) : null,
    mean: n > 0 ? meanInterval(n, sum, sumSq) : null,
    distribution: scale.points.map((value) => ({ value, n: byValue.get(value) ?? 0, share: n > 0 ? (byValue.get(value) ?? 0) / n : 0 })),
  };
}

export interface SectionSums {
  /** Complete cases. */
  n: number;
  /** Σxᵢ per item, in the section's order. */
  sums: number[];
  /** Σxᵢxⱼ, symmetric. */
  crossProducts: number[][];
}

export interface SectionSummary {
  n: number;
  /** The mean of each respondent's average over the section's items, with its t interval. */
  mean: MeanInterval | null;
  alpha: number | null;
  alphaIfDeleted: (number | null)[];
}

/**
 * A dimension's score: each complete case's average over the k items is a
 * respondent-level score s = Σxᵢ/k, so Σs = Σᵢ sumᵢ / k and Σs² = Σᵢⱼ crossᵢⱼ / k²;
 * its mean and interval follow exactly from the aggregates.
 */
export function sectionSummary(s: SectionSums): SectionSummary {
  const k = s.sums.length;
  if (s.n < 1 || k === 0) return { n: s.n, mean: null, alpha: null, alphaIfDeleted: s.sums.map(() => null) };
  const sum = s.sums.reduce((a, b) => a + b, 0) / k;
  const sumSq = s.crossProducts.reduce((a, row) => a + row.reduce((b, c) => b + c, 0), 0) / (k * k);
  const stats = { n: s.n, sums: s.sums, crossProducts: s.crossProducts };
  return { n: s.n, mean: meanInterval(s.n, sum, sumSq), alpha: k >= 2 ? cronbachAlpha(stats) : null, alphaIfDeleted: k >= 2 ? alphaIfDeleted(stats) : [null] };
}
