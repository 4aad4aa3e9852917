/**
 * Calibration of phone-test scoring: several testers score the same recorded calls blind, and their
 * item answers are compared with the reference score (the result the call was given) and with each other.
 *
 * Everything works on shares: the part of an item's points a rater gave (yes 1, no 0, a graded level's
 * share, a measured time's threshold share), null for "not applicable". Points are share × item points.
 * Pure: plain data in, plain data out.
 */
import { icc21, krippendorffAlphaOrdinal, type IccResult } from './agreement';

export interface CalibrationItem {
  key: string;
  points: number;
}

/** Item key → share given (0..1), null for N/A; an item left out was not on the part scored. */
export type ItemShares = Readonly<Record<string, number | null>>;

export interface CalibrationCall {
  reference: ItemShares;
  /** The raters who submitted this call: rater id → their shares and total. */
  ratings: ReadonlyMap<number, { shares: ItemShares; total: number }>;
}

/** Shares this close are the same answer (they come from the same sheet's levels; this only absorbs binary noise). */
const SAME = 1e-9;

export interface ItemAgreement {
  key: string;
  points: number;
  /** Rater answers compared with the reference on this item (over every call). */
  n: number;
  /** Answers equal to the reference's (the same share, or both N/A). */
  matches: number;
  /** matches / n, null when n = 0. */
  matchShare: number | null;
  /** Comparisons where exactly one of rater and reference said N/A (counted as not matching). */
  naMismatches: number;
  /**
   * The spread of the raters' points: per call the range (highest − lowest points among the raters who
   * answered the item, N/A left out), averaged over the calls with at least two such answers; null if none.
   */
  spread: number | null;
}

/** Per item: how many raters matched the reference, and how far apart the raters were from each other. */
export function itemAgreement(items: readonly CalibrationItem[], calls: readonly CalibrationCall[]): ItemAgreement[] {
  return items.map((item) => {
    let n = 0;
    let matches = 0;
    let naMismatches = 0;
    let rangeSum = 0;
    let rangeCalls = 0;
    for (const call of calls) {
      const ref = call.reference[item.key];
      const given: number[] = [];
      for (const { shares } of call.ratings.values()) {
        const s = shares[item.key];
        if (s === undefined) continue;
        if (s !== null) given.push(s * item.points);
        if (ref === undefined) continue;
        n += 1;
        if (s === null && ref === null) matches += 1;
        else if (s === null || ref === null) naMismatches += 1;
        else if (Math.abs(s - ref) < SAME) matches += 1;
      }
      if (given.length >= 2) {
        rangeSum += Math.max(...given) - Math.min(...given);
        rangeCalls += 1;
      }
    }
    return { key: item.key, points: item.points, n, matches, matchShare: n > 0 ? matches / n : null, naMismatches, spread: rangeCalls > 0 ? rangeSum / rangeCalls : null };
  });
}

export interface ItemAlignment {
  key: string;
  /** Calls where both the rater and the reference gave points on this item (neither N/A). */
  n: number;
  /** Mean of 1 − |rater points − reference points| / item points over those calls; null when n = 0. */
  alignment: number | null;
  /** Mean of rater points − reference points: below 0 the rater was stricter, above 0 more lenient. */
  meanDifference: number | null;
}

export interface RaterAlignment {
  raterId: number;
  items: ItemAlignment[];
  /**
   * The sheet's alignment: 1 − Σ|difference| / Σ item points over every compared (call, item), i.e. the
   * items' alignments weighted by their points; null when nothing could be compared.
   */
  overall: number | null;
}

/** How closely one rater's answers follow the reference, per item and over the sheet. */
export function raterAlignment(items: readonly CalibrationItem[], calls: readonly CalibrationCall[], raterId: number): RaterAlignment {
  let lostAll = 0;
  let pointsAll = 0;
  const perItem = items.map((item): ItemAlignment => {
    let n = 0;
    let shortfall = 0;
    let signed = 0;
    for (const call of calls) {
      const ref = call.reference[item.key];
      const s = call.ratings.get(raterId)?.shares[item.key];
      if (ref === undefined || ref === null || s === undefined || s === null) continue;
      const diff = (s - ref) * item.points;
      n += 1;
      shortfall += Math.abs(diff) / item.points;
      signed += diff;
      lostAll += Math.abs(diff);
      pointsAll += item.points;
    }
    return { key: item.key, n, alignment: n > 0 ? 1 - shortfall / n : null, meanDifference: n > 0 ? signed / n : null };
  });
  return { raterId, items: perItem, overall: pointsAll > 0 ? 1 - lostAll / pointsAll : null };
}

export interface RoundAgreement {
  /** ICC(2,1) on the totals of the raters who submitted every call; null with fewer than two calls or raters. */
  icc: (IccResult & { calls: number; raters: number }) | null;
  /** Raters and calls the ICC could use (shown even when the ICC is undefined). */
  iccRaters: number;
  iccCalls: number;
  /** Krippendorff's α (ordinal) on item shares: units are (call, item), coders the raters; N/A is missing. */
  alpha: number | null;
  /** Units with at least two answers (the pairable ones), and the answers in them. */
  alphaUnits: number;
  alphaValues: number;
}

/**
 * Agreement among the raters (the reference is not a rater here; alignment compares with it). The ICC
 * needs a complete table, so it takes the raters who submitted every call; α takes every answer given.
 */
export function roundAgreement(items: readonly CalibrationItem[], calls: readonly CalibrationCall[], raterIds: readonly number[]): RoundAgreement {
  const complete = raterIds.filter((id) => calls.length > 0 && calls.every((c) => c.ratings.has(id)));
  const table = calls.map((c) => complete.map((id) => c.ratings.get(id)?.total ?? NaN));
  const icc = complete.length >= 2 && calls.length >= 2 ? icc21(table) : null;
  const units: (number | null)[][] = [];
  for (const call of calls) {
    for (const item of items) {
      units.push(raterIds.map((id) => call.ratings.get(id)?.shares[item.key] ?? null));
    }
  }
  const pairable = units.filter((u) => u.filter((x) => x !== null).length >= 2);
  return {
    icc: icc ? { ...icc, calls: calls.length, raters: complete.length } : null,
    iccRaters: complete.length,
    iccCalls: calls.length,
    alpha: krippendorffAlphaOrdinal(units),
    alphaUnits: pairable.length,
    alphaValues: pairable.reduce((sum, u) => sum + u.filter((x) => x !== null).length, 0),
  };
}

export type IccReading = 'poor' | 'moderate' | 'good' | 'excellent';

/** Koo & Li (2016): below 0.5 poor, 0.5–0.75 moderate, 0.75–0.9 good, above 0.9 excellent. */
export function iccReading(icc: number): IccReading {
  if (icc < 0.5) return 'poor';
  if (icc < 0.75) return 'moderate';
  if (icc <= 0.9) return 'good';
  return 'excellent';
}

export type AlphaReading = 'unreliable' | 'tentative' | 'reliable';

/** Krippendorff (2004): α ≥ 0.8 reliable, 0.667 ≤ α < 0.8 only for tentative conclusions, below that unreliable. */
export function alphaReading(alpha: number): AlphaReading {
  if (alpha >= 0.8) return 'reliable';
  if (alpha >= 0.667) return 'tentative';
  return 'unreliable';
}

/** One answer of a tester set beside the reference, in points. */
export interface Comparison {
  itemKey: string;
  given: number;
  reference: number;
}

export interface ItemBias {
  itemKey: string;
  n: number;
  /** Mean of given − reference points: negative stricter, positive more lenient than the reference. */
  meanDifference: number;
  stricter: number;
  lenient: number;
  /**
   * 'stricter' or 'lenient' when the tendency is consistent: at least MIN_CONSISTENT comparisons, none in
   * the other direction, and more than half in this one; otherwise null.
   */
  consistent: 'stricter' | 'lenient' | null;
}

export const MIN_CONSISTENT = 3;

/** A tester's calibration history per item (first-seen item order): stricter or more lenient than the reference. */
export function calibrationBias(comparisons: readonly Comparison[]): ItemBias[] {
  const byItem = new Map<string, Comparison[]>();
  for (const c of comparisons) byItem.set(c.itemKey, [...(byItem.get(c.itemKey) ?? []), c]);
  return [...byItem.entries()].map(([itemKey, list]) => {
    const diffs = list.map((c) => c.given - c.reference);
    const stricter = diffs.filter((d) => d < -SAME).length;
    const lenient = diffs.filter((d) => d > SAME).length;
    const n = diffs.length;
    let consistent: ItemBias['consistent'] = null;
    if (n >= MIN_CONSISTENT && lenient === 0 && stricter * 2 > n) consistent = 'stricter';
    if (n >= MIN_CONSISTENT && stricter === 0 && lenient * 2 > n) consistent = 'lenient';
    return { itemKey, n, meanDifference: diffs.reduce((s, d) => s + d, 0) / n, stricter, lenient, consistent };
  });
}
