import path from 'node:path';
import { comparisonsOf, roundFigures, sharesOf } from '../../server/courtesy/calibration-view';
import { loadScoresheets } from '../../server/courtesy/scoresheet';
import type { Answers } from '../../server/courtesy/scoring';

const sheet = loadScoresheets(path.resolve(__dirname, '../../surveys/scoresheets')).find((s) => s.sheet.key === 'standard')?.sheet;
if (!sheet) throw new Error('no standard sheet');

// The unit part of surveys/scoresheets/standard.json: un.answer is measured (full within 10 s, half within 15 s),
// un.message may be N/A, un.tone is graded 0 / ½ / 1 of 3 points.
const reference: Answers = { 'un.answer': { seconds: 6 }, 'un.greeting': { share: 1 }, 'un.message': { na: true }, 'un.tone': { share: 1 } };
const given: Answers = { 'un.answer': { seconds: 12 }, 'un.greeting': { share: 0 }, 'un.message': { share: 1 }, 'un.tone': { share: 0.5 } };

describe('sharesOf', () => {
  it('turns seconds into the threshold share, N/A into null, and leaves unanswered items out', () => {
    expect(sharesOf(sheet, 'unit', given)).toEqual({ 'un.answer': 0.5, 'un.greeting': 0, 'un.message': 1, 'un.tone': 0.5 });
    expect(sharesOf(sheet, 'unit', reference)).toEqual({ 'un.answer': 1, 'un.greeting': 1, 'un.message': null, 'un.tone': 1 });
    // Items of the other part are not the unit part's.
    expect(sharesOf(sheet, 'switchboard', given)).toEqual({});
  });
});

describe('comparisonsOf', () => {
  it('sets points beside points (share × item points), skipping items N/A on either side', () => {
    // un.answer 15 points: 7.5 vs 15; un.greeting 3: 0 vs 3; un.message N/A in the reference: skipped; un.tone 3: 1.5 vs 3.
    expect(comparisonsOf(sheet, 'unit', given, reference)).toEqual([
      { itemKey: 'un.answer', given: 7.5, reference: 15 },
      { itemKey: 'un.greeting', given: 0, reference: 3 },
      { itemKey: 'un.tone', given: 1.5, reference: 3 },
    ]);
  });
});

describe('roundFigures', () => {
  it('lists the items of the parts of the round with their text, and reads no ICC for one call', () => {
    const f = roundFigures(sheet, [{ part: 'unit', reference: { answers: reference, total: 100 }, scores: [{ testerId: 7, answers: given, total: 70 }] }], [7]);
    expect(f.items.map((i) => i.key)).toEqual(['un.answer', 'un.identify', 'un.greeting', 'un.surname', 'un.message', 'un.hold', 'un.closing', 'un.hangup', 'un.tone', 'un.answer_quality', 'un.referral']);
    expect(f.items[0]?.text.en).toBe('Answered within 4 rings or 10 seconds');
    // Compared: answer (15, lost 7.5), greeting (3, lost 3), tone (3, lost 1.5): 1 − 12/21.
    expect(f.alignment[0]?.overall).toBeCloseTo(1 - 12 / 21, 15);
    expect(f.round.icc).toBeNull();
    expect(f.iccReading).toBeNull();
  });
});
