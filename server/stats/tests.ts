/**
 * Hypothesis tests behind the trend and comparison sentences of a report ("satisfaction rose from 82 % to
 * 88 %, a significant change"). Every function returns the statistic and a two-sided p-value; `verdict`
 * is the only place that turns them into words, so that a change is claimed only when a test supports it.
 */
import { normalTwoSidedP, tQuantile, tTwoSidedP } from './distributions';

export interface ZResult {
  z: number;
  p: number;
}

/**
 * Two-proportion z test with the pooled proportion in the standard error (the test of H0: p₁ = p₂).
 * z > 0 means group 1 is higher. When both groups are all-0 or all-1 there is no evidence of a
 * difference: z = 0, p = 1.
 */
export function twoProportionZ(x1: number, n1: number, x2: number, n2: number): ZResult {
  for (const [x, n] of [[x1, n1], [x2, n2]] as const) {
    if (!Number.isInteger(n) || n < 1 || !Number.isInteger(x) || x < 0 || x > n) {
      throw new RangeError(`need integer counts 0 ≤ x ≤ n, n ≥ 1; got ${x}/${n}`);
    }
  }
  const pooled = (x1 + x2) / (n1 + n2);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  if (se === 0) return { z: 0, p: 1 };
  const z = (x1 / n1 - x2 / n2) / se;
  return { z, p: normalTwoSidedP(z) };
}

export interface TResult {
  t: number;
  df: number;
  p: number;
}

/**
 * Welch's unequal-variance t test with Welch–Satterthwaite degrees of freedom
 * df = (v₁/n₁ + v₂/n₂)² / ((v₁/n₁)²/(n₁ − 1) + (v₂/n₂)²/(n₂ − 1)). t > 0 means group 1 is higher.
 * With no variance in either group the test is undefined: equal means give t = 0, p = 1; different
 * means give NaN (and so no verdict) rather than a certainty the data cannot carry.
 */
export function welchT(n1: number, mean1: number, sd1: number, n2: number, mean2: number, sd2: number): TResult {
  if (!(n1 >= 2 && n2 >= 2)) throw new RangeError(`each group needs at least 2 answers, got ${n1} and ${n2}`);
  if (!(sd1 >= 0 && sd2 >= 0)) throw new RangeError('standard deviations must be non-negative');
  const a = (sd1 * sd1) / n1;
  const b = (sd2 * sd2) / n2;
  const se = Math.sqrt(a + b);
  if (se === 0) return mean1 === mean2 ? { t: 0, df: n1 + n2 - 2, p: 1 } : { t: NaN, df: NaN, p: NaN };
  const t = (mean1 - mean2) / se;
  const df = ((a + b) * (a + b)) / ((a * a) / (n1 - 1) + (b * b) / (n2 - 1));
  return { t, df, p: tTwoSidedP(t, df) };
}

export interface TrendResult {
  slope: number;
  intercept: number;
  /** Standard error of the slope. */
  se: number;
  lower: number;
  upper: number;
  /** Two-sided p-value of H0: slope = 0, on n − 2 degrees of freedom. */
  p: number;
}

/**
 * Ordinary least squares y = intercept + slope·x with a t interval for the slope (level 95 % by default).
 * Sums are taken about the means (two-pass), which avoids the cancellation of the textbook Σxy − n·x̄ȳ
 * when x is a year or a month number. Needs three points (one residual degree of freedom) and two
 * distinct x values.
 */
export function olsTrend(points: readonly { x: number; y: number }[], level = 0.95): TrendResult {
  const n = points.length;
  if (n < 3) throw new RangeError(`a trend needs at least 3 points, got ${n}`);
  if (!(level > 0 && level < 1)) throw new RangeError(`confidence level must be in (0, 1), got ${level}`);
  const mx = points.reduce((s, q) => s + q.x, 0) / n;
  const my = points.reduce((s, q) => s + q.y, 0) / n;
  let sxx = 0;
  let sxy = 0;
  for (const q of points) {
    sxx += (q.x - mx) * (q.x - mx);
    sxy += (q.x - mx) * (q.y - my);
  }
  if (sxx === 0) throw new RangeError('all points share one x value: no trend can be estimated');
  const slope = sxy / sxx;
  const intercept = my - slope * mx;
  let rss = 0;
  for (const q of points) {
    const r = q.y - my - slope * (q.x - mx);
    rss += r * r;
  }
  const df = n - 2;
  const se = Math.sqrt(rss / df / sxx);
  const half = tQuantile(1 - (1 - level) / 2, df) * se;
  let p: number;
  if (se === 0) p = slope === 0 ? 1 : 0;
  else p = tTwoSidedP(slope / se, df);
  return { slope, intercept, se, lower: slope - half, upper: slope + half, p };
}

export type Verdict = 'up' | 'down' | 'none';

/**
 * Words for a test result: 'up' or 'down' only when p < α (default .05) and the estimated change has that
 * sign; otherwise 'none'. A missing or undefined p (NaN) never yields a claim.
 */
export function verdict(p: number, direction: number, alpha = 0.05): Verdict {
  if (!(p < alpha)) return 'none';
  if (direction > 0) return 'up';
  if (direction < 0) return 'down';
  return 'none';
}
