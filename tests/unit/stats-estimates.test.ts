import fc from 'fast-check';
import { alphaIfDeleted, cronbachAlpha, marginOfError, meanInterval, wilson } from '../../server/stats/estimates';

// Reference values: scipy 1.17 / numpy, snippets beside each value (np = numpy, stats = scipy.stats).

describe('wilson', () => {
  // z=stats.norm.ppf(1-(1-l)/2); p=x/n; c=(p+z*z/(2*n))/(1+z*z/n); h=z/(1+z*z/n)*np.sqrt(p*(1-p)/n+z*z/(4*n*n)); (c-h, c+h)
  it('matches the Wilson score interval', () => {
    const r = wilson(820, 1000);
    expect(r.p).toBe(0.82);
    expect(r.lower).toBeCloseTo(0.7949777670979878, 12); // x=820, n=1000, l=0.95
    expect(r.upper).toBeCloseTo(0.8425731074712568, 12);
    const r90 = wilson(3, 10, 0.9);
    expect(r90.lower).toBeCloseTo(0.12687658390319786, 12); // x=3, n=10, l=0.9
    expect(r90.upper).toBeCloseTo(0.5583002041301649, 12);
  });

  it('is exact at 0 % and 100 %', () => {
    const none = wilson(0, 25);
    expect(none).toEqual({ p: 0, lower: 0, upper: expect.closeTo(0.13319225093904846, 12) }); // x=0, n=25
    const all = wilson(25, 25);
    expect(all.upper).toBe(1);
    expect(all.lower).toBeCloseTo(0.8668077490609515, 12); // x=25, n=25
  });

  it('rejects impossible counts', () => {
    expect(() => wilson(3, 0)).toThrow(RangeError);
    expect(() => wilson(4, 3)).toThrow(RangeError);
    expect(() => wilson(1.5, 3)).toThrow(RangeError);
    expect(() => wilson(1, 3, 1)).toThrow(RangeError);
  });

  it('property: the interval lies in [0, 1] and contains the estimate', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100000 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0.5, max: 0.999, noNaN: true }), (n, share, level) => {
        const x = Math.round(share * n);
        const r = wilson(x, n, level);
        expect(r.lower).toBeGreaterThanOrEqual(0);
        expect(r.upper).toBeLessThanOrEqual(1);
        expect(r.lower).toBeLessThanOrEqual(r.p);
        expect(r.upper).toBeGreaterThanOrEqual(r.p);
      }),
    );
  });
});

describe('meanInterval', () => {
  it('matches a t interval from raw data', () => {
    // x=np.array([5,4,4,3,5,2,4,5,3,4.]); n=len(x); m=x.mean(); s=x.std(ddof=1); h=stats.t.ppf(0.975,n-1)*s/np.sqrt(n)
    // Σx = 39, Σx² = 161
    const r = meanInterval(10, 39, 161);
    expect(r.mean).toBeCloseTo(3.9, 14);
    expect(r.sd).toBeCloseTo(0.9944289260117534, 12);
    expect(r.lower).toBeCloseTo(3.1886284002805008, 12);
    expect(r.upper).toBeCloseTo(4.611371599719499, 12);
  });

  it('gives no spread or interval for a single answer', () => {
    expect(meanInterval(1, 4, 16)).toEqual({ mean: 4, sd: null, lower: null, upper: null });
  });

  it('gives a zero-width interval when every answer is the same, even with rounding in Σx²', () => {
    expect(meanInterval(7, 21, 63)).toEqual({ mean: 3, sd: 0, lower: 3, upper: 3 });
    const n = 10;
    let sum = 0;
    let sumSq = 0;
    for (let i = 0; i < n; i++) {
      sum += 0.1;
      sumSq += 0.1 * 0.1;
    }
    const r = meanInterval(n, sum, sumSq);
    expect(r.sd).toBe(0);
    expect(r.lower).toBe(r.mean);
  });

  it('rejects n < 1', () => {
    expect(() => meanInterval(0, 0, 0)).toThrow(RangeError);
  });

  it('property: the interval contains the mean', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 2, maxLength: 300 }), (xs) => {
        const r = meanInterval(xs.length, xs.reduce((s, x) => s + x, 0), xs.reduce((s, x) => s + x * x, 0));
        expect(r.lower).not.toBeNull();
        expect(r.lower ?? NaN).toBeLessThanOrEqual(r.mean);
        expect(r.upper ?? NaN).toBeGreaterThanOrEqual(r.mean);
      }),
    );
  });
});

describe('marginOfError', () => {
  it('gives ±3 points for 1,068 answers', () => {
    const r = marginOfError({ n: 1068 });
    expect(r.conservative).toBeCloseTo(0.029986961979154566, 12); // z=stats.norm.ppf(0.975); z*np.sqrt(.25/1068)
    expect(r.observed).toBeNull();
    expect(r.fpc).toBe(1);
  });

  it('applies the finite population correction and the observed p', () => {
    const r = marginOfError({ n: 400, p: 0.82, population: 2000 });
    expect(r.conservative).toBeCloseTo(0.0438370876709984, 12); // z*np.sqrt(.25/400)*np.sqrt((2000-400)/1999)
    // z*np.sqrt(.82*.18/400) = 0.037649678681711644, times the same fpc
    expect(r.observed).toBeCloseTo(0.037649678681711644 * Math.sqrt(1600 / 1999), 12);
  });

  it('is zero for a census and rejects a sample larger than the population', () => {
    expect(marginOfError({ n: 50, population: 50 }).conservative).toBe(0);
    expect(marginOfError({ n: 1, population: 1 }).conservative).toBe(0);
    expect(() => marginOfError({ n: 60, population: 50 })).toThrow(RangeError);
    expect(() => marginOfError({ n: 0 })).toThrow(RangeError);
    expect(() => marginOfError({ n: 10, p: 1.2 })).toThrow(RangeError);
  });
});

describe('cronbachAlpha', () => {
  // X=np.array([[5,4,5],[4,4,3],[3,2,3],[5,5,4],[2,3,2],[4,3,4]],float); X.sum(0), X.T@X
  const stats = {
    n: 6,
    sums: [23, 21, 21],
    crossProducts: [
      [95, 85, 86],
      [85, 79, 76],
      [86, 76, 79],
    ],
  };

  it('matches α from the covariance matrix', () => {
    // C=np.cov(X,rowvar=False,ddof=1); k/(k-1)*(1-np.trace(C)/C.sum())
    expect(cronbachAlpha(stats)).toBeCloseTo(0.8754863813229571, 12);
  });

  it('gives α if each item is deleted', () => {
    // Y=np.delete(X,d,axis=1); C=np.cov(Y,rowvar=False); 2*(1-np.trace(C)/C.sum())  for d = 0, 1, 2
    const r = alphaIfDeleted(stats);
    expect(r[0]).toBeCloseTo(0.625, 12);
    expect(r[1]).toBeCloseTo(0.9428571428571426, 12);
    expect(r[2]).toBeCloseTo(0.84375, 12);
  });

  it('is null where undefined', () => {
    expect(cronbachAlpha({ n: 1, sums: [3, 4], crossProducts: [[9, 12], [12, 16]] })).toBeNull();
    expect(cronbachAlpha({ n: 3, sums: [9], crossProducts: [[27]] })).toBeNull();
    // every respondent gave the same answers: no total variance
    expect(cronbachAlpha({ n: 3, sums: [9, 12], crossProducts: [[27, 36], [36, 48]] })).toBeNull();
    expect(alphaIfDeleted({ n: 6, sums: [1, 2], crossProducts: [[1, 2], [2, 4]] })).toEqual([null, null]);
  });

  it('is exactly 1 for identical items and negative for contradicting ones', () => {
    // items (1,2,3) and (1,2,3): perfectly consistent
    expect(cronbachAlpha({ n: 3, sums: [6, 6], crossProducts: [[14, 14], [14, 14]] })).toBe(1);
    // items (1,2,3), (3,2,1), (1,3,2): variances 1, 1, 1; totals (5,7,6) have variance 1 → α = 1.5·(1 − 3) = −3
    expect(cronbachAlpha({ n: 3, sums: [6, 6, 6], crossProducts: [[14, 10, 13], [10, 14, 11], [13, 11, 14]] })).toBeCloseTo(-3, 12);
  });

  it('property: α ≤ 1 for any complete answers', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 6 }).chain((k) => fc.array(fc.array(fc.integer({ min: 1, max: 5 }), { minLength: k, maxLength: k }), { minLength: 2, maxLength: 60 })),
        (rows) => {
          const k = rows[0]?.length ?? 0;
          const sums = Array.from({ length: k }, (_, i) => rows.reduce((s, r) => s + (r[i] ?? 0), 0));
          const crossProducts = sums.map((_, i) => sums.map((__, j) => rows.reduce((s, r) => s + (r[i] ?? 0) * (r[j] ?? 0), 0)));
          const alpha = cronbachAlpha({ n: rows.length, sums, crossProducts });
          if (alpha !== null) expect(alpha).toBeLessThanOrEqual(1);
          for (const a of alphaIfDeleted({ n: rows.length, sums, crossProducts })) if (a !== null) expect(a).toBeLessThanOrEqual(1);
        },
      ),
    );
  });
});
