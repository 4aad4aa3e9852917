import {
  alphaReading,
  calibrationBias,
  iccReading,
  itemAgreement,
  raterAlignment,
  roundAgreement,
  type AlphaReading,
  type CalibrationCall,
  type CalibrationItem,
  type Comparison,
  type IccReading,
  type ItemAgreement,
  type ItemBias,
  type ItemShares,
  type RaterAlignment,
  type RoundAgreement,
} from '../stats/calibration';
import type { Part } from './planner';
import type { Scoresheet, SheetItem } from './scoresheet';
import { shareOf, type Answers } from './scoring';

/**
 * Turns stored answers into what server/stats/calibration compares (shares per item), and a round's
 * stored scores into the result page's figures. Pure: plain data in and out.
 */

export function sheetItems(sheet: Scoresheet, part: Part): SheetItem[] {
  return sheet.parts.filter((p) => p.key === part).flatMap((p) => p.sections.flatMap((s) => s.items));
}

/** Share per item of the part (null for N/A); items without an answer are left out. */
export function sharesOf(sheet: Scoresheet, part: Part, answers: Answers): ItemShares {
  const out: Record<string, number | null> = {};
  for (const item of sheetItems(sheet, part)) {
    const a = answers[item.key];
    if (a) out[item.key] = shareOf(item, a);
  }
  return out;
}

export interface CallScores {
  part: Part;
  reference: { answers: Answers; total: number | null };
  scores: { testerId: number; answers: Answers; total: number }[];
}

export interface RoundFigures {
  items: (CalibrationItem & { text: SheetItem['text'] })[];
  agreement: ItemAgreement[];
  alignment: RaterAlignment[];
  round: RoundAgreement;
  iccReading: IccReading | null;
  alphaReading: AlphaReading | null;
}

/** Every figure of a round's result page, for the raters given (in the order given). */
export function roundFigures(sheet: Scoresheet, calls: readonly CallScores[], raterIds: readonly number[]): RoundFigures {
  const parts = new Set(calls.map((c) => c.part));
  const items = sheet.parts
    .filter((p) => parts.has(p.key))
    .flatMap((p) => p.sections.flatMap((s) => s.items))
    .map((i) => ({ key: i.key, points: i.points, text: i.text }));
  const input: CalibrationCall[] = calls.map((c) => ({
    reference: sharesOf(sheet, c.part, c.reference.answers),
    ratings: new Map(c.scores.map((s) => [s.testerId, { shares: sharesOf(sheet, c.part, s.answers), total: s.total }])),
  }));
  const round = roundAgreement(items, input, raterIds);
  return {
    items,
    agreement: itemAgreement(items, input),
    alignment: raterIds.map((id) => raterAlignment(items, input, id)),
    round,
    iccReading: round.icc ? iccReading(round.icc.icc) : null,
    alphaReading: round.alpha === null ? null : alphaReading(round.alpha),
  };
}

/** One tester's answers beside the reference's, in points, for every item both gave points on. */
export function comparisonsOf(sheet: Scoresheet, part: Part, given: Answers, reference: Answers): Comparison[] {
  const out: Comparison[] = [];
  for (const item of sheetItems(sheet, part)) {
    const g = given[item.key];
    const r = reference[item.key];
    if (!g || !r) continue;
    const gs = shareOf(item, g);
    const rs = shareOf(item, r);
    if (gs === null || rs === null) continue;
    out.push({ itemKey: item.key, given: gs * item.points, reference: rs * item.points });
  }
  return out;
}

export function historyOf(comparisons: readonly Comparison[]): ItemBias[] {
  return calibrationBias(comparisons);
}
