import fc from 'fast-check';
import { meanInterval } from '../../server/stats/estimates';
import { likertSummary, NOT_APPLICABLE, sectionSummary, type ScaleShape, type SectionSums } from '../../server/stats/survey';

// Reference values: scipy 1.17 / numpy 2.4 (np = numpy, stats = scipy.stats), snippets beside each value.
// Wilson intervals come from scipy's own implementation, stats.binomtest(x, n).proportion_ci(method='wilson'),
// t intervals from stats.t.interval(0.95, n-1, loc=x.mean(), scale=stats.sem(x)) on the raw answers.

const sat5: ScaleShape = { points: [5, 4, 3, 2, 1], satisfied: [4, 5] };
const agree6: ScaleShape = { points: [6, 5, 4, 3, 2, 1], satisfied: [5, 6] };

const hist = (entries: Record<string, number>): Map<string, number> => new Map(Object.entries(entries));

describe('likertSummary', () => {
  // x = np.repeat([5,4,3,2,1], [40,35,15,7,3]).astype(float)  (the 12 N/A answers are not on the scale)
  const h = hist({ '5': 40, '4': 35, '3': 15, '2': 7, '1': 3, [NOT_APPLICABLE]: 12 });
  const s = likertSummary(h, sat5);

  it('counts valid answers apart from N/A, the top box as satisfied and the middle point as neutral', () => {
    expect(s.n).toBe(100);
    expect(s.notApplicable).toBe(12);
    expect(s.satisfied).toBe(75); // 40 + 35
    expect(s.neutral).toBe(15);
    expect(s.distribution).toEqual([
      { value: 5, n: 40, share: 0.4 },
      { value: 4, n: 35, share: 0.35 },
      { value: 3, n: 15, share: 0.15 },
      { value: 2, n: 7, share: 0.07 },
      { value: 1, n: 3, share: 0.03 },
    ]);
  });

  it('gives the Wilson interval of the satisfied share', () => {
    // stats.binomtest(75, 100).proportion_ci(method='wilson')
    expect(s.share?.p).toBe(0.75);
    expect(s.share?.lower).toBeCloseTo(0.656955364519384, 12);
    expect(s.share?.upper).toBeCloseTo(0.8245478863771232, 12);
  });

  it('gives the mean with its t interval', () => {
    // x.mean(), x.std(ddof=1), stats.t.interval(0.95, 99, loc=x.mean(), scale=stats.sem(x))
    expect(s.mean?.mean).toBeCloseTo(4.02, 14);
    expect(s.mean?.sd).toBeCloseTo(1.0539008827717486, 12);
    expect(s.mean?.lower).toBeCloseTo(3.81088320031124, 12);
    expect(s.mean?.upper).toBeCloseTo(4.229116799688759, 12);
  });

  it('has no neutral point on a 6-point scale, and satisfied is its top two boxes', () => {
    // x = np.repeat([6,5,4,3,2,1], [12,20,9,5,3,1]).astype(float); 32 of 50 satisfied
    const r = likertSummary(hist({ '6': 12, '5': 20, '4': 9, '3': 5, '2': 3, '1': 1 }), agree6);
    expect(r.n).toBe(50);
    expect(r.neutral).toBeNull();
    expect(r.satisfied).toBe(32);
    expect(r.notApplicable).toBe(0);
    // stats.binomtest(32, 50).proportion_ci(method='wilson')
    expect(r.share?.p).toBe(0.64);
    expect(r.share?.lower).toBeCloseTo(0.5014101687611269, 12);
    expect(r.share?.upper).toBeCloseTo(0.7586125034815326, 12);
    // stats.t.interval(0.95, 49, loc=4.6, scale=stats.sem(x)); x.std(ddof=1)
    expect(r.mean?.mean).toBeCloseTo(4.6, 14);
    expect(r.mean?.sd).toBeCloseTo(1.2453996981544782, 12);
    expect(r.mean?.lower).toBeCloseTo(4.246061321949166, 12);
    expect(r.mean?.upper).toBeCloseTo(4.953938678050833, 12);
  });

  it('finds the middle point whatever order the scale lists its points in', () => {
    const ascending: ScaleShape = { points: [1, 2, 3, 4, 5], satisfied: [4, 5] };
    const r = likertSummary(hist({ '1': 1, '2': 2, '3': 7, '4': 4, '5': 5 }), ascending);
    expect(r.neutral).toBe(7);
    expect(r.distribution.map((d) => d.value)).toEqual([1, 2, 3, 4, 5]);
    // The same answers on the descending scale give the same figures.
    const d = likertSummary(hist({ '1': 1, '2': 2, '3': 7, '4': 4, '5': 5 }), sat5);
    expect([d.n, d.satisfied, d.neutral, d.share, d.mean]).toEqual([r.n, r.satisfied, r.neutral, r.share, r.mean]);
  });

  it('ignores values that are not points of the scale', () => {
    const r = likertSummary(hist({ '5': 3, '4': 1, '7': 50, '0': 9, __text: 4 }), sat5);
    expect(r.n).toBe(4);
    expect(r.satisfied).toBe(4);
    expect(r.mean?.mean).toBe(4.75);
  });

  it('has no share or mean without valid answers, N/A only included', () => {
    const r = likertSummary(hist({ [NOT_APPLICABLE]: 5 }), sat5);
    expect(r).toEqual({
      n: 0,
      notApplicable: 5,
      satisfied: 0,
      neutral: 0,
      share: null,
      mean: null,
      distribution: [5, 4, 3, 2, 1].map((value) => ({ value, n: 0, share: 0 })),
    });
    expect(likertSummary(new Map(), agree6).neutral).toBeNull();
  });

  it('gives a mean with no interval for a single answer', () => {
    const r = likertSummary(hist({ '2': 1 }), sat5);
    expect(r.mean).toEqual({ mean: 2, sd: null, lower: null, upper: null });
    expect(r.share?.p).toBe(0);
  });

  it('property: counts add up and the estimates lie within the scale', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 200 }), { minLength: 5, maxLength: 5 }), fc.nat({ max: 50 }), (counts, na) => {
        const h = new Map<string, number>([[NOT_APPLICABLE, na]]);
        counts.forEach((c, i) => h.set(String(5 - i), c));
        const r = likertSummary(h, sat5);
        const total = counts.reduce((a, b) => a + b, 0);
        expect(r.n).toBe(total);
        expect(r.notApplicable).toBe(na);
        expect(r.satisfied).toBe((counts[0] ?? 0) + (counts[1] ?? 0));
        expect(r.neutral).toBe(counts[2]);
        expect(r.distribution.reduce((a, d) => a + d.n, 0)).toBe(total);
        if (total === 0) {
          expect(r.share).toBeNull();
          expect(r.mean).toBeNull();
        } else {
          expect(r.distribution.reduce((a, d) => a + d.share, 0)).toBeCloseTo(1, 12);
          expect(r.share?.p).toBe(r.satisfied / total);
          expect(r.mean?.mean).toBeGreaterThanOrEqual(1);
          expect(r.mean?.mean).toBeLessThanOrEqual(5);
        }
      }),
    );
  });
});

/** The complete-case sums the aggregates store, computed here from the respondents' answers. */
function sumsOf(rows: readonly (readonly number[])[]): SectionSums {
  const k = rows[0]?.length ?? 0;
  const sums = Array.from({ length: k }, (_, i) => rows.reduce((a, r) => a + (r[i] ?? NaN), 0));
  const crossProducts = Array.from({ length: k }, (_, i) => Array.from({ length: k }, (_, j) => rows.reduce((a, r) => a + (r[i] ?? NaN) * (r[j] ?? NaN), 0)));
  return { n: rows.length, sums, crossProducts };
}

describe('sectionSummary', () => {
  // Twelve respondents, three items.
  //   X = np.array([[5,4,5],[4,4,3],[3,2,3],[5,5,4],[2,3,1],[4,3,4],[5,5,5],[3,4,2],[4,4,4],[1,2,2],[4,5,4],[3,3,4]], float)
  //   X.sum(0) = [43, 44, 41]; X.T@X = [[171,169,161],[169,174,158],[161,158,157]]
  const raw = [
    [5, 4, 5],
    [4, 4, 3],
    [3, 2, 3],
    [5, 5, 4],
    [2, 3, 1],
    [4, 3, 4],
    [5, 5, 5],
    [3, 4, 2],
    [4, 4, 4],
    [1, 2, 2],
    [4, 5, 4],
    [3, 3, 4],
  ];
  const stats = sumsOf(raw);

  it('builds the sufficient statistics the reference used', () => {
    expect(stats.n).toBe(12);
    expect(stats.sums).toEqual([43, 44, 41]);
    expect(stats.crossProducts).toEqual([
      [171, 169, 161],
      [169, 174, 158],
      [161, 158, 157],
    ]);
  });

  it('gives the mean of the respondents’ averages with its t interval, as from respondent-level data', () => {
    // sc = X.mean(1); sc.mean(), sc.std(ddof=1), stats.t.interval(0.95, 11, loc=sc.mean(), scale=stats.sem(sc))
    const r = sectionSummary(stats);
    expect(r.n).toBe(12);
    expect(r.mean?.mean).toBeCloseTo(3.555555555555556, 14);
    expect(r.mean?.sd).toBeCloseTo(1.0667929218208838, 12);
    expect(r.mean?.lower).toBeCloseTo(2.877747670371681, 12);
    expect(r.mean?.upper).toBeCloseTo(4.2333634407394305, 12);
  });

  it('gives Cronbach’s α and α if deleted as from the raw matrix', () => {
    // def alpha(X): k = X.shape[1]; return k/(k-1)*(1 - X.var(axis=0, ddof=1).sum()/X.sum(1).var(ddof=1))
    // alpha(X); [alpha(np.delete(X, d, axis=1)) for d in range(3)]
    const r = sectionSummary(stats);
    expect(r.alpha).toBeCloseTo(0.8809171597633135, 12);
    expect(r.alphaIfDeleted).toHaveLength(3);
    expect(r.alphaIfDeleted[0]).toBeCloseTo(0.6827458256029686, 12);
    expect(r.alphaIfDeleted[1]).toBeCloseTo(0.9086021505376343, 12);
    expect(r.alphaIfDeleted[2]).toBeCloseTo(0.8676236044657097, 12);
  });

  it('has no α for one item, and no mean or α without complete cases', () => {
    const one = sectionSummary(sumsOf(raw.map((r) => [r[0] ?? NaN])));
    expect(one.alpha).toBeNull();
    expect(one.alphaIfDeleted).toEqual([null]);
    // For one item the score is the item itself: Σx = 43, Σx² = 171.
    expect(one.mean).toEqual(meanInterval(12, 43, 171));
    expect(sectionSummary({ n: 0, sums: [0, 0, 0], crossProducts: [[0, 0, 0], [0, 0, 0], [0, 0, 0]] })).toEqual({ n: 0, mean: null, alpha: null, alphaIfDeleted: [null, null, null] });
    expect(sectionSummary({ n: 4, sums: [], crossProducts: [] })).toEqual({ n: 4, mean: null, alpha: null, alphaIfDeleted: [] });
  });

  it('gives a single respondent a mean without interval and no α', () => {
    const r = sectionSummary(sumsOf([[4, 5, 3]]));
    expect(r.mean).toEqual({ mean: 4, sd: null, lower: null, upper: null });
    expect(r.alpha).toBeNull();
  });

  it('property: the dimension score equals the t interval of the respondents’ own averages', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 5 }).chain((k) => fc.array(fc.array(fc.integer({ min: 1, max: 5 }), { minLength: k, maxLength: k }), { minLength: 2, maxLength: 60 })),
        (rows) => {
          const k = rows[0]?.length ?? 0;
          const averages = rows.map((r) => r.reduce((a, b) => a + b, 0) / k);
          const direct = meanInterval(rows.length, averages.reduce((a, b) => a + b, 0), averages.reduce((a, b) => a + b * b, 0));
          const r = sectionSummary(sumsOf(rows));
          expect(r.mean?.mean).toBeCloseTo(direct.mean, 10);
          expect(r.mean?.sd ?? NaN).toBeCloseTo(direct.sd ?? NaN, 8);
          expect(r.mean?.lower ?? NaN).toBeCloseTo(direct.lower ?? NaN, 8);
          expect(r.mean?.upper ?? NaN).toBeCloseTo(direct.upper ?? NaN, 8);
          if (r.alpha !== null) expect(r.alpha).toBeLessThanOrEqual(1);
        },
      ),
    );
  });
});
