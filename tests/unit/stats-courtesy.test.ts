import fc from 'fast-check';
import { BANDS, deductionFrequency, percentChange, scoreMean, scoreSummary, type Band, type TestResult } from '../../server/stats/courtesy';

// Reference values: scipy 1.17 / numpy 2.4 (np = numpy, stats = scipy.stats), snippets beside each value.
// t intervals: stats.t.interval(level, n-1, loc=x.mean(), scale=stats.sem(x)); Wilson intervals:
// stats.binomtest(x, n).proportion_ci(method='wilson').

const scored = (total: number, band: Band, deductions: TestResult['deductions'] = []): TestResult => ({ total, band, deductions });
const unreachable = (deductions: TestResult['deductions'] = []): TestResult => ({ total: null, band: null, deductions });

describe('scoreMean', () => {
  // x = np.array([92,85,78,88,95,70,83,90,61,87], float)
  const x = [92, 85, 78, 88, 95, 70, 83, 90, 61, 87];

  it('cuts the interval at the possible scores', () => {
    // [100, 100, 96]: mean 98.666…, sd 2.309…, t(0.975, 2) = 4.302652729749464 → 98.67 ± 5.74 would reach 104.4.
    const m = scoreMean([100, 100, 96]);
    expect(m?.upper).toBe(100);
    expect(m?.lower).toBeCloseTo(98.66666666666667 - 4.302652729749464 * (2.309401076758503 / Math.sqrt(3)), 10);
    expect(scoreMean([2, 0, 1], 0.95, [0, 100])?.lower).toBe(0);
  });

  it('matches the t interval from scipy', () => {
    const r = scoreMean(x);
    expect(r?.mean).toBeCloseTo(82.9, 12); // x.mean()
    expect(r?.sd).toBeCloseTo(10.52457441736561, 12); // x.std(ddof=1)
    expect(r?.lower).toBeCloseTo(75.37117300813533, 11); // stats.t.interval(0.95, 9, ...)
    expect(r?.upper).toBeCloseTo(90.42882699186468, 11);
  });

  it('honours the confidence level', () => {
    const r = scoreMean(x, 0.9);
    expect(r?.lower).toBeCloseTo(76.79910199278687, 11); // stats.t.interval(0.90, 9, ...)
    expect(r?.upper).toBeCloseTo(89.00089800721314, 11);
  });

  it('has no interval for one score and nothing for none', () => {
    expect(scoreMean([77])).toEqual({ mean: 77, sd: null, lower: null, upper: null });
    expect(scoreMean([])).toBeNull();
  });

  it('does not reorder or change the caller’s scores', () => {
    const copy = [...x];
    scoreMean(copy);
    expect(copy).toEqual(x);
  });
});

describe('scoreSummary', () => {
  const results: TestResult[] = [
    scored(95, 'excellent'),
    scored(88, 'good'),
    scored(79.5, 'fair'),
    scored(80, 'good'),
    scored(62, 'poor'),
    scored(91, 'excellent'),
    unreachable(),
    unreachable(),
    // Inconsistent input: no score but a band. It is unreachable and in no band.
    { total: null, band: 'poor', deductions: [] },
  ];
  const r = scoreSummary(results, 80);

  it('counts scored and unreachable tests apart; unreachable ones are not zeros', () => {
    expect(r.n).toBe(6);
    expect(r.unreachable).toBe(3);
    // y = np.array([95,88,79.5,80,62,91]); y.mean(), stats.t.interval(0.95, 5, loc=y.mean(), scale=stats.sem(y))
    expect(r.mean?.mean).toBeCloseTo(82.58333333333333, 12);
    expect(r.mean?.lower).toBeCloseTo(70.21771840091827, 11);
    expect(r.mean?.upper).toBeCloseTo(94.94894826574838, 11);
  });

  it('counts bands over scored tests only', () => {
    expect(r.bands).toEqual({ excellent: 2, good: 2, fair: 1, poor: 1 });
  });

  it('counts as below the threshold only scores strictly under it, with a Wilson interval', () => {
    expect(r.below).toBe(2); // 79.5 and 62; 80 is not below 80
    // stats.binomtest(2, 6).proportion_ci(method='wilson')
    expect(r.belowShare?.p).toBeCloseTo(1 / 3, 15);
    expect(r.belowShare?.lower).toBeCloseTo(0.09677141110578047, 12);
    expect(r.belowShare?.upper).toBeCloseTo(0.700006684861608, 12);
  });

  it('has no mean or share when every test was unreachable', () => {
    expect(scoreSummary([unreachable(), unreachable()], 80)).toEqual({
      n: 0,
      unreachable: 2,
      mean: null,
      bands: { excellent: 0, good: 0, fair: 0, poor: 0 },
      below: 0,
      belowShare: null,
    });
  });

  it('property: scored + unreachable = all tests, and bands never exceed the scored tests', () => {
    const result = fc.oneof(
      fc.record({ total: fc.integer({ min: 0, max: 100 }), band: fc.constantFrom(...BANDS), deductions: fc.constant([]) }),
      fc.record({ total: fc.constant(null), band: fc.constant(null), deductions: fc.constant([]) }),
    );
    fc.assert(
      fc.property(fc.array(result, { maxLength: 80 }), fc.integer({ min: 0, max: 100 }), (rs, threshold) => {
        const s = scoreSummary(rs, threshold);
        expect(s.n + s.unreachable).toBe(rs.length);
        expect(BANDS.reduce((a, b) => a + s.bands[b], 0)).toBe(s.n);
        expect(s.below).toBe(rs.filter((x) => x.total !== null && x.total < threshold).length);
        expect(s.below).toBeLessThanOrEqual(s.n);
      }),
    );
  });
});

describe('deductionFrequency', () => {
  const results: TestResult[] = [
    scored(90, 'excellent', [
      { itemKey: 'greet', lost: 2 },
      { itemKey: 'close', lost: 1 },
      { itemKey: 'id', lost: 0.5 },
    ]),
    // greet lost points twice in this one test
    scored(80, 'good', [
      { itemKey: 'greet', lost: 3 },
      { itemKey: 'hold', lost: 3 },
      { itemKey: 'greet', lost: 1 },
      { itemKey: 'id', lost: 0.5 },
    ]),
    scored(70, 'fair', [
      { itemKey: 'hold', lost: 4 },
      { itemKey: 'close', lost: 0 }, // no points lost: not a deduction
      { itemKey: 'name', lost: 1 },
      { itemKey: 'id', lost: 0.5 },
    ]),
    scored(95, 'excellent'),
    // An unreachable test neither counts its items nor enters the denominator.
    unreachable([{ itemKey: 'greet', lost: 5 }]),
  ];

  it('orders by tests, then points lost, then key, with shares and mean loss over the scored tests', () => {
    // 4 scored tests. id: 3 tests, 1.5 lost; hold: 2 tests, 3+4; greet: 2 tests, 2+3+1; close and name: 1 test, 1 point each.
    expect(deductionFrequency(results)).toEqual([
      { itemKey: 'id', tests: 3, share: 0.75, meanLost: 1.5 / 4 },
      { itemKey: 'hold', tests: 2, share: 0.5, meanLost: 7 / 4 },
      { itemKey: 'greet', tests: 2, share: 0.5, meanLost: 6 / 4 },
      { itemKey: 'close', tests: 1, share: 0.25, meanLost: 1 / 4 },
      { itemKey: 'name', tests: 1, share: 0.25, meanLost: 1 / 4 },
    ]);
  });

  it('counts an item deducted twice in one test once in tests but both times in the points lost', () => {
    const r = deductionFrequency([
      scored(85, 'good', [
        { itemKey: 'greet', lost: 2 },
        { itemKey: 'greet', lost: 3 },
      ]),
      scored(100, 'excellent'),
    ]);
    expect(r).toEqual([{ itemKey: 'greet', tests: 1, share: 0.5, meanLost: 2.5 }]);
  });

  it('is empty without scored tests or deductions', () => {
    expect(deductionFrequency([])).toEqual([]);
    expect(deductionFrequency([unreachable([{ itemKey: 'greet', lost: 2 }])])).toEqual([]);
    expect(deductionFrequency([scored(100, 'excellent', [{ itemKey: 'greet', lost: 0 }])])).toEqual([]);
  });

  it('property: shares are tests over scored tests, in order, and never above 1', () => {
    const deduction = fc.record({ itemKey: fc.constantFrom('a', 'b', 'c', 'd'), lost: fc.constantFrom(0, 0.5, 1, 2, 5) });
    const result = fc.record({ total: fc.option(fc.integer({ min: 0, max: 100 }), { nil: null }), band: fc.constant(null), deductions: fc.array(deduction, { maxLength: 6 }) });
    fc.assert(
      fc.property(fc.array(result, { maxLength: 40 }), (rs) => {
        const nScored = rs.filter((r) => r.total !== null).length;
        const r = deductionFrequency(rs);
        for (const f of r) {
          const expectedTests = rs.filter((x) => x.total !== null && x.deductions.some((d) => d.itemKey === f.itemKey && d.lost > 0)).length;
          const lost = rs.filter((x) => x.total !== null).reduce((a, x) => a + x.deductions.filter((d) => d.itemKey === f.itemKey).reduce((b, d) => b + d.lost, 0), 0);
          expect(f.tests).toBe(expectedTests);
          expect(f.share).toBe(expectedTests / nScored);
          expect(f.share).toBeLessThanOrEqual(1);
          expect(f.meanLost).toBeCloseTo(lost / nScored, 12);
        }
        for (let i = 1; i < r.length; i++) {
          const [a, b] = [r[i - 1], r[i]];
          if (!a || !b) continue;
          expect(a.tests > b.tests || (a.tests === b.tests && a.meanLost >= b.meanLost)).toBe(true);
        }
      }),
    );
  });
});

describe('percentChange', () => {
  it('gives the change in percent of the earlier value', () => {
    expect(percentChange(80, 88)).toBeCloseTo(10, 12); // (88-80)/80*100
    expect(percentChange(80, 72)).toBeCloseTo(-10, 12);
    expect(percentChange(50, 0)).toBe(-100);
    expect(percentChange(4, 4)).toBe(0);
    expect(percentChange(0.82, 0.861)).toBeCloseTo(5, 12); // (0.861-0.82)/0.82*100
  });

  it('is null where the earlier value is missing or zero, or the later one is missing', () => {
    expect(percentChange(null, 80)).toBeNull();
    expect(percentChange(undefined, 80)).toBeNull();
    expect(percentChange(80, null)).toBeNull();
    expect(percentChange(80, undefined)).toBeNull();
    expect(percentChange(0, 5)).toBeNull();
    expect(percentChange(0, 0)).toBeNull();
  });
});
