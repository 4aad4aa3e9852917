import fc from 'fast-check';
import { fQuantile, icc21, krippendorffAlphaInterval, krippendorffAlphaOrdinal } from '../../server/stats/agreement';

// Reference values: numpy 2.4 / scipy 1.17 (np = numpy, stats = scipy.stats), snippets beside each value.

function expectRel(actual: number, ref: number, tol = 1e-12): void {
  const err = Math.abs(actual - ref) / Math.abs(ref);
  if (!(err <= tol)) throw new Error(`expected ${actual} ≈ ${ref} (relative error ${err} > ${tol})`);
}

describe('fQuantile', () => {
  it.each([
    [0.975, 5, 4.785143862212761, 7.498627593144807], // stats.f.ppf(0.975, 5, 4.785143862212761)  (the Shrout & Fleiss interval below)
    [0.975, 4.785143862212761, 5, 7.190737169238162], // stats.f.ppf(0.975, 4.785143862212761, 5)
    [0.025, 3, 10, 0.06935321586551406], // stats.f.ppf(0.025, 3, 10)
    [0.975, 1, 1, 647.7890114778442], // stats.f.ppf(0.975, 1, 1)
    [0.999, 1, 1, 405284.0679028482], // stats.f.ppf(0.999, 1, 1)
    [1e-10, 2.5, 7, 8.550789651231483e-9], // stats.f.ppf(1e-10, 2.5, 7)
    [0.9, 30, 200, 1.3825888696732747], // stats.f.ppf(0.9, 30, 200)
    [0.975, 2, 0.5, 639999.7499999977], // stats.f.ppf(0.975, 2, 0.5)
    [0.3, 100, 3, 0.807737423699367], // stats.f.ppf(0.3, 100, 3)
  ])('F quantile(%p; %p, %p)', (p, d1, d2, ref) => {
    expectRel(fQuantile(p, d1, d2), ref, 1e-12);
  });

  it('has exact ends and rejects bad parameters', () => {
    // F(1, 1) is the square of a Cauchy variable: median 1 (here to the 1e-14 that betaIncReg's rounding allows)
    expect(fQuantile(0.5, 1, 1)).toBeCloseTo(1, 12);
    expect(fQuantile(0, 3, 4)).toBe(0);
    expect(fQuantile(1, 3, 4)).toBe(Infinity);
    expect(fQuantile(0.5, 0, 4)).toBeNaN();
    expect(fQuantile(1.5, 3, 4)).toBeNaN();
  });

  it('property: 1/F(d1, d2) quantile at p is the F(d2, d1) quantile at 1 − p', () => {
    const df = fc.double({ min: 0.5, max: 500, noNaN: true });
    fc.assert(
      fc.property(fc.double({ min: 1e-6, max: 1 - 1e-6, noNaN: true }), df, df, (p, d1, d2) => {
        expectRel(1 / fQuantile(p, d1, d2), fQuantile(1 - p, d2, d1), 1e-9);
      }),
    );
  });
});

/**
 * Reference ICC and interval, by the ANOVA formula and McGraw & Wong's interval:
 *   X=np.asarray(X,float); n,k=X.shape; g=X.mean(); r=X.mean(1); c=X.mean(0)
 *   msr=k*((r-g)**2).sum()/(n-1); msc=n*((c-g)**2).sum()/(k-1); mse=((X-r[:,None]-c[None,:]+g)**2).sum()/((n-1)*(k-1))
 *   icc=(msr-mse)/(msr+(k-1)*mse+k*(msc-mse)/n); t=max(icc,0)
 *   a=k*t/(n*(1-t)); b=1+k*t*(n-1)/(n*(1-t)); v=(a*msc+b*mse)**2/((a*msc)**2/(k-1)+(b*mse)**2/((n-1)*(k-1)))
 *   fu=stats.f.ppf(q,n-1,v); fl=stats.f.ppf(q,v,n-1)     # q = 1 - (1 - level)/2
 *   lo=n*(msr-fu*mse)/(fu*(k*msc+(k*n-k-n)*mse)+n*msr); up=n*(fl*msr-mse)/(k*msc+(k*n-k-n)*mse+n*fl*msr)
 */
describe('icc21', () => {
  // Shrout & Fleiss (1979), Table 2: six targets, four judges, ICC(2,1) = .29 in the paper.
  const shroutFleiss = [
    [9, 2, 5, 8],
    [6, 1, 3, 2],
    [8, 4, 6, 8],
    [7, 1, 2, 6],
    [10, 5, 6, 9],
    [6, 2, 4, 7],
  ];

  it('reproduces Shrout & Fleiss (1979) Table 2', () => {
    const r = icc21(shroutFleiss);
    // = .29 in the paper. In exact arithmetic (fractions.Fraction through the same formula) msr = 1349/120,
    // msc = 2339/72, mse = 367/360 and ICC(2,1) = 184/635 = 0.28976377952755905.
    expect(r?.icc).toBeCloseTo(0.2897637795275591, 14);
    expect(r?.icc).toBeCloseTo(184 / 635, 14);
    expect(r?.lower).toBeCloseTo(0.018786513374712016, 12); // v = 4.785143862212761, level 0.95
    expect(r?.upper).toBeCloseTo(0.7610843696489529, 12);
  });

  it('gives the 90 % interval', () => {
    const r = icc21(shroutFleiss, 0.9);
    expect(r?.lower).toBeCloseTo(0.04290119154053986, 12); // same snippet, q = 0.95
    expect(r?.upper).toBeCloseTo(0.6910706066183566, 12);
  });

  it('matches the reference for a calibration round of five calls and three testers', () => {
    // X = [[82,85,80],[70,72,75],[91,88,90],[65,70,62],[78,80,79]]; v = 9.913331519159525
    const r = icc21([
      [82, 85, 80],
      [70, 72, 75],
      [91, 88, 90],
      [65, 70, 62],
      [78, 80, 79],
    ]);
    expect(r?.icc).toBeCloseTo(0.9275037369207775, 13);
    expect(r?.lower).toBeCloseTo(0.7207711272146489, 12);
    expect(r?.upper).toBeCloseTo(0.9914480697528862, 12);
  });

  it('counts a harsher rater as disagreement (absolute agreement)', () => {
    // X = [[1,2],[2,3],[3,4]]: mse = 0, msr = 2, msc = 1.5, ICC = 2/3; v = k − 1 = 1
    const r = icc21([
      [1, 2],
      [2, 3],
      [3, 4],
    ]);
    expect(r?.icc).toBeCloseTo(2 / 3, 15);
    expect(r?.lower).toBeCloseTo(0.002495321272613853, 12);
    expect(r?.upper).toBeCloseTo(0.987181567418465, 12);
  });

  it('truncates a negative estimate at 0 for the degrees of freedom', () => {
    // X = [[1,5,1],[4,1,3],[1,5,1]]: ICC = −0.56, t = 0 gives a = 0, b = 1, v = (n − 1)(k − 1) = 4.
    // Without truncation v = 0.0101, f.ppf(0.975, 2, v) is inf and the upper end (−0.5529) hugs the estimate.
    const r = icc21([
      [1, 5, 1],
      [4, 1, 3],
      [1, 5, 1],
    ]);
    expect(r?.icc).toBeCloseTo(-0.56, 14);
    expect(r?.lower).toBeCloseTo(-0.5790772628608957, 12);
    expect(r?.upper).toBeCloseTo(-0.033127017749543276, 12);
  });

  it('is 1 with the interval [1, 1] for perfect agreement, even with inexact means', () => {
    expect(
      icc21([
        [3, 3, 3],
        [4, 4, 4],
        [1, 1, 1],
      ]),
    ).toEqual({ icc: 1, lower: 1, upper: 1 });
    // Column means of 0.1, 0.7, 0.3 … are not exact in binary; the residuals are pure rounding noise.
    expect(icc21([0.1, 0.7, 0.3, 0.9, 0.2].map((x) => [x, x, x, x]))).toEqual({ icc: 1, lower: 1, upper: 1 });
  });

  it('is null where undefined', () => {
    expect(icc21([])).toBeNull();
    expect(icc21([[1, 2, 3]])).toBeNull(); // one subject
    expect(icc21([[1], [2], [3]])).toBeNull(); // one rater
    expect(
      icc21([
        [2, 2],
        [2, 2],
      ]),
    ).toBeNull(); // no variance
    // 2 × 2 with equal row and column means: the denominator is 0 (ICC would be −∞)
    expect(
      icc21([
        [1, 2],
        [2, 1],
      ]),
    ).toBeNull();
  });

  it('gives 0 with the interval [0, 0] when only the raters differ', () => {
    // msr = mse = 0, msc > 0: both ends are 0 whatever F is
    expect(
      icc21([
        [1, 3],
        [1, 3],
        [1, 3],
      ]),
    ).toEqual({ icc: 0, lower: 0, upper: 0 });
  });

  it('rejects ragged or non-finite ratings and a bad level', () => {
    expect(() => icc21([[1, 2], [3]])).toThrow(RangeError);
    expect(() => icc21([[1, NaN], [3, 4]])).toThrow(RangeError);
    expect(() => icc21(shroutFleiss, 1)).toThrow(RangeError);
  });

  it('property: ICC ≤ 1 and lower ≤ ICC ≤ upper ≤ 1', () => {
    fc.assert(
      fc.property(
        fc
          .record({ n: fc.integer({ min: 2, max: 12 }), k: fc.integer({ min: 2, max: 6 }) })
          .chain(({ n, k }) => fc.array(fc.array(fc.integer({ min: 1, max: 5 }), { minLength: k, maxLength: k }), { minLength: n, maxLength: n })),
        fc.double({ min: 0.5, max: 0.999, noNaN: true }),
        (ratings, level) => {
          const r = icc21(ratings, level);
          if (r === null) return;
          expect(r.icc).toBeLessThanOrEqual(1);
          expect(r.upper).toBeLessThanOrEqual(1 + 1e-12);
          expect(r.lower).toBeLessThanOrEqual(r.icc + 1e-12);
          expect(r.upper).toBeGreaterThanOrEqual(r.icc - 1e-12);
        },
      ),
    );
  });
});

/**
 * Reference α by the coincidence-matrix route (Krippendorff 2011, section C), written independently:
 *   vals=sorted({v for u in units for v in u if v is not None}); ix={v:i for i,v in enumerate(vals)}; o=np.zeros((len(vals),)*2)
 *   for u in units:
 *       xs=[v for v in u if v is not None]; m=len(xs)
 *       if m<2: continue
 *       for i in range(m):
 *           for j in range(m):
 *               if i!=j: o[ix[xs[i]],ix[xs[j]]]+=1/(m-1)
 *   nc=o.sum(1); n=nc.sum(); d[a,b] = (a!=b) | (vals[a]-vals[b])**2 | (nc[min(a,b):max(a,b)+1].sum()-(nc[a]+nc[b])/2)**2
 *   1-(n-1)*(o*d).sum()/(np.outer(nc,nc)*d).sum()
 */
describe("Krippendorff's α", () => {
  const _ = null;
  // Krippendorff (2011), the reliability data matrix of section C: coders A–D (columns) × 12 units (rows).
  // Published: nominal α = 0.743, ordinal α = 0.815, interval α = 0.849 (the snippet's nominal α is 0.743421052631579).
  const A = [1, 2, 3, 3, 2, 1, 4, 1, 2, _, _, _];
  const B = [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, _, 3];
  const C = [_, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, _];
  const D = [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, _];
  const worked = A.map((a, u) => [a, B[u] ?? _, C[u] ?? _, D[u] ?? _]);

  it("reproduces Krippendorff's (2011) worked example", () => {
    expect(krippendorffAlphaOrdinal(worked)).toBeCloseTo(0.8153875037548813, 14);
    expect(krippendorffAlphaOrdinal(worked)).toBeCloseTo(0.815, 3);
    expect(krippendorffAlphaInterval(worked)).toBeCloseTo(0.8491071428571428, 14);
    expect(krippendorffAlphaInterval(worked)).toBeCloseTo(0.849, 3);
  });

  it('matches the reference for a calibration round with missing ratings', () => {
    // units = [[4,4,5],[3,3,3],[5,4,N],[2,3,2],[N,1,2],[4,5,5],[3,N,N]]  (the last unit is not pairable)
    const calls = [
      [4, 4, 5],
      [3, 3, 3],
      [5, 4, _],
      [2, 3, 2],
      [_, 1, 2],
      [4, 5, 5],
      [3, _, _],
    ];
    expect(krippendorffAlphaOrdinal(calls)).toBeCloseTo(0.813515866873065, 14);
    expect(krippendorffAlphaInterval(calls)).toBeCloseTo(0.804177545691906, 14);
  });

  it('is 1 for perfect agreement and counts only pairable values', () => {
    // The 3 is the only rating of its unit: it is not pairable and does not enter n_g.
    const units = [
      [1, 1, _],
      [2, 2, 2],
      [_, 3, _],
    ];
    expect(krippendorffAlphaOrdinal(units)).toBe(1);
    expect(krippendorffAlphaInterval(units)).toBe(1);
  });

  it('is null where undefined', () => {
    expect(krippendorffAlphaOrdinal([])).toBeNull();
    expect(krippendorffAlphaOrdinal([[1, _], [_, 2], [3]])).toBeNull(); // no unit has two ratings
    expect(krippendorffAlphaOrdinal([[4, 4], [4, 4, 4], [4, _]])).toBeNull(); // one value throughout: α = 0/0
    expect(krippendorffAlphaInterval([[4, 4], [4, 4, 4], [2, _]])).toBeNull(); // the 2 is not pairable
  });

  it('is negative for systematic disagreement and rejects non-finite values', () => {
    // [[1,2],[2,1]]: o = [[0,2],[2,0]], n = 4, α = 1 − 3·4/8 = −0.5 for both metrics
    expect(
      krippendorffAlphaOrdinal([
        [1, 2],
        [2, 1],
      ]),
    ).toBeCloseTo(-0.5, 15);
    expect(
      krippendorffAlphaInterval([
        [1, 2],
        [2, 1],
      ]),
    ).toBeCloseTo(-0.5, 15);
    expect(() => krippendorffAlphaOrdinal([[1, NaN]])).toThrow(RangeError);
  });

  const reliabilityData = fc.array(fc.array(fc.option(fc.integer({ min: 1, max: 5 }), { nil: null }), { minLength: 0, maxLength: 5 }), { minLength: 0, maxLength: 30 });

  it('property: α ≤ 1', () => {
    fc.assert(
      fc.property(reliabilityData, (units) => {
        for (const a of [krippendorffAlphaOrdinal(units), krippendorffAlphaInterval(units)]) if (a !== null) expect(a).toBeLessThanOrEqual(1);
      }),
    );
  });

  it('property: α = 1 when all coders agree on every unit and more than one value occurs', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ value: fc.integer({ min: 1, max: 7 }), coders: fc.integer({ min: 2, max: 5 }), missing: fc.integer({ min: 0, max: 3 }) }), {
          minLength: 2,
          maxLength: 30,
        }),
        (spec) => {
          fc.pre(new Set(spec.map((s) => s.value)).size > 1);
          const units = spec.map((s) => [...Array<number>(s.coders).fill(s.value), ...Array<null>(s.missing).fill(null)]);
          expect(krippendorffAlphaOrdinal(units)).toBe(1);
          expect(krippendorffAlphaInterval(units)).toBe(1);
        },
      ),
    );
  });

  it('property: the ordinal α depends only on the order of the values, the interval α is invariant to a change of scale', () => {
    fc.assert(
      fc.property(reliabilityData, (units) => {
        const ordinal = krippendorffAlphaOrdinal(units);
        // x ↦ x³ + 10x keeps the order but not the distances; x ↦ 2.5x − 7 keeps distance ratios.
        const stretched = units.map((u) => u.map((x) => (x === null ? null : x ** 3 + 10 * x)));
        const rescaled = units.map((u) => u.map((x) => (x === null ? null : 2.5 * x - 7)));
        const o2 = krippendorffAlphaOrdinal(stretched);
        if (ordinal === null) expect(o2).toBeNull();
        else expect(o2).toBeCloseTo(ordinal, 12);
        const interval = krippendorffAlphaInterval(units);
        const i2 = krippendorffAlphaInterval(rescaled);
        if (interval === null) expect(i2).toBeNull();
        else expect(i2).toBeCloseTo(interval, 12);
      }),
    );
  });
});
