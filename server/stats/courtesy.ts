/**
 * Phone-test statistics over the latest revision of each counted result:
 * mean score with its t interval per group, the band distribution, the share
 * below the follow-up threshold, how often each sheet item lost points, and
 * the change against another period in percent. Unreachable tests have no
 * score: they are counted apart, never as zero.
 */
import type * as SimpleStatistics from 'simple-statistics' with { 'resolution-mode': 'import' };
import { tQuantile } from './distributions';
import { wilson, type MeanInterval, type ProportionInterval } from './estimates';

// simple-statistics ships a CommonJS build, but its type declarations are ECMAScript-module only.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const ss = require('simple-statistics') as typeof SimpleStatistics;

export type Band = 'excellent' | 'good' | 'fair' | 'poor';
export const BANDS: readonly Band[] = ['excellent', 'good', 'fair', 'poor'];

export interface TestResult {
  total: number | null;
  band: Band | null;
  deductions: readonly { itemKey: string; lost: number }[];
}

export interface ScoreSummary {
  /** Scored tests. */
  n: number;
  unreachable: number;
  mean: MeanInterval | null;
  bands: Record<Band, number>;
  /** Scored tests below the follow-up threshold, with a Wilson interval of their share. */
  below: number;
  belowShare: ProportionInterval | null;
}

/**
 * Mean with the t interval from raw scores (here the scores themselves are at hand, not sums). The
 * interval is cut to the possible scores (0–100 by default): a mean near full marks with a few
 * tests would otherwise reach past 100.
 */
export function scoreMean(scores: readonly number[], level = 0.95, range: readonly [number, number] = [0, 100]): MeanInterval | null {
  if (scores.length === 0) return null;
  const m = ss.mean([...scores]);
  if (scores.length === 1) return { mean: m, sd: null, lower: null, upper: null };
  const sd = ss.sampleStandardDeviation([...scores]);
  const half = tQuantile(1 - (1 - level) / 2, scores.length - 1) * (sd / Math.sqrt(scores.length));
  return { mean: m, sd, lower: Math.max(range[0], m - half), upper: Math.min(range[1], m + half) };
}

export function scoreSummary(results: readonly TestResult[], threshold: number): ScoreSummary {
  const scores = results.flatMap((r) => (r.total === null ? [] : [r.total]));
  const bands: Record<Band, number> = { excellent: 0, good: 0, fair: 0, poor: 0 };
  for (const r of results) if (r.total !== null && r.band !== null) bands[r.band] += 1;
  const below = scores.filter((s) => s < threshold).length;
  return {
    n: scores.length,
    unreachable: results.length - scores.length,
    mean: scoreMean(scores),
    bands,
    below,
    belowShare: scores.length > 0 ? wilson(below, scores.length) : null,
  };
}

export interface DeductionFrequency {
  itemKey: string;
  /** Scored tests in which the item lost points. */
  tests: number;
  /** Their share of the scored tests. */
  share: number;
  /** Points lost on the item over all scored tests, divided by the scored tests. */
  meanLost: number;
}

/** Items by how often they lost points, most frequent first (ties: more points lost, then key). */
export function deductionFrequency(results: readonly TestResult[]): DeductionFrequency[] {
  const scored = results.filter((r) => r.total !== null);
  const byItem = new Map<string, { tests: number; lost: number }>();
  for (const r of scored) {
    const seen = new Set<string>();
    for (const d of r.deductions) {
      if (!(d.lost > 0)) continue;
      const e = byItem.get(d.itemKey) ?? { tests: 0, lost: 0 };
      if (!seen.has(d.itemKey)) e.tests += 1;
      seen.add(d.itemKey);
      e.lost += d.lost;
      byItem.set(d.itemKey, e);
    }
  }
  return [...byItem]
    .map(([itemKey, e]) => ({ itemKey, tests: e.tests, share: e.tests / scored.length, meanLost: e.lost / scored.length }))
    .sort((a, b) => b.tests - a.tests || b.meanLost - a.meanLost || a.itemKey.localeCompare(b.itemKey));
}

/** Change from `before` to `after` in percent of `before`; null where `before` is missing or zero. */
export function percentChange(before: number | null | undefined, after: number | null | undefined): number | null {
  if (before === null || before === undefined || after === null || after === undefined || before === 0) return null;
  return ((after - before) / before) * 100;
}
