import type { Part } from './planner';
import type { Scoresheet, SheetItem, SheetPart } from './scoresheet';

/**
 * The score of one phone test, computed from the sheet and the tester's answers.
 *
 * Rules, in order:
 * 1. An item earns points × share: yes = 1, no = 0, a graded level's share, or
 *    for a measured item the share of the first threshold the seconds do not exceed (else 0).
 * 2. Items marked N/A leave the count; their points are redistributed over the
 *    rest of the section (or of the part, as the sheet says): the section earns
 *    earned × section points ÷ points of its applicable items. A section with
 *    nothing applicable passes its points to the rest of the part the same way.
 * 3. A part tested alone scales to 100: total = Σ part scores × 100 ÷ Σ points of the parts tested.
 * 4. Rounding: everything is computed exactly and rounded once, at the end, to
 *    one decimal place, half up (84.25 → 84.3).
 */

export type Answer = { na: true } | { share: number } | { seconds: number };
export type Answers = Readonly<Record<string, Answer>>;

export type Band = 'excellent' | 'good' | 'fair' | 'poor';

export interface BandSettings {
  excellent: number;
  good: number;
  fair: number;
  /** Below this total, the unit files an improvement report. */
  followUp: number;
}

export const DEFAULT_BANDS: BandSettings = { excellent: 90, good: 80, fair: 70, followUp: 80 };

export interface Deduction {
  itemKey: string;
  /** Points lost on the sheet's own scale (before N/A redistribution and part scaling). */
  lost: number;
}

export interface PartScore {
  key: Part;
  /** The part's score on its own points (e.g. out of 45), exact. */
  score: number;
  points: number;
}

export interface ScoreResult {
  total: number;
  exactTotal: number;
  parts: PartScore[];
  deductions: Deduction[];
  band: Band;
  flags: string[];
  needsFollowUp: boolean;
}

export type AnswerIssue =
  | { itemKey: string; problem: 'missing' | 'naNotAllowed' | 'badShare' | 'badSeconds' | 'wrongKind' }
  | { itemKey: string; problem: 'unknownItem' }
  | { itemKey: string; problem: 'unknownFlag' }
  | { itemKey: ''; problem: 'noPart' | 'allNA' };

export function roundHalfUp1(x: number): number {
  // The epsilon absorbs binary noise (84.25 may be stored as 84.2499999…) without moving real values.
  return Math.floor(x * 10 + 0.5 + 1e-9) / 10;
}

export function bandOf(total: number, bands: BandSettings = DEFAULT_BANDS): Band {
  if (total >= bands.excellent) return 'excellent';
  if (total >= bands.good) return 'good';
  if (total >= bands.fair) return 'fair';
  return 'poor';
}

export function shareOf(item: SheetItem, answer: Answer): number | null {
  if ('na' in answer) return null;
  if (item.kind === 'measured') {
    if (!('seconds' in answer)) throw new Error(`item ${item.key} needs seconds`);
    const thresholds = [...item.thresholds].sort((a, b) => a.maxSeconds - b.maxSeconds);
    return thresholds.find((t) => answer.seconds <= t.maxSeconds)?.share ?? 0;
  }
  if (!('share' in answer)) throw new Error(`item ${item.key} needs a share`);
  return answer.share;
}

function itemsOf(part: SheetPart): SheetItem[] {
  return part.sections.flatMap((s) => s.items);
}

/** Every problem with a set of answers for the parts tested; empty when they can be scored. */
export function checkAnswers(sheet: Scoresheet, parts: readonly Part[], answers: Answers, flags: readonly string[]): AnswerIssue[] {
  const issues: AnswerIssue[] = [];
  const tested = sheet.parts.filter((p) => parts.includes(p.key));
  if (tested.length === 0) return [{ itemKey: '', problem: 'noPart' }];
  const known = new Set(tested.flatMap(itemsOf).map((i) => i.key));
  for (const key of Object.keys(answers)) if (!known.has(key)) issues.push({ itemKey: key, problem: 'unknownItem' });
  const flagKeys = new Set(sheet.criticalFlags.map((f) => f.key));
  for (const f of flags) if (!flagKeys.has(f)) issues.push({ itemKey: f, problem: 'unknownFlag' });
  for (const part of tested) {
    for (const item of itemsOf(part)) {
      const a = answers[item.key];
      if (!a) issues.push({ itemKey: item.key, problem: 'missing' });
      else if ('na' in a) {
        if (!item.allowNA) issues.push({ itemKey: item.key, problem: 'naNotAllowed' });
      } else if (item.kind === 'measured') {
        if (!('seconds' in a)) issues.push({ itemKey: item.key, problem: 'wrongKind' });
        else if (!Number.isFinite(a.seconds) || a.seconds < 0 || a.seconds > 600) issues.push({ itemKey: item.key, problem: 'badSeconds' });
      } else if (!('share' in a)) issues.push({ itemKey: item.key, problem: 'wrongKind' });
      else {
        const allowed = item.kind === 'yesno' ? [0, 1] : item.levels.map((l) => l.share);
        if (!allowed.includes(a.share)) issues.push({ itemKey: item.key, problem: 'badShare' });
      }
    }
    if (issues.length === 0 && itemsOf(part).every((i) => 'na' in (answers[i.key] ?? { na: true }))) issues.push({ itemKey: '', problem: 'allNA' });
  }
  return issues;
}

/** Scores checked answers (call checkAnswers first; this throws on answers it cannot score). */
export function score(sheet: Scoresheet, parts: readonly Part[], answers: Answers, flags: readonly string[], bands: BandSettings = DEFAULT_BANDS): ScoreResult {
  const issues = checkAnswers(sheet, parts, answers, flags);
  if (issues.length > 0) throw new Error(`answers cannot be scored: ${JSON.stringify(issues)}`);
  const deductions: Deduction[] = [];
  const partScores: PartScore[] = [];
  for (const part of sheet.parts.filter((p) => parts.includes(p.key))) {
    // Per section: earned points and the points of applicable items.
    const sections = part.sections.map((section) => {
      let earned = 0;
      let applicable = 0;
      for (const item of section.items) {
        const share = shareOf(item, answers[item.key] as Answer);
        if (share === null) continue;
        earned += item.points * share;
        applicable += item.points;
        if (share < 1) deductions.push({ itemKey: item.key, lost: item.points * (1 - share) });
      }
      return { points: section.points, earned, applicable };
    });
    let partScore: number;
    if (part.naRedistribution === 'section') {
      const counted = sections.filter((s) => s.applicable > 0);
      const scaled = counted.reduce((sum, s) => sum + (s.earned * s.points) / s.applicable, 0);
      const countedPoints = counted.reduce((sum, s) => sum + s.points, 0);
      partScore = (scaled * part.points) / countedPoints;
    } else {
      const earned = sections.reduce((sum, s) => sum + s.earned, 0);
      const applicable = sections.reduce((sum, s) => sum + s.applicable, 0);
      partScore = (earned * part.points) / applicable;
    }
    partScores.push({ key: part.key, score: partScore, points: part.points });
  }
  const exactTotal = (partScores.reduce((sum, p) => sum + p.score, 0) * 100) / partScores.reduce((sum, p) => sum + p.points, 0);
  const total = roundHalfUp1(exactTotal);
  return {
    total,
    exactTotal,
    parts: partScores,
    deductions,
    band: bandOf(total, bands),
    flags: [...flags],
    needsFollowUp: total < bands.followUp || flags.length > 0,
  };
}
