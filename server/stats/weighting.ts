/**
 * Survey weighting by raking (iterative proportional fitting, Deming & Stephan 1940): respondents are
 * weighted so that the weighted sample reproduces known population margins (sex, age group, district)
 * one variable at a time, without needing the full population cross-table. The cost of weighting is
 * reported as Kish's effective sample size, which the weighted proportion's interval then uses.
 *
 * Inputs are cell counts (respondents per combination of levels), never raw answers; every respondent in
 * a cell gets the same weight.
 */
import { twoSidedZ } from './estimates';

export interface WeightingCell {
  /** The cell's level of every raking variable, e.g. { sex: 'F', age: '30-39', district: '北區' }. Other keys are ignored. */
  levels: Readonly<Record<string, string>>;
  /** Respondents in the cell. */
  n: number;
}

/** Population margins: variable → level → population share or count (each variable is normalised to shares). */
export type Margins = Readonly<Record<string, Readonly<Record<string, number>>>>;

export interface RakeOptions {
  /** Full sweeps over all variables before giving up (default 100). */
  maxIterations?: number;
  /** Largest accepted |weighted sample share − population share| over all levels (default 1e-10). */
  tolerance?: number;
}

export interface RakeResult {
  /** One weight per input cell, for each respondent in it; the mean weight over respondents is 1. */
  weights: number[];
  converged: boolean;
  /** Full sweeps performed (0 when the sample already matched the margins). */
  iterations: number;
  /** Largest |weighted sample share − population share| over all levels after the last sweep. */
  maxMarginError: number;
  /** Kish's effective sample size (Σw)²/Σw² over respondents. */
  effectiveN: number;
  /** n / effectiveN: the variance inflation caused by weighting. */
  designEffect: number;
}

interface Level {
  share: number;
  /** Indices of the cells at this level. */
  cells: number[];
}

function checkCount(what: string, x: number): void {
  if (!(x >= 0 && Number.isFinite(x))) throw new RangeError(`${what} must be a finite non-negative number, got ${x}`);
}

/** Margins as shares, with the cells at each level; rejects every margin that no weights could reproduce. */
function prepare(cells: readonly WeightingCell[], margins: Margins): Map<string, Map<string, Level>> {
  const variables = Object.keys(margins);
  if (variables.length === 0) throw new RangeError('no margins to rake to');
  const prepared = new Map<string, Map<string, Level>>();
  for (const variable of variables) {
    const margin = margins[variable] ?? {};
    const entries = Object.entries(margin);
    for (const [level, x] of entries) checkCount(`population share of ${variable} = ${level}`, x);
    const total = entries.reduce((s, [, x]) => s + x, 0);
    if (!(total > 0)) throw new RangeError(`the margin of ${variable} has no positive share`);
    prepared.set(variable, new Map(entries.map(([level, x]) => [level, { share: x / total, cells: [] }])));
  }
  cells.forEach((cell, i) => {
    checkCount(`cell ${i} count`, cell.n);
    for (const [variable, levels] of prepared) {
      if (!Object.hasOwn(cell.levels, variable)) throw new RangeError(`cell ${i} has no level for ${variable}`);
      const name = cell.levels[variable] ?? '';
      const level = levels.get(name);
      if (level === undefined) throw new RangeError(`${variable} = ${name} (cell ${i}) does not occur in the margins`);
      if (level.share === 0 && cell.n > 0) throw new RangeError(`${variable} = ${name} has respondents but a population share of 0`);
      level.cells.push(i);
    }
  });
  for (const [variable, levels] of prepared) {
    for (const [name, level] of levels) {
      if (level.share > 0 && !level.cells.some((i) => (cells[i]?.n ?? 0) > 0)) {
        throw new RangeError(`${variable} = ${name} has a population share but no respondents, so no weights can reach it`);
      }
    }
  }
  return prepared;
}

/**
 * Σ n·w over the cells with respondents. Empty cells are skipped, not multiplied by 0: when the margins
 * cannot be reached their weights may drift without bound (see rake), and 0·∞ would poison the sum.
 */
function weightedTotal(cells: readonly number[], counts: readonly number[], weights: readonly number[]): number {
  let sum = 0;
  for (const i of cells) {
    const n = counts[i] ?? 0;
    if (n > 0) sum += n * (weights[i] ?? 0);
  }
  return sum;
}

/** Largest |weighted share − population share| over every level of every variable. */
function marginError(prepared: Map<string, Map<string, Level>>, counts: readonly number[], weights: readonly number[], total: number): number {
  let worst = 0;
  for (const levels of prepared.values()) {
    for (const level of levels.values()) worst = Math.max(worst, Math.abs(weightedTotal(level.cells, counts, weights) / total - level.share));
  }
  return worst;
}

/**
 * Rakes cell weights to the population margins: each sweep scales, variable by variable, the weights at
 * every level so that its weighted share equals the population share. Scaling preserves the weighted
 * total, so weights stay at mean 1 per respondent. When some combinations of levels have no respondents
 * the margins can be jointly unreachable; IPF then approaches them without reaching them, `converged` is
 * false and `maxMarginError` says how far off the weights are.
 *
 * A cell with no respondents still gets the weight its respondents would have had (the product of its
 * levels' factors, as in the log-linear form of the raking solution); it does not enter any total. That
 * weight is only meaningful when raking converged: otherwise it can drift without bound from sweep to sweep.
 *
 * Throws RangeError for negative counts or shares, a cell without a level for some variable, a sample
 * level absent from the margins or with population share 0, and a level with a positive population
 * share but no respondents.
 */
export function rake(cells: readonly WeightingCell[], margins: Margins, options: RakeOptions = {}): RakeResult {
  const { maxIterations = 100, tolerance = 1e-10 } = options;
  if (!(Number.isInteger(maxIterations) && maxIterations >= 0)) throw new RangeError(`maxIterations must be a non-negative integer, got ${maxIterations}`);
  if (!(tolerance >= 0)) throw new RangeError(`tolerance must be non-negative, got ${tolerance}`);
  const prepared = prepare(cells, margins);
  const counts = cells.map((c) => c.n);
  const total = counts.reduce((s, x) => s + x, 0);
  // total > 0: prepare() has required respondents at every level with a positive share.
  const weights = cells.map(() => 1);
  let error = marginError(prepared, counts, weights, total);
  let iterations = 0;
  while (error > tolerance && iterations < maxIterations) {
    for (const levels of prepared.values()) {
      for (const level of levels.values()) {
        const current = weightedTotal(level.cells, counts, weights);
        // Share 0 only remains at levels without respondents (prepare() rejects the others): their weight is 0.
        // A level total can only vanish by underflow, deep in a run that cannot converge; it is then left as is.
        let factor = level.share === 0 ? 0 : (level.share * total) / current;
        if (!Number.isFinite(factor)) factor = 1;
        for (const i of level.cells) weights[i] = (weights[i] ?? 0) * factor;
      }
    }
    iterations++;
    error = marginError(prepared, counts, weights, total);
  }
  // Remove the rounding drift of the weighted total, so that the mean weight is 1 to the last digit.
  const all = cells.map((_, i) => i);
  const scale = total / weightedTotal(all, counts, weights);
  const scaled = weights.map((w) => w * scale);
  const sumW = weightedTotal(all, counts, scaled);
  const sumW2 = weightedTotal(all, counts, scaled.map((w) => w * w));
  const effectiveN = (sumW * sumW) / sumW2;
  return { weights: scaled, converged: error <= tolerance, iterations, maxMarginError: error, effectiveN, designEffect: total / effectiveN };
}

export interface WeightedCell {
  /** The weight of each respondent in the cell (as returned by rake). */
  weight: number;
  /** Respondents in the cell. */
  n: number;
  /** Respondents in the cell who gave the answer counted (e.g. the top two boxes). */
  successes: number;
}

export interface WeightedProportion {
  /** Weighted share Σw·successes / Σw·n. */
  p: number;
  lower: number;
  upper: number;
  /** Kish's effective sample size of the respondents in these cells, the n of the interval. */
  effectiveN: number;
}

/**
 * Weighted proportion with a Wilson interval whose n is Kish's effective sample size (Σw)²/Σw² of the
 * respondents given. This is the Kish approximation: it charges the weights' variance inflation to the
 * estimate but ignores any correlation between weights and answers and any clustering or stratification,
 * so it is an approximate interval, not a design-based (linearised) one. Null when the cells hold no
 * weighted respondents, where the share is undefined.
 */
export function weightedProportion(cells: readonly WeightedCell[], level = 0.95): WeightedProportion | null {
  let sumW = 0;
  let sumW2 = 0;
  let sumWx = 0;
  cells.forEach((c, i) => {
    checkCount(`cell ${i} weight`, c.weight);
    checkCount(`cell ${i} count`, c.n);
    if (!(c.successes >= 0 && c.successes <= c.n)) throw new RangeError(`cell ${i}: successes must be in [0, n], got ${c.successes} of ${c.n}`);
    sumW += c.weight * c.n;
    sumW2 += c.weight * c.weight * c.n;
    sumWx += c.weight * c.successes;
  });
  const z = twoSidedZ(level);
  if (!(sumW > 0)) return null;
  const p = Math.min(1, sumWx / sumW);
  const n = (sumW * sumW) / sumW2;
  // Wilson (1927) as in estimates.wilson, with a non-integer n.
  const z2n = (z * z) / n;
  const centre = (p + z2n / 2) / (1 + z2n);
  const half = (z / (1 + z2n)) * Math.sqrt((p * (1 - p)) / n + z2n / (4 * n));
  return {
    p,
    lower: sumWx === 0 ? 0 : Math.max(0, centre - half),
    upper: p === 1 ? 1 : Math.min(1, centre + half),
    effectiveN: n,
  };
}
