import {
  alphaReading,
  calibrationBias,
  iccReading,
  itemAgreement,
  raterAlignment,
  roundAgreement,
  type CalibrationCall,
  type ItemShares,
} from '../../server/stats/calibration';

/**
 * One round worked out by hand: items A (yes/no, 4 points), B (graded 0 / ½ / 1, 2 points), C (yes/no,
 * 3 points, may be N/A); two calls, three raters (ids 1, 2, 3).
 *
 *            reference        rater 1            rater 2          rater 3
 *   call 1   A 1 B 1  C n/a   A 1 B ½ C n/a  90  A 0 B 1 C 1  80  A 0 B 1 C n/a  88
 *   call 2   A 0 B ½  C 1     A 0 B 0 C 1    70  A 1 B ½ C 1  85  A 0 B ½ C 0    60
 */
const items = [
  { key: 'A', points: 4 },
  { key: 'B', points: 2 },
  { key: 'C', points: 3 },
];
const call = (reference: ItemShares, ...raters: [ItemShares, number][]): CalibrationCall => ({
  reference,
  ratings: new Map(raters.map(([shares, total], i) => [i + 1, { shares, total }])),
});
const calls = [
  call({ A: 1, B: 1, C: null }, [{ A: 1, B: 0.5, C: null }, 90], [{ A: 0, B: 1, C: 1 }, 80], [{ A: 0, B: 1, C: null }, 88]),
  call({ A: 0, B: 0.5, C: 1 }, [{ A: 0, B: 0, C: 1 }, 70], [{ A: 1, B: 0.5, C: 1 }, 85], [{ A: 0, B: 0.5, C: 0 }, 60]),
];

describe('itemAgreement', () => {
  it('counts matches with the reference and the raters’ spread per item (hand computed)', () => {
    // A: call 1 only rater 1 matches, call 2 raters 1 and 3 → 3 of 6. Points per call [4,0,0] and [0,4,0]: ranges 4 and 4.
    // B: raters 2 and 3 match on both calls → 4 of 6. Points [1,2,2] and [0,1,1]: ranges 1 and 1.
    // C: call 1 (reference N/A): raters 1 and 3 match, rater 2 scored it (an N/A mismatch); call 2 raters 1 and 2 match → 4 of 6.
    //    Spread: call 1 has a single non-N/A answer, so only call 2 counts: [3,3,0] → 3.
    expect(itemAgreement(items, calls)).toEqual([
      { key: 'A', points: 4, n: 6, matches: 3, matchShare: 0.5, naMismatches: 0, spread: 4 },
      { key: 'B', points: 2, n: 6, matches: 4, matchShare: 4 / 6, naMismatches: 0, spread: 1 },
      { key: 'C', points: 3, n: 6, matches: 4, matchShare: 4 / 6, naMismatches: 1, spread: 3 },
    ]);
  });

  it('has no share and no spread without answers', () => {
    expect(itemAgreement([{ key: 'A', points: 4 }], [])).toEqual([{ key: 'A', points: 4, n: 0, matches: 0, matchShare: null, naMismatches: 0, spread: null }]);
  });
});

describe('raterAlignment', () => {
  it('is 1 − |difference| / item points per item, and weighted by points over the sheet (hand computed)', () => {
    // Rater 1: A differs by 0 and 0; B by −1 and −1 point (½ of 2 each): 1 − (½ + ½)/2 = ½; C only call 2 (reference N/A on call 1): 0.
    // Overall: 1 − (0 + 0 + 1 + 1 + 0) / (4 + 4 + 2 + 2 + 3) = 13/15.
    expect(raterAlignment(items, calls, 1)).toEqual({
      raterId: 1,
      items: [
        { key: 'A', n: 2, alignment: 1, meanDifference: 0 },
        { key: 'B', n: 2, alignment: 0.5, meanDifference: -1 },
        { key: 'C', n: 1, alignment: 1, meanDifference: 0 },
      ],
      overall: 1 - 2 / 15,
    });
    // Rater 2: A −4 then +4 → alignment 0, mean 0; B, C exact. Overall 1 − 8/15.
    const r2 = raterAlignment(items, calls, 2);
    expect(r2.items[0]).toEqual({ key: 'A', n: 2, alignment: 0, meanDifference: 0 });
    expect(r2.overall).toBeCloseTo(7 / 15, 15);
    // Rater 3: A −4 then 0 → ½, mean −2; C call 2: −3 → 0. Overall 1 − 7/15.
    const r3 = raterAlignment(items, calls, 3);
    expect(r3.items).toEqual([
      { key: 'A', n: 2, alignment: 0.5, meanDifference: -2 },
      { key: 'B', n: 2, alignment: 1, meanDifference: 0 },
      { key: 'C', n: 1, alignment: 0, meanDifference: -3 },
    ]);
    expect(r3.overall).toBeCloseTo(8 / 15, 15);
  });

  it('is null for a rater who answered nothing comparable', () => {
    expect(raterAlignment(items, calls, 9)).toEqual({
      raterId: 9,
      items: items.map((i) => ({ key: i.key, n: 0, alignment: null, meanDifference: null })),
      overall: null,
    });
  });
});

describe('roundAgreement', () => {
  it('gives ICC(2,1) on totals and ordinal α on item shares (numpy/scipy reference)', () => {
    // python3 with numpy 2.4 / scipy 1.17, written from the formulas, not from this code:
    //   Y = np.array([[90,80,88],[70,85,60]]); n,k = Y.shape; g,r,c = Y.mean(), Y.mean(1), Y.mean(0)
    //   msr = k*((r-g)**2).sum()/(n-1); msc = n*((c-g)**2).sum()/(k-1); mse = ((Y-r[:,None]-c+g)**2).sum()/((n-1)*(k-1))
    //   icc = (msr-mse)/(msr+(k-1)*mse+k*(msc-mse)/n)                                → 0.364050056882821
    //   McGraw & Wong 2A with stats.f.ppf(0.975, n-1, v) and stats.f.ppf(0.975, v, n-1) → [-0.9401793904530564, 0.9989148532045975]
    // α: a coincidence matrix built with itertools.permutations over the pairable units
    //   [1,0,0] [½,1,1] [0,1,0] [0,½,½] [1,1,0] (call 1's C has one answer), ordinal δ² from the marginals
    //   → −0.0888888888888888 (= −4/45)
    const r = roundAgreement(items, calls, [1, 2, 3]);
    expect(r.icc?.icc).toBeCloseTo(0.364050056882821, 12);
    expect(r.icc?.lower).toBeCloseTo(-0.9401793904530564, 9);
    expect(r.icc?.upper).toBeCloseTo(0.9989148532045975, 9);
    expect(r.icc?.calls).toBe(2);
    expect(r.icc?.raters).toBe(3);
    expect(r.alpha).toBeCloseTo(-4 / 45, 12);
    expect(r.alphaUnits).toBe(5);
    expect(r.alphaValues).toBe(15);
  });

  it('leaves a rater who missed a call out of the ICC, and has no ICC for a single call', () => {
    const missing: CalibrationCall[] = [calls[0] as CalibrationCall, { ...(calls[1] as CalibrationCall), ratings: new Map([...(calls[1] as CalibrationCall).ratings].filter(([id]) => id !== 3)) }];
    const r = roundAgreement(items, missing, [1, 2, 3]);
    expect(r.iccRaters).toBe(2);
    expect(r.icc?.raters).toBe(2);
    const one = roundAgreement(items, [calls[0] as CalibrationCall], [1, 2, 3]);
    expect(one.icc).toBeNull();
    expect(one.iccCalls).toBe(1);
    expect(one.iccRaters).toBe(3);
    // Call 1 alone: units [1,0,0] and [½,1,1] are pairable, α is still defined.
    expect(one.alphaUnits).toBe(2);
    expect(one.alpha).not.toBeNull();
  });
});

describe('readings', () => {
  it('reads the ICC by Koo & Li and α by Krippendorff, at the boundaries', () => {
    expect([0.49, 0.5, 0.74, 0.75, 0.9, 0.91].map(iccReading)).toEqual(['poor', 'moderate', 'moderate', 'good', 'good', 'excellent']);
    expect([0.5, 0.667, 0.79, 0.8, 1].map(alphaReading)).toEqual(['unreliable', 'tentative', 'tentative', 'reliable', 'reliable']);
  });
});

describe('calibrationBias', () => {
  it('gives the mean signed difference per item and marks a consistent direction (hand computed)', () => {
    const bias = calibrationBias([
      // A: −4, 0, −4 → mean −8/3; 2 stricter of 3, none lenient → consistently stricter.
      { itemKey: 'A', given: 0, reference: 4 },
      { itemKey: 'B', given: 2, reference: 1 },
      { itemKey: 'A', given: 4, reference: 4 },
      { itemKey: 'B', given: 2, reference: 1 },
      { itemKey: 'A', given: 0, reference: 4 },
      // B: +1, +1, −1 → mean 1/3; one the other way → not consistent.
      { itemKey: 'B', given: 0, reference: 1 },
      // C: +3, +3 → mean 3 but only two comparisons → not yet consistent.
      { itemKey: 'C', given: 3, reference: 0 },
      { itemKey: 'C', given: 3, reference: 0 },
      // D: +1, 0, 0 → only one of three differs: not more than half.
      { itemKey: 'D', given: 2, reference: 1 },
      { itemKey: 'D', given: 1, reference: 1 },
      { itemKey: 'D', given: 1, reference: 1 },
      // E: +1.5, +1.5, +1.5, 0 → consistently more lenient.
      { itemKey: 'E', given: 1.5, reference: 0 },
      { itemKey: 'E', given: 1.5, reference: 0 },
      { itemKey: 'E', given: 1.5, reference: 0 },
      { itemKey: 'E', given: 0, reference: 0 },
    ]);
    expect(bias).toEqual([
      { itemKey: 'A', n: 3, meanDifference: -8 / 3, stricter: 2, lenient: 0, consistent: 'stricter' },
      { itemKey: 'B', n: 3, meanDifference: 1 / 3, stricter: 1, lenient: 2, consistent: null },
      { itemKey: 'C', n: 2, meanDifference: 3, stricter: 0, lenient: 2, consistent: null },
      { itemKey: 'D', n: 3, meanDifference: 1 / 3, stricter: 0, lenient: 1, consistent: null },
      { itemKey: 'E', n: 4, meanDifference: 4.5 / 4, stricter: 0, lenient: 3, consistent: 'lenient' },
    ]);
  });
});
