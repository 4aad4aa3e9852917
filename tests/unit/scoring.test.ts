import path from 'node:path';
import fc from 'fast-check';
import type { Part } from '../../server/courtesy/planner';
import { loadScoresheets, scoresheetSchema, type Scoresheet, type SheetItem } from '../../server/courtesy/scoresheet';
import {
  bandOf,
  checkAnswers,
  DEFAULT_BANDS,
  roundHalfUp1,
  score,
  shareOf,
  type Answer,
  type Answers,
} from '../../server/courtesy/scoring';

const SHEETS_DIR = path.resolve(__dirname, '../../surveys/scoresheets');

let cached: Scoresheet | undefined;
/** The shipped standard sheet, loaded on first use so that tests on inline sheets run even if it fails to load. */
function standard(): Scoresheet {
  if (!cached) {
    const found = loadScoresheets(SHEETS_DIR).find((v) => v.sheet.key === 'standard');
    if (!found) throw new Error(`no sheet with key "standard" in ${SHEETS_DIR}`);
    cached = found.sheet;
  }
  return cached;
}

const UNIT: Part[] = ['unit'];
const SWITCHBOARD: Part[] = ['switchboard'];
const BOTH: Part[] = ['switchboard', 'unit'];

const yes: Answer = { share: 1 };
const no: Answer = { share: 0 };
const na: Answer = { na: true };
const secs = (seconds: number): Answer => ({ seconds });

function itemsOf(sheet: Scoresheet, parts: readonly Part[]): SheetItem[] {
  return sheet.parts.filter((p) => parts.includes(p.key)).flatMap((p) => p.sections.flatMap((s) => s.items));
}

/** Best answer on every item of the parts tested: yes, the top level, answered at once. */
function perfect(sheet: Scoresheet, parts: readonly Part[]): Record<string, Answer> {
  const answers: Record<string, Answer> = {};
  for (const item of itemsOf(sheet, parts)) {
    answers[item.key] = item.kind === 'measured' ? secs(0) : item.kind === 'graded' ? { share: Math.max(...item.levels.map((l) => l.share)) } : yes;
  }
  return answers;
}

/** Perfect answers on the standard sheet, with some changed. */
function withAnswers(parts: readonly Part[], changes: Record<string, Answer>): Answers {
  const answers = perfect(standard(), parts);
  for (const key of Object.keys(changes)) if (!(key in answers)) throw new Error(`test bug: ${key} is not an item of ${parts.join('+')}`);
  return { ...answers, ...changes };
}

const t = (s: string) => ({ 'zh-TW': s, en: s });

interface InlineItem {
  key: string;
  points: number;
  allowNA?: boolean;
}

/** A one-part sheet (part "unit") of yes/no items, validated by the real schema. */
function inlineSheet(naRedistribution: 'section' | 'part', sections: { key: string; items: InlineItem[] }[]): Scoresheet {
  const withPoints = sections.map((s) => ({
    key: s.key,
    title: t(s.key),
    points: s.items.reduce((sum, i) => sum + i.points, 0),
    items: s.items.map((i) => ({ key: i.key, kind: 'yesno', points: i.points, allowNA: i.allowNA ?? false, text: t(i.key) })),
  }));
  return scoresheetSchema.parse({
    key: 'inline',
    title: t('inline'),
    parts: [{ key: 'unit', title: t('unit'), points: withPoints.reduce((sum, s) => sum + s.points, 0), naRedistribution, sections: withPoints }],
    criticalFlags: [{ key: 'rude', text: t('rude') }],
  });
}

/** One section, two yes/no items of `earned` and `lost` points; answered yes and no. Exact total = earned × 100 ÷ (earned + lost). */
function totalOf(earned: number, lost: number) {
  const sheet = inlineSheet('section', [{ key: 'r', items: [{ key: 'r.kept', points: earned }, { key: 'r.lost', points: lost }] }]);
  return score(sheet, UNIT, { 'r.kept': yes, 'r.lost': no }, []);
}

describe('perfect tests score 100', () => {
  test('unit only', () => {
    const result = score(standard(), UNIT, perfect(standard(), UNIT), []);
    expect(result.total).toBe(100);
    expect(result.exactTotal).toBe(100);
    expect(result.parts).toEqual([{ key: 'unit', score: 55, points: 55 }]);
    expect(result.deductions).toEqual([]);
    expect(result.band).toBe('excellent');
    expect(result.needsFollowUp).toBe(false);
  });

  test('switchboard only', () => {
    const result = score(standard(), SWITCHBOARD, perfect(standard(), SWITCHBOARD), []);
    expect(result.total).toBe(100);
    expect(result.parts).toEqual([{ key: 'switchboard', score: 45, points: 45 }]);
  });

  test('both parts', () => {
    const result = score(standard(), BOTH, perfect(standard(), BOTH), []);
    expect(result.total).toBe(100);
    expect(result.parts).toEqual([
      { key: 'switchboard', score: 45, points: 45 },
      { key: 'unit', score: 55, points: 55 },
    ]);
  });
});

describe('hand-worked examples on the standard sheet', () => {
  test('unit only: rang 12 s, did not ask the surname, neutral tone → 78.2', () => {
    // speed:    12 s is over 10 but within 15 → share ½ of 15 = 7.5
    // courtesy: 25 − 3 (un.surname no) − 1.5 (un.tone neutral = ½ of 3) = 20.5
    // content:  15
    // unit:     7.5 + 20.5 + 15 = 43 of 55 → × 100 / 55 = 78.1818… → 78.2
    const result = score(standard(), UNIT, withAnswers(UNIT, { 'un.answer': secs(12), 'un.surname': no, 'un.tone': { share: 0.5 } }), []);
    expect(result.parts).toEqual([{ key: 'unit', score: 43, points: 55 }]);
    expect(result.exactTotal).toBeCloseTo(4300 / 55, 10);
    expect(result.total).toBe(78.2);
    expect(result.deductions).toEqual([
      { itemKey: 'un.answer', lost: 7.5 },
      { itemKey: 'un.surname', lost: 3 },
      { itemKey: 'un.tone', lost: 1.5 },
    ]);
    expect(result.band).toBe('fair');
    expect(result.needsFollowUp).toBe(true);
  });

  test('unit with un.message and un.hold N/A: courtesy stays out of 25, the other items scaled by 25/19', () => {
    // courtesy applicable: 25 − 3 (message) − 3 (hold) = 19; un.closing no → earned 16 of 19
    //           → 16 × 25 / 19 = 400/19 = 21.0526…
    // unit:     15 + 400/19 + 15 = 970/19 = 51.0526… of 55 → × 100 / 55 = 19400/209 = 92.8229… → 92.8
    // (were N/A counted as lost it would be 15 + 16 + 15 = 46 → 83.6)
    const result = score(standard(), UNIT, withAnswers(UNIT, { 'un.message': na, 'un.hold': na, 'un.closing': no }), []);
    expect(result.parts[0]?.score).toBeCloseTo(970 / 19, 10);
    expect(result.exactTotal).toBeCloseTo(19400 / 209, 10);
    expect(result.total).toBe(92.8);
    // Deductions stay on the sheet's own scale.
    expect(result.deductions).toEqual([{ itemKey: 'un.closing', lost: 3 }]);
  });

  test('unit with un.message and un.hold N/A and everything else right is still 100', () => {
    // courtesy: 19 of 19 → 19 × 25 / 19 = 25; unit 55 of 55
    const result = score(standard(), UNIT, withAnswers(UNIT, { 'un.message': na, 'un.hold': na }), []);
    expect(result.exactTotal).toBe(100);
    expect(result.total).toBe(100);
  });

  test('switchboard with sb.menu N/A: the speed section rests on sb.answer alone → 72.2', () => {
    // speed:    sb.menu N/A → applicable 15 (sb.answer); 12 s → ½ × 15 = 7.5 → 7.5 × 25 / 15 = 12.5
    // courtesy: 20
    // switchboard: 32.5 of 45 → × 100 / 45 = 72.2222… → 72.2
    const answers = withAnswers(SWITCHBOARD, { 'sb.menu': na, 'sb.answer': secs(12) });
    expect(checkAnswers(standard(), SWITCHBOARD, answers, [])).toEqual([]);
    const result = score(standard(), SWITCHBOARD, answers, []);
    expect(result.parts).toEqual([{ key: 'switchboard', score: 32.5, points: 45 }]);
    expect(result.total).toBe(72.2);
  });

  test('switchboard with sb.menu N/A and a quick answer: all 25 speed points → 100', () => {
    // speed: 8 s → 15 of 15 → 15 × 25 / 15 = 25
    const result = score(standard(), SWITCHBOARD, withAnswers(SWITCHBOARD, { 'sb.menu': na, 'sb.answer': secs(8) }), []);
    expect(result.total).toBe(100);
  });

  test('both parts, whole-point deductions → 85.5', () => {
    // switchboard: 45 − 7.5 (sb.answer 12 s: ½ of 15) − 1 (sb.tone neutral: ½ of 2) = 36.5
    // unit:        55 − 3 (un.surname no) − 3 (un.tone cold: 0 of 3) = 49
    // total:       (36.5 + 49) × 100 / (45 + 55) = 85.5
    const answers = withAnswers(BOTH, { 'sb.answer': secs(12), 'sb.tone': { share: 0.5 }, 'un.surname': no, 'un.tone': { share: 0 } });
    const result = score(standard(), BOTH, answers, []);
    expect(result.parts.map((p) => p.score)).toEqual([36.5, 49]);
    expect(result.total).toBe(85.5);
    expect(result.band).toBe('good');
    expect(result.needsFollowUp).toBe(false);
  });

  test('both parts: rounded once at the end → 92.7 (rounding each part first would give 92.8)', () => {
    // switchboard: sb.busy N/A → courtesy applicable 18; sb.agency no → 15 of 18 → 15 × 20 / 18 = 50/3
    //              25 + 50/3 = 125/3 = 41.666… (41.7 if rounded alone)
    // unit:        un.message, un.hold N/A; un.closing no → 970/19 = 51.0526… (51.1 if rounded alone)
    // total:       125/3 + 970/19 = (2375 + 2910) / 57 = 5285/57 = 92.7192… → 92.7
    // parts rounded first: 41.7 + 51.1 = 92.8 — wrong
    const answers = withAnswers(BOTH, { 'sb.busy': na, 'sb.agency': no, 'un.message': na, 'un.hold': na, 'un.closing': no });
    const result = score(standard(), BOTH, answers, []);
    expect(result.parts[0]?.score).toBeCloseTo(125 / 3, 10);
    expect(result.parts[1]?.score).toBeCloseTo(970 / 19, 10);
    expect(result.exactTotal).toBeCloseTo(5285 / 57, 10);
    expect(result.total).toBe(92.7);
    expect(roundHalfUp1(roundHalfUp1(125 / 3) + roundHalfUp1(970 / 19))).toBe(92.8);
  });
});

describe('N/A redistribution over the part', () => {
  // intro (5): x.only (5, N/A allowed); main (15): x.a (9), x.b (6, N/A allowed); part 20.
  const sections = [
    { key: 'x.intro', items: [{ key: 'x.only', points: 5, allowNA: true }] },
    {
      key: 'x.main',
      items: [
        { key: 'x.a', points: 9 },
        { key: 'x.b', points: 6, allowNA: true },
      ],
    },
  ];

  test("a section whose only item is N/A passes its points to the rest of the part → 60", () => {
    // x.only N/A → applicable 15 of the part; x.a yes, x.b no → earned 9 of 15
    // part: 9 × 20 / 15 = 12 of 20 → × 100 / 20 = 60
    const result = score(inlineSheet('part', sections), UNIT, { 'x.only': na, 'x.a': yes, 'x.b': no }, []);
    expect(result.parts).toEqual([{ key: 'unit', score: 12, points: 20 }]);
    expect(result.total).toBe(60);
  });

  test('the same with section redistribution: a section with nothing applicable also passes its points on → 60', () => {
    // intro not counted; main: 9 × 15 / 15 = 9; part: 9 × 20 / 15 = 12 → 60
    const result = score(inlineSheet('section', sections), UNIT, { 'x.only': na, 'x.a': yes, 'x.b': no }, []);
    expect(result.parts).toEqual([{ key: 'unit', score: 12, points: 20 }]);
    expect(result.total).toBe(60);
  });

  test('part and section redistribution differ when an N/A item shares its section: 35.7 against 25', () => {
    const answers = { 'x.only': yes, 'x.a': no, 'x.b': na };
    // part:    applicable 5 + 9 = 14, earned 5 → 5 × 20 / 14 = 50/7 = 7.142… → × 100 / 20 = 35.714… → 35.7
    const byPart = score(inlineSheet('part', sections), UNIT, answers, []);
    expect(byPart.exactTotal).toBeCloseTo(250 / 7, 10);
    expect(byPart.total).toBe(35.7);
    // section: intro 5 × 5 / 5 = 5; main 0 × 15 / 9 = 0 → 5 of 20 → 25
    const bySection = score(inlineSheet('section', sections), UNIT, answers, []);
    expect(bySection.total).toBe(25);
  });
});

describe('rounding: once, half up, one decimal', () => {
  test('an exact total of 84.25 gives 84.3', () => {
    // 337 of 400 → 337 × 100 / 400 = 84.25 → 84.3
    const result = totalOf(337, 63);
    expect(result.exactTotal).toBe(84.25);
    expect(result.total).toBe(84.3);
  });

  test('an exact total of 84.35 (not representable in binary) gives 84.4', () => {
    // 1687 of 2000 → 84.35 → 84.4
    expect(totalOf(1687, 313).total).toBe(84.4);
  });

  test('just under the half stays down: 84.2499 → 84.2', () => {
    // 842499 of 1000000 → 84.2499 → 84.2
    expect(totalOf(842499, 157501).total).toBe(84.2);
  });

  test('totals on the band boundaries', () => {
    // 1799 of 2000 = 89.95 → 90.0: excellent, no follow-up
    const a = totalOf(1799, 201);
    expect([a.total, a.band, a.needsFollowUp]).toEqual([90, 'excellent', false]);
    // 1599 of 2000 = 79.95 → 80.0: good, no follow-up
    const b = totalOf(1599, 401);
    expect([b.total, b.band, b.needsFollowUp]).toEqual([80, 'good', false]);
    // 3997 of 5000 = 79.94 → 79.9: fair, follow-up
    const c = totalOf(3997, 1003);
    expect([c.total, c.band, c.needsFollowUp]).toEqual([79.9, 'fair', true]);
    // 1399 of 2000 = 69.95 → 70.0: fair
    expect(totalOf(1399, 601).band).toBe('fair');
    // 13989 of 20000 = 69.945 → 69.9: poor
    expect(totalOf(13989, 6011).band).toBe('poor');
  });

  test('roundHalfUp1 on single values', () => {
    const cases: [number, number][] = [
      [0, 0],
      [0.04, 0],
      [0.05, 0.1],
      [0.15, 0.2],
      [1.45, 1.5],
      [2.25, 2.3],
      [84.24, 84.2],
      [84.25, 84.3],
      [84.35, 84.4],
      [92.71929824561404, 92.7],
      [99.94, 99.9],
      [99.95, 100],
      [100, 100],
    ];
    for (const [x, expected] of cases) expect([x, roundHalfUp1(x)]).toEqual([x, expected]);
  });

  test('every x.x5 from 0.05 to 100.05 rounds up, every x.x49 down', () => {
    for (let k = 0; k <= 1000; k++) {
      expect([k, roundHalfUp1((k + 0.5) / 10)]).toEqual([k, (k + 1) / 10]);
      expect([k, roundHalfUp1((k + 0.49) / 10)]).toEqual([k, k / 10]);
    }
  });
});

describe('measured items', () => {
  test('thresholds of the answer speed: ≤ 10 s full, ≤ 15 s half, beyond nothing', () => {
    const item = standard().parts[1]?.sections[0]?.items[0];
    if (!item) throw new Error('no un.answer');
    expect(item.key).toBe('un.answer');
    const shares = [0, 10, 10.5, 15, 15.1, 600].map((s) => shareOf(item, secs(s)));
    expect(shares).toEqual([1, 1, 0.5, 0.5, 0, 0]);
    expect(shareOf(item, na)).toBeNull();
  });

  test('through score, unit only: 10 s → 100; 10.5 s and 15 s → 86.4; 15.1 s → 72.7', () => {
    // 10 s:   55 of 55 → 100
    // 10.5 s: 55 − 7.5 = 47.5 → × 100 / 55 = 86.3636… → 86.4 (15 s the same)
    // 15.1 s: 55 − 15 = 40 → × 100 / 55 = 72.7272… → 72.7
    const totalAt = (s: number) => score(standard(), UNIT, withAnswers(UNIT, { 'un.answer': secs(s) }), []).total;
    expect([10, 10.5, 15, 15.1].map(totalAt)).toEqual([100, 86.4, 86.4, 72.7]);
  });

  test('thresholds listed out of order still apply smallest first', () => {
    const sheet = scoresheetSchema.parse({
      key: 'm',
      title: t('m'),
      parts: [
        {
          key: 'unit',
          title: t('unit'),
          points: 10,
          naRedistribution: 'section',
          sections: [
            {
              key: 's',
              title: t('s'),
              points: 10,
              items: [
                {
                  key: 's.answer',
                  kind: 'measured',
                  points: 10,
                  text: t('answer'),
                  thresholds: [
                    { maxSeconds: 15, share: 0.5 },
                    { maxSeconds: 10, share: 1 },
                  ],
                },
              ],
            },
          ],
        },
      ],
      criticalFlags: [],
    });
    const item = sheet.parts[0]?.sections[0]?.items[0];
    if (!item) throw new Error('no item');
    expect([5, 10, 12, 16].map((s) => shareOf(item, secs(s)))).toEqual([1, 1, 0.5, 0]);
  });
});

describe('bands and follow-up', () => {
  test('bandOf at the default thresholds', () => {
    const cases: [number, string][] = [
      [100, 'excellent'],
      [90, 'excellent'],
      [89.9, 'good'],
      [80, 'good'],
      [79.9, 'fair'],
      [70, 'fair'],
      [69.9, 'poor'],
      [0, 'poor'],
    ];
    for (const [total, band] of cases) expect([total, bandOf(total)]).toEqual([total, band]);
  });

  test('bandOf with other settings', () => {
    const bands = { excellent: 95, good: 85, fair: 60, followUp: 90 };
    expect([95, 94.9, 85, 84.9, 60, 59.9].map((x) => bandOf(x, bands))).toEqual(['excellent', 'good', 'good', 'fair', 'fair', 'poor']);
  });

  test('a critical flag calls for follow-up even at 100', () => {
    const result = score(standard(), UNIT, perfect(standard(), UNIT), ['rude']);
    expect(result.total).toBe(100);
    expect(result.band).toBe('excellent');
    expect(result.flags).toEqual(['rude']);
    expect(result.needsFollowUp).toBe(true);
  });

  test('follow-up below the configured threshold (90 at some agencies)', () => {
    // 85.5 as in "both parts, whole-point deductions": no follow-up at 80, follow-up at 90
    const answers = withAnswers(BOTH, { 'sb.answer': secs(12), 'sb.tone': { share: 0.5 }, 'un.surname': no, 'un.tone': { share: 0 } });
    expect(score(standard(), BOTH, answers, []).needsFollowUp).toBe(false);
    const strict = score(standard(), BOTH, answers, [], { ...DEFAULT_BANDS, followUp: 90 });
    expect([strict.total, strict.band, strict.needsFollowUp]).toEqual([85.5, 'good', true]);
  });
});

describe('checkAnswers', () => {
  const check = (parts: readonly Part[], answers: Answers, flags: readonly string[] = []) => checkAnswers(standard(), parts, answers, flags);

  test('perfect answers have no issue', () => {
    expect(check(BOTH, perfect(standard(), BOTH), ['rude', 'leak'])).toEqual([]);
  });

  test('a missing item', () => {
    const answers = perfect(standard(), UNIT);
    delete answers['un.greeting'];
    expect(check(UNIT, answers)).toEqual([{ itemKey: 'un.greeting', problem: 'missing' }]);
  });

  test('an unknown item, and an item of a part not tested', () => {
    expect(check(UNIT, { ...perfect(standard(), UNIT), 'un.nonsense': yes, 'sb.agency': yes })).toEqual([
      { itemKey: 'un.nonsense', problem: 'unknownItem' },
      { itemKey: 'sb.agency', problem: 'unknownItem' },
    ]);
  });

  test('N/A where the item does not allow it', () => {
    expect(check(UNIT, withAnswers(UNIT, { 'un.greeting': na, 'un.answer': na }))).toEqual([
      { itemKey: 'un.answer', problem: 'naNotAllowed' },
      { itemKey: 'un.greeting', problem: 'naNotAllowed' },
    ]);
  });

  test('a share that is not one of the levels', () => {
    expect(check(UNIT, withAnswers(UNIT, { 'un.greeting': { share: 0.7 }, 'un.tone': { share: 0.7 } }))).toEqual([
      { itemKey: 'un.greeting', problem: 'badShare' },
      { itemKey: 'un.tone', problem: 'badShare' },
    ]);
    // ½ is a level of the graded tone, not of a yes/no item.
    expect(check(UNIT, withAnswers(UNIT, { 'un.tone': { share: 0.5 } }))).toEqual([]);
    expect(check(UNIT, withAnswers(UNIT, { 'un.greeting': { share: 0.5 } }))).toEqual([{ itemKey: 'un.greeting', problem: 'badShare' }]);
  });

  test('seconds out of range', () => {
    for (const bad of [-1, -0.1, 600.1, 601, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect([bad, check(UNIT, withAnswers(UNIT, { 'un.answer': secs(bad) }))]).toEqual([bad, [{ itemKey: 'un.answer', problem: 'badSeconds' }]]);
    }
    for (const good of [0, 600]) expect(check(UNIT, withAnswers(UNIT, { 'un.answer': secs(good) }))).toEqual([]);
  });

  test('a share given for a measured item, seconds for a yes/no item', () => {
    expect(check(UNIT, withAnswers(UNIT, { 'un.answer': yes, 'un.greeting': secs(3) }))).toEqual([
      { itemKey: 'un.answer', problem: 'wrongKind' },
      { itemKey: 'un.greeting', problem: 'wrongKind' },
    ]);
  });

  test('an unknown flag', () => {
    expect(check(UNIT, perfect(standard(), UNIT), ['rude', 'late'])).toEqual([{ itemKey: 'late', problem: 'unknownFlag' }]);
  });

  test('no part tested', () => {
    expect(check([], {})).toEqual([{ itemKey: '', problem: 'noPart' }]);
  });

  test('all items of a part N/A', () => {
    const sheet = inlineSheet('section', [
      {
        key: 'n',
        items: [
          { key: 'n.a', points: 2, allowNA: true },
          { key: 'n.b', points: 3, allowNA: true },
        ],
      },
    ]);
    const answers = { 'n.a': na, 'n.b': na };
    expect(checkAnswers(sheet, UNIT, answers, [])).toEqual([{ itemKey: '', problem: 'allNA' }]);
    expect(() => score(sheet, UNIT, answers, [])).toThrow(/allNA/);
    expect(checkAnswers(sheet, UNIT, { 'n.a': na, 'n.b': no }, [])).toEqual([]);
  });

  test('score refuses answers that checkAnswers refuses', () => {
    const answers = perfect(standard(), UNIT);
    delete answers['un.closing'];
    expect(() => score(standard(), UNIT, answers, [])).toThrow(/un\.closing/);
  });
});

describe('properties on the standard sheet', () => {
  const partsArb = fc.constantFrom<Part[]>(UNIT, SWITCHBOARD, BOTH);

  function answerArb(item: SheetItem): fc.Arbitrary<Answer> {
    const naArb: fc.Arbitrary<Answer>[] = item.allowNA ? [fc.constant(na)] : [];
    switch (item.kind) {
      case 'yesno':
        return fc.oneof(fc.constantFrom(yes, no), ...naArb);
      case 'graded':
        return fc.oneof(fc.constantFrom(...item.levels.map((l): Answer => ({ share: l.share }))), ...naArb);
      case 'measured': {
        const near = item.thresholds.flatMap((th) => [th.maxSeconds, th.maxSeconds + 0.1]);
        return fc.oneof(fc.constantFrom(...near, 0, 600).map(secs), fc.double({ min: 0, max: 600, noNaN: true }).map(secs), ...naArb);
      }
    }
  }

  /** Parts tested and valid answers for their items. */
  function caseArb(): fc.Arbitrary<{ parts: Part[]; answers: Record<string, Answer> }> {
    const sheet = standard();
    const all = Object.fromEntries(itemsOf(sheet, BOTH).map((i) => [i.key, answerArb(i)]));
    return fc.tuple(partsArb, fc.record(all)).map(([parts, answers]) => {
      const keys = new Set(itemsOf(sheet, parts).map((i) => i.key));
      return { parts, answers: Object.fromEntries(Object.entries(answers).filter(([k]) => keys.has(k))) };
    });
  }

  test('valid answers pass the check and score within 0–100, rounded from the exact total', () => {
    fc.assert(
      fc.property(caseArb(), ({ parts, answers }) => {
        expect(checkAnswers(standard(), parts, answers, [])).toEqual([]);
        const result = score(standard(), parts, answers, []);
        expect(result.total).toBeGreaterThanOrEqual(0);
        expect(result.total).toBeLessThanOrEqual(100);
        expect(result.exactTotal).toBeGreaterThanOrEqual(0);
        expect(result.exactTotal).toBeLessThanOrEqual(100);
        expect(result.total).toBe(roundHalfUp1(result.exactTotal));
        expect(result.band).toBe(bandOf(result.total));
        expect(result.parts.map((p) => p.key)).toEqual(parts);
      }),
      { numRuns: 500 },
    );
  });

  test('marking allowed items N/A never lowers the maximum: all best with any N/A is exactly 100', () => {
    const allowNA = itemsOf(standard(), BOTH)
      .filter((i) => i.allowNA)
      .map((i) => i.key);
    expect(allowNA.sort()).toEqual(['sb.busy', 'sb.menu', 'un.hold', 'un.message']);
    fc.assert(
      fc.property(partsArb, fc.subarray(allowNA), (parts, naKeys) => {
        const answers = perfect(standard(), parts);
        for (const key of naKeys) if (key in answers) answers[key] = na;
        const result = score(standard(), parts, answers, []);
        expect(result.exactTotal).toBe(100);
        expect(result.total).toBe(100);
      }),
    );
  });

  test('the total is 100 exactly when nothing was deducted', () => {
    fc.assert(
      fc.property(caseArb(), ({ parts, answers }) => {
        const result = score(standard(), parts, answers, []);
        expect(result.total === 100).toBe(result.deductions.length === 0);
        expect(result.exactTotal === 100).toBe(result.deductions.length === 0);
      }),
      { numRuns: 500 },
    );
  });

  /** A worse (or equal) answer for the item: a lower level, a slower answer, or N/A turned into nothing earned. */
  function worsen(item: SheetItem, answer: Answer, u: number): Answer {
    if ('na' in answer) return item.kind === 'measured' ? secs(600) : no;
    if ('seconds' in answer) return secs(Math.min(600, answer.seconds + u * (600 - answer.seconds)));
    const current = answer.share;
    const lower = item.kind === 'graded' ? item.levels.map((l) => l.share).filter((s) => s <= current) : [0, 1].filter((s) => s <= current);
    return { share: lower[Math.floor(u * lower.length) % lower.length] ?? current };
  }

  test('making one answer worse never raises the score', () => {
    fc.assert(
      fc.property(caseArb(), fc.nat(), fc.double({ min: 0, max: 1, noNaN: true }), ({ parts, answers }, pick, u) => {
        const items = itemsOf(standard(), parts);
        const item = items[pick % items.length];
        const before = item && answers[item.key];
        if (!item || !before) throw new Error('test bug: no item picked');
        const after = worsen(item, before, u);
        const changed = { ...answers, [item.key]: after };
        expect(checkAnswers(standard(), parts, changed, [])).toEqual([]);
        const a = score(standard(), parts, answers, []);
        const b = score(standard(), parts, changed, []);
        expect(b.exactTotal).toBeLessThanOrEqual(a.exactTotal + 1e-9);
        expect(b.total).toBeLessThanOrEqual(a.total);
      }),
      { numRuns: 1000 },
    );
  });
});
