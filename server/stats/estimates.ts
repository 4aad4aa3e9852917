/**
 * Estimates with their uncertainty, as printed in satisfaction-survey reports: the top-2-box share with a
 * Wilson interval, the mean score with a t interval, the margin of error sentence
 * 「在95%信心水準下，抽樣誤差為±x個百分點」 and Cronbach's α. Inputs are the sufficient statistics the
 * aggregates store (counts, Σx, Σx², Σxᵢxⱼ), never raw answers.
 */
import { normalQuantile, tQuantile } from './distributions';

export interface ProportionInterval {
  p: number;
  lower: number;
  upper: number;
}

export interface MeanInterval {
  mean: number;
  /** Sample standard deviation (divisor n − 1); null when n = 1, where it is undefined. */
  sd: number | null;
  lower: number | null;
  upper: number | null;
}

function checkLevel(level: number): void {
  if (!(level > 0 && level < 1)) throw new RangeError(`confidence level must be in (0, 1), got ${level}`);
}

/** z such that P(|Z| ≤ z) = level. */
export function twoSidedZ(level: number): number {
  checkLevel(level);
  return normalQuantile(1 - (1 - level) / 2);
}

/**
 * Wilson score interval for a proportion (Wilson 1927). Chosen over the Wald interval because survey
 * shares are often near 100 % (satisfaction) or near 0 % (complaints), where Wald collapses to a point or
 * leaves [0, 1]. At 0 and n successes the end that is exactly 0 or 1 is set exactly, not left to rounding.
 */
export function wilson(successes: number, n: number, level = 0.95): ProportionInterval {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`n must be a positive integer, got ${n}`);
  if (!Number.isInteger(successes) || successes < 0 || successes > n) {
    throw new RangeError(`successes must be an integer in [0, n], got ${successes}`);
  }
  const z = twoSidedZ(level);
  const p = successes / n;
  const z2n = (z * z) / n;
  const centre = (p + z2n / 2) / (1 + z2n);
  const half = (z / (1 + z2n)) * Math.sqrt((p * (1 - p)) / n + z2n / (4 * n));
  return {
    p,
    lower: successes === 0 ? 0 : Math.max(0, centre - half),
    upper: successes === n ? 1 : Math.min(1, centre + half),
  };
}

/**
 * Mean with a Student t interval from n, Σx and Σx². The corrected sum of squares Σx² − (Σx)²/n cancels
 * when the spread is tiny against the mean; a result below the rounding noise of Σx² (4nε·Σx²) is
 * treated as zero variance rather than reported as a spurious small or negative spread.
 */
export function meanInterval(n: number, sum: number, sumSq: number, level = 0.95): MeanInterval {
  checkLevel(level);
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`n must be a positive integer, got ${n}`);
  const mean = sum / n;
  if (n === 1) return { mean, sd: null, lower: null, upper: null };
  let ss = sumSq - sum * mean;
  if (ss <= 4 * n * Number.EPSILON * Math.abs(sumSq)) ss = 0;
  const sd = Math.sqrt(ss / (n - 1));
  const half = tQuantile(1 - (1 - level) / 2, n - 1) * (sd / Math.sqrt(n));
  return { mean, sd, lower: mean - half, upper: mean + half };
}

export interface MarginOfErrorInput {
  /** Number of valid answers. */
  n: number;
  /** Observed proportion, if the observed (rather than only the conservative) margin is wanted. */
  p?: number;
  /** Population size N; when given, the finite population correction √((N − n)/(N − 1)) is applied. */
  population?: number;
  level?: number;
}

export interface MarginOfError {
  /** Margin at p = ½, the figure conventionally printed in the sampling-error sentence (a proportion: 0.03 = ±3 points). */
  conservative: number;
  /** Margin at the observed p, or null when p was not given. */
  observed: number | null;
  /** The finite population correction factor applied (1 when no population was given). */
  fpc: number;
}

/**
 * Margin of error z·√(p(1 − p)/n)·fpc of a simple random sample proportion. The conservative value uses
 * p = ½, the worst case, which is what 「抽樣誤差為±x個百分點」 conventionally reports (n = 1,068 gives ±3).
 */
export function marginOfError(input: MarginOfErrorInput): MarginOfError {
  const { n, p, population, level = 0.95 } = input;
  if (!(n >= 1)) throw new RangeError(`n must be at least 1, got ${n}`);
  if (p !== undefined && !(p >= 0 && p <= 1)) throw new RangeError(`p must be in [0, 1], got ${p}`);
  let fpc = 1;
  if (population !== undefined) {
    if (!(population >= n)) throw new RangeError(`population ${population} is smaller than the sample ${n}`);
    // A census (n = N) has no sampling error; this also covers N = 1, where the formula is 0/0.
    fpc = population === n ? 0 : Math.sqrt((population - n) / (population - 1));
  }
  const z = twoSidedZ(level);
  const margin = (q: number): number => z * Math.sqrt((q * (1 - q)) / n) * fpc;
  return { conservative: margin(0.5), observed: p === undefined ? null : margin(p), fpc };
}

export interface ItemStatistics {
  /** Complete cases: respondents who answered every item. */
  n: number;
  /** Σxᵢ per item. */
  sums: number[];
  /** Σxᵢxⱼ for every pair of items (symmetric, diagonal Σxᵢ²). */
  crossProducts: number[][];
}

/** Sample covariance matrix (divisor n − 1) from the sums and cross-products. */
function covariances(stats: ItemStatistics): number[][] {
  const { n, sums, crossProducts } = stats;
  const k = sums.length;
  if (crossProducts.length !== k) throw new RangeError('crossProducts must be k × k');
  return sums.map((si, i) => {
    const row = crossProducts[i];
    if (row === undefined || row.length !== k) throw new RangeError('crossProducts must be k × k');
    return sums.map((sj, j) => ((row[j] ?? NaN) - (si * sj) / n) / (n - 1));
  });
}

/** α of the items whose indices are listed, from the full covariance matrix. */
function alphaOf(cov: number[][], items: number[]): number | null {
  const k = items.length;
  if (k < 2) return null;
  let itemVariance = 0;
  let totalVariance = 0;
  for (const i of items) {
    const row = cov[i] ?? [];
    itemVariance += row[i] ?? NaN;
    for (const j of items) totalVariance += row[j] ?? NaN;
  }
  if (!(totalVariance > 0)) return null;
  const alpha = (k / (k - 1)) * (1 - itemVariance / totalVariance);
  // α ≤ 1 in exact arithmetic (the variance of a sum is at most k times the sum of the variances, by
  // Cauchy–Schwarz); rounding can overshoot by an ulp when all items are perfectly correlated.
  return Math.min(1, alpha);
}

/**
 * Cronbach's α = k/(k − 1)·(1 − Σ var(xᵢ) / var(Σxᵢ)) from complete-case sufficient statistics.
 * Null when it is undefined: fewer than two items or respondents, or a total score with no variance.
 * α may be negative (items that contradict each other); it is reported as computed.
 */
export function cronbachAlpha(stats: ItemStatistics): number | null {
  if (stats.n < 2) return null;
  const cov = covariances(stats);
  return alphaOf(cov, stats.sums.map((_, i) => i));
}

/** α recomputed with each item left out in turn (the usual item-analysis table); null where undefined. */
export function alphaIfDeleted(stats: ItemStatistics): (number | null)[] {
  const k = stats.sums.length;
  if (stats.n < 2) return stats.sums.map(() => null);
  const cov = covariances(stats);
  const all = stats.sums.map((_, i) => i);
  return all.map((dropped) => alphaOf(cov, all.filter((i) => i !== dropped && i < k)));
}
