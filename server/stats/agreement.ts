/**
 * Inter-rater agreement for calibration rounds of phone-test scoring, where several testers score the same
 * recorded calls: the intraclass correlation ICC(2,1) for total scores (testers are a sample of all the
 * testers who could have scored, and a tester who is systematically harsher counts as disagreement), and
 * Krippendorff's α for ordinal item ratings, which tolerates a tester missing some calls.
 *
 * The F quantile that the ICC interval needs lives here, built on distributions.betaIncReg, so that the
 * shared distributions module is left alone until a second user needs it.
 */
import { betaIncReg } from './distributions';

const EPS = Number.EPSILON;

/** P(F ≤ x) or P(F > x) for F(d1, d2): I_u(d1/2, d2/2) with u = d1·x/(d1·x + d2), and 1 − u formed without subtraction. */
function fTail(x: number, d1: number, d2: number, upper: boolean): number {
  const s = d1 * x + d2;
  const u = (d1 * x) / s;
  const w = d2 / s;
  return upper ? betaIncReg(d2 / 2, d1 / 2, w, u) : betaIncReg(d1 / 2, d2 / 2, u, w);
}

/**
 * Quantile of the F distribution with d1 and d2 degrees of freedom (non-integer allowed, as the
 * Satterthwaite degrees of freedom of the ICC interval are). Solves on whichever tail is smaller, so that
 * p = 0.975 is found through 0.025 without losing digits to 1 − p, by bisection on ln x: the tails are
 * monotone, and about sixty halvings reach full precision from a bracket found by doubling.
 */
export function fQuantile(p: number, d1: number, d2: number): number {
  if (Number.isNaN(p) || p < 0 || p > 1 || !(d1 > 0) || !(d2 > 0)) return NaN;
  if (p === 0) return 0;
  if (p === 1) return Infinity;
  const upper = p > 0.5;
  const target = upper ? 1 - p : p;
  // below(x) is true when x lies below the quantile.
  const below = (x: number): boolean => (upper ? fTail(x, d1, d2, true) > target : fTail(x, d1, d2, false) < target);
  let lo = 1;
  let hi = 1;
  if (below(1)) {
    while (below(hi)) {
      lo = hi;
      hi *= 2;
      if (hi === Infinity) return Infinity;
    }
  } else {
    while (!below(lo)) {
      hi = lo;
      lo /= 2;
      if (lo === 0) return 0;
    }
  }
  for (let i = 0; i < 200 && hi > lo * (1 + 4 * EPS); i++) {
    const mid = lo * Math.sqrt(hi / lo);
    if (mid <= lo || mid >= hi) break;
    if (below(mid)) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}

export interface IccResult {
  icc: number;
  lower: number;
  upper: number;
}

/**
 * ICC(2,1) of Shrout & Fleiss (1979): two-way random effects, absolute agreement, single rater,
 * (MSR − MSE) / (MSR + (k − 1)·MSE + k·(MSC − MSE)/n) from the two-way ANOVA of ratings[subject][rater]
 * (n subjects, k raters, every rater scores every subject). The interval (95 % by default) is that of
 * McGraw & Wong (1996, case 2A), with Satterthwaite degrees of freedom v from
 * a = k·ρ/(n(1 − ρ)), b = 1 + k·ρ·(n − 1)/(n(1 − ρ)).
 *
 * One choice beyond the paper: ρ in a and b is the estimate truncated at 0. A negative ICC makes a
 * negative and v can fall towards 0, where the interval degenerates (F(n − 1, v) overflows, leaving the lower
 * end undefined, and F(v, n − 1) drops below 1, putting the upper end below the estimate); truncating
 * estimates a zero subject variance instead, keeps v ≥ k − 1 and is continuous at ρ = 0. For ICC ≥ 0 the
 * interval is exactly McGraw & Wong's.
 *
 * Null when the ICC is undefined: fewer than two subjects or raters, no variance at all, or the 2 × 2
 * case whose denominator is 0 (subjects and raters agree on average but every rating disagrees). Perfect
 * agreement gives ICC = 1 with the interval [1, 1].
 */
export function icc21(ratings: readonly (readonly number[])[], level = 0.95): IccResult | null {
  if (!(level > 0 && level < 1)) throw new RangeError(`confidence level must be in (0, 1), got ${level}`);
  const n = ratings.length;
  const k = ratings[0]?.length ?? 0;
  ratings.forEach((row, i) => {
    if (row.length !== k) throw new RangeError(`every subject needs a rating from each of the ${k} raters; subject ${i} has ${row.length}`);
    for (const x of row) if (!Number.isFinite(x)) throw new RangeError(`ratings must be finite numbers, got ${x} for subject ${i}`);
  });
  if (n < 2 || k < 2) return null;
  const rowMeans = ratings.map((row) => row.reduce((s, x) => s + x, 0) / k);
  const colMeans = Array.from({ length: k }, (_, j) => ratings.reduce((s, row) => s + (row[j] ?? NaN), 0) / n);
  const grand = rowMeans.reduce((s, m) => s + m, 0) / n;
  let sumSq = 0;
  for (const row of ratings) for (const x of row) sumSq += x * x;
  // Two-pass sums of squares. Their only error is in the means, a few ulps of the largest rating; sums
  // below that noise are exact zeros (e.g. identical raters with non-terminating binary means).
  const noise = 16 * n * k * EPS * EPS * sumSq;
  const clean = (ss: number): number => (ss <= noise ? 0 : ss);
  const ssr = clean(k * rowMeans.reduce((s, m) => s + (m - grand) ** 2, 0));
  const ssc = clean(n * colMeans.reduce((s, m) => s + (m - grand) ** 2, 0));
  let sse = 0;
  ratings.forEach((row, i) => {
    row.forEach((x, j) => {
      sse += (x - (rowMeans[i] ?? NaN) - (colMeans[j] ?? NaN) + grand) ** 2;
    });
  });
  sse = clean(sse);
  if (ssr + ssc + sse === 0) return null;
  const msr = ssr / (n - 1);
  const msc = ssc / (k - 1);
  const mse = sse / ((n - 1) * (k - 1));
  // (k − 1) − k/n = ((n − 1)(k − 1) − 1)/n ≥ 0, so every term of the denominator is non-negative.
  const denominator = msr + (mse * ((n - 1) * (k - 1) - 1)) / n + (k * msc) / n;
  if (!(denominator > 0)) return null;
  // ICC ≤ 1 exactly (1 − ICC = k((n − 1)MSE + MSC)/(n·denominator)); rounding may add an ulp.
  const icc = Math.min(1, (msr - mse) / denominator);
  if (icc === 1) return { icc, lower: 1, upper: 1 };
  const rho = Math.max(0, icc);
  const a = (k * rho) / (n * (1 - rho));
  const b = 1 + (k * rho * (n - 1)) / (n * (1 - rho));
  const vDen = (a * msc) ** 2 / (k - 1) + (b * mse) ** 2 / ((n - 1) * (k - 1));
  // vDen = 0 only when MSE = 0 and ρ = 0, i.e. MSR = MSE = 0: then both ends are 0 whatever v is.
  const v = vDen > 0 ? (a * msc + b * mse) ** 2 / vDen : k - 1;
  const q = 1 - (1 - level) / 2;
  const fLower = fQuantile(q, n - 1, v);
  const fUpper = fQuantile(q, v, n - 1);
  const spread = k * msc + (k * n - k - n) * mse;
  return {
    icc,
    lower: (n * (msr - fLower * mse)) / (fLower * spread + n * msr),
    upper: (n * (fUpper * msr - mse)) / (spread + n * fUpper * msr),
  };
}

/** Values of the units that have at least two (the pairable ones), checked to be finite numbers. */
function pairableUnits(units: readonly (readonly (number | null)[])[]): number[][] {
  const pairable: number[][] = [];
  units.forEach((unit, u) => {
    const values: number[] = [];
    for (const x of unit) {
      if (x === null) continue;
      if (!Number.isFinite(x)) throw new RangeError(`values must be finite numbers or null, got ${x} in unit ${u}`);
      values.push(x);
    }
    if (values.length >= 2) pairable.push(values);
  });
  return pairable;
}

/**
 * α = 1 − (n − 1)·Σ o_ck·δ²_ck / Σ n_c·n_k·δ²_ck by the coincidence-matrix route of Krippendorff (2011):
 * each pairable unit of m values adds 1/(m − 1) to o_ck for every ordered pair of its values from different
 * coders; n_c are the row sums and n their total. `metric` builds δ² from the sorted distinct values and
 * their frequencies n_c.
 */
function alpha(units: readonly (readonly (number | null)[])[], metric: (values: number[], freq: number[]) => (c: number, k: number) => number): number | null {
  const pairable = pairableUnits(units);
  const values = [...new Set(pairable.flat())].sort((x, y) => x - y);
  // No pairable value, or a single value throughout: the expected disagreement is 0 and α is 0/0.
  if (values.length < 2) return null;
  const index = new Map(values.map((x, i) => [x, i]));
  const o = values.map(() => values.map(() => 0));
  for (const unit of pairable) {
    const counts = new Map<number, number>();
    for (const x of unit) {
      const c = index.get(x) ?? -1;
      counts.set(c, (counts.get(c) ?? 0) + 1);
    }
    const m = unit.length;
    for (const [c, nc] of counts) {
      const row = o[c] ?? [];
      for (const [k, nk] of counts) row[k] = (row[k] ?? 0) + (nc * (c === k ? nk - 1 : nk)) / (m - 1);
    }
  }
  const freq = o.map((row) => row.reduce((s, x) => s + x, 0));
  const n = freq.reduce((s, x) => s + x, 0);
  const delta2 = metric(values, freq);
  let observed = 0;
  let expected = 0;
  values.forEach((_, c) => {
    values.forEach((__, k) => {
      const d = delta2(c, k);
      observed += (o[c]?.[k] ?? 0) * d;
      expected += (freq[c] ?? 0) * (freq[k] ?? 0) * d;
    });
  });
  return 1 - ((n - 1) * observed) / expected;
}

/**
 * Krippendorff's α with the ordinal metric (Krippendorff 2011, "Computing Krippendorff's Alpha-
 * Reliability"): δ²(c, k) = (Σ_{g=c..k} n_g − (n_c + n_k)/2)², where n_g counts the pairable values
 * equal to g. The distance between two ratings is thus the number of ratings that lie between them, so
 * only their order matters; values not used have n_g = 0 and need not be listed.
 *
 * units[unit][coder], null for a missing rating; only units with at least two ratings count. Null when α
 * is undefined: no unit has two ratings, or every pairable rating is the same value (no disagreement is
 * possible, α = 0/0). α = 1 is perfect agreement, 0 agreement at chance level; it can be negative.
 */
export function krippendorffAlphaOrdinal(units: readonly (readonly (number | null)[])[]): number | null {
  return alpha(units, (_values, freq) => {
    const cumulative = [0];
    for (const f of freq) cumulative.push((cumulative[cumulative.length - 1] ?? 0) + f);
    return (c, k) => {
      // Exactly 0 on the diagonal, where the prefix-sum difference would leave a rounding residue.
      if (c === k) return 0;
      const [from, to] = c < k ? [c, k] : [k, c];
      const between = (cumulative[to + 1] ?? NaN) - (cumulative[from] ?? NaN) - ((freq[c] ?? NaN) + (freq[k] ?? NaN)) / 2;
      return between * between;
    };
  });
}

/** Krippendorff's α with the interval metric δ²(c, k) = (c − k)²; same input and null cases as the ordinal α. */
export function krippendorffAlphaInterval(units: readonly (readonly (number | null)[])[]): number | null {
  return alpha(units, (values) => (c, k) => ((values[c] ?? NaN) - (values[k] ?? NaN)) ** 2);
}
